import { ValidationError, ValidationPipe } from '@nestjs/common';
import { DomainError, FieldError } from '../problem/domain-error';
import { PROBLEMS } from '../problem/problem-types';

const escapePointer = (key: string): string => key.replace(/~/g, '~0').replace(/\//g, '~1');

function flatten(errors: ValidationError[], path: string[], asParameter: boolean, out: FieldError[]): void {
  for (const e of errors) {
    const here = [...path, e.property];
    for (const message of Object.values(e.constraints ?? {})) {
      out.push(
        asParameter
          ? { parameter: here.join('.'), detail: message }
          : { pointer: '/' + here.map(escapePointer).join('/'), detail: message },
      );
    }
    if (e.children?.length) flatten(e.children, here, asParameter, out);
  }
}

/**
 * class-validator for DTOs, with every failure reported as a field error. DTOs of query strings
 * are named *QueryDto and report `parameter`; bodies report a JSON `pointer`.
 */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    exceptionFactory: (errors: ValidationError[]) => {
      const out: FieldError[] = [];
      for (const e of errors) {
        const asParameter = /QueryDto$/.test(e.target?.constructor?.name ?? '');
        flatten([e], [], asParameter, out);
      }
      const detail = out.length === 1 ? out[0].detail : `${out.length} fields are not valid.`;
      return new DomainError(PROBLEMS.validationFailed, 'REQUEST.INVALID', detail, out);
    },
  });
}
