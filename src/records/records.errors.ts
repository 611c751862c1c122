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

/** A platform writing sections of a record its token does not grant (or civic numbers). */
export const sectionsNotGranted = (sections: string[]): DomainError =>
  new DomainError(
    PROBLEMS.forbidden,
    'RECORD.SECTION_NOT_GRANTED',
    `You may not write these parts of a record: ${sections.join(', ')}.`,
    sections.map((s) => ({
      pointer: s === 'civicNo' ? '/pupil/civicNo' : `/${s}`,
      detail: `The scope sections:${s} is not granted to you.`,
    })),
  );

/** A registrar limited to some school units writing a pupil enrolled at none of them. */
export const outsideSchoolUnits = (): DomainError =>
  new DomainError(
    PROBLEMS.forbidden,
    'RECORD.OUTSIDE_SCHOOL_UNITS',
    'The record has no enrolment at a school unit you work for.',
    [{ pointer: '/enrolments', detail: 'names none of your school units' }],
  );

/** A platform writing a record under another platform's name. */
export const foreignSource = (platform: string): DomainError =>
  new DomainError(
    PROBLEMS.forbidden,
    'RECORD.FOREIGN_SOURCE',
    `You write records as platform "${platform}" only.`,
    [{ pointer: '/source/platform', detail: `must be "${platform}"` }],
  );

export const bulkNeedsWholeKommun = (): DomainError =>
  new DomainError(
    PROBLEMS.forbidden,
    'RECORD.BULK_NOT_ALLOWED',
    'Bulk writes are for callers who may write the whole kommun; write records one by one.',
  );
