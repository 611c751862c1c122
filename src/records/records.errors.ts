import { DomainError, FieldError } from '../common/problem/domain-error';
import { PROBLEMS } from '../common/problem/problem-types';

export const recordNotFound = (id: string): DomainError =>
  new DomainError(PROBLEMS.recordNotFound, 'RECORD.NOT_FOUND', `No learner record ${id} in this kommun.`);

export const recordDeleted = (id: string): DomainError =>
  new DomainError(PROBLEMS.recordDeleted, 'RECORD.DELETED', `Learner record ${id} has been deleted.`);

export const recordInvalid = (errors: FieldError[]): DomainError =>
  new DomainError(
    PROBLEMS.validationFailed,
    'RECORD.INVALID',
    errors.length === 1 ? errors[0].detail : `The learner record has ${errors.length} errors.`,
    errors,
  );

export const recordRejected = (errors: FieldError[]): DomainError =>
  new DomainError(
    PROBLEMS.recordRejected,
    'RECORD.REJECTED',
    errors.length === 1 ? errors[0].detail : `The learner record breaks ${errors.length} rules.`,
    errors,
  );

export const sourceImmutable = (): DomainError =>
  new DomainError(
    PROBLEMS.recordSourceImmutable,
    'RECORD.SOURCE_IMMUTABLE',
    'The record was stored under another source platform or id; upsert by source instead.',
    [{ pointer: '/source', detail: 'differs from the stored record' }],
  );

export const preconditionFailed = (current: number): DomainError =>
  new DomainError(
    PROBLEMS.preconditionFailed,
    'RECORD.STALE',
    `The record is at version ${current}; fetch it again and reapply your change.`,
  );

export const preconditionRequired = (): DomainError =>
  new DomainError(
    PROBLEMS.preconditionRequired,
    'RECORD.IF_MATCH_REQUIRED',
    "Send the ETag you read in an If-Match header, so that nobody's change is lost.",
  );
