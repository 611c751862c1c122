import { Param, ParseUUIDPipe } from '@nestjs/common';
import { DomainError } from '../problem/domain-error';
import { PROBLEMS } from '../problem/problem-types';
import { PipeTransform } from '@nestjs/common';

/** The 400 for a path, query or header parameter of the wrong shape, naming it. */
export function invalidParameter(name: string, description: string): DomainError {
  const detail = `${name} must be ${description}.`;
  return new DomainError(PROBLEMS.validationFailed, 'REQUEST.INVALID', detail, [{ parameter: name, detail }]);
}

export const KOMMUN_CODE_PATTERN = /^[0-9]{4}$/;
export const KOMMUN_CODE_DESCRIPTION = 'a four-digit kommun code';

/** Path parameters with a fixed shape; a bad one is a 400 naming the parameter. */
class PatternPipe implements PipeTransform<string, string> {
  constructor(
    private readonly name: string,
    private readonly pattern: RegExp,
    private readonly description: string,
  ) {}

  transform(value: string): string {
    if (!this.pattern.test(value)) throw invalidParameter(this.name, this.description);
    return value;
  }
}

export const KommunCode = (): ParameterDecorator =>
  Param('kommunCode', new PatternPipe('kommunCode', KOMMUN_CODE_PATTERN, KOMMUN_CODE_DESCRIPTION));

export const SchoolUnitCode = (): ParameterDecorator =>
  Param('schoolUnitCode', new PatternPipe('schoolUnitCode', /^[0-9]{8}$/, 'an eight-digit skolenhetskod'));

/** A path parameter that must be a UUID (400 naming it otherwise). */
export const UuidParam = (name: string): ParameterDecorator =>
  Param(
    name,
    new ParseUUIDPipe({
      exceptionFactory: () => invalidParameter(name, 'a UUID'),
    }),
  );

export const RecordId = (): ParameterDecorator => UuidParam('recordId');
