import { ArgumentMetadata, Injectable, ValidationError, ValidationPipe } from '@nestjs/common';
import { DomainError, FieldError } from '../problem/domain-error';
import { PROBLEMS } from '../problem/problem-types';

const escapePointer = (key: string): string => key.replace(/~/g, '~0').replace(/\//g, '~1');

function flatten(errors: ValidationError[], path: string[], out: FieldError[]): void {
  for (const e of errors) {
    const here = [...path, e.property];
    for (const message of Object.values(e.constraints ?? {})) {
      out.push({ pointer: '/' + here.map(escapePointer).join('/'), detail: message });
    }
    if (e.children?.length) flatten(e.children, here, out);
  }
}

/**
 * class-validator for DTOs, with every failure reported as a field error: a JSON `pointer` for a
 * body, a `parameter` name for a query string or path.
 */
@Injectable()
export class ProblemValidationPipe extends ValidationPipe {
  constructor() {
    super({
      whitelist: true,
      forbidNonWhitelisted: true,
      transform: true,
      stopAtFirstError: true,
      exceptionFactory: (errors: ValidationError[]) => {
        const out: FieldError[] = [];
        flatten(errors, [], out);
        const detail = out.length === 1 ? out[0].detail : `${out.length} fields are not valid.`;
        return new DomainError(PROBLEMS.validationFailed, 'REQUEST.INVALID', detail, out);
      },
    });
  }

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    // A streamed body (uploads, NDJSON) is bytes for its handler, not an object to validate.
    if (value && typeof (value as { pipe?: unknown }).pipe === 'function') return value;
    try {
      return await super.transform(value, metadata);
    } catch (err) {
      if (err instanceof DomainError && metadata.type !== 'body' && err.errors) {
        const asParameters = err.errors.map((e) => ({
          parameter: (e.pointer ?? '').slice(1).replace(/\//g, '.'),
          detail: e.detail,
        }));
        throw new DomainError(err.problem, err.code, err.detail, asParameters);
      }
      throw err;
    }
  }
}
