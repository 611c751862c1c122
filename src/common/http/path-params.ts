import { Param, ParseUUIDPipe } from '@nestjs/common';
import { DomainError } from '../problem/domain-error';
import { PROBLEMS } from '../problem/problem-types';
import { PipeTransform } from '@nestjs/common';

/** Path parameters with a fixed shape; a bad one is a 400 naming the parameter. */
class PatternPipe implements PipeTransform<string, string> {
  constructor(
    private readonly name: string,
    private readonly pattern: RegExp,
    private readonly description: string,
  ) {}

  transform(value: string): string {
    if (!this.pattern.test(value)) {
      const detail = `${this.name} must be ${this.description}.`;
      throw new DomainError(PROBLEMS.validationFailed, 'REQUEST.INVALID', detail, [
        { parameter: this.name, detail },
      ]);
    }
    return value;
  }
}

export const KommunCode = (): ParameterDecorator =>
  Param('kommunCode', new PatternPipe('kommunCode', /^[0-9]{4}$/, 'a four-digit kommun code'));

export const SchoolUnitCode = (): ParameterDecorator =>
  Param('schoolUnitCode', new PatternPipe('schoolUnitCode', /^[0-9]{8}$/, 'an eight-digit skolenhetskod'));

export const RecordId = (): ParameterDecorator =>
  Param(
    'recordId',
    new ParseUUIDPipe({
      exceptionFactory: () =>
        new DomainError(PROBLEMS.validationFailed, 'REQUEST.INVALID', 'recordId must be a UUID.', [
          { parameter: 'recordId', detail: 'recordId must be a UUID.' },
        ]),
    }),
  );
