/**
 * The catalogue of problem types (RFC 9457). A type's URI never changes once published:
 * clients branch on it. docs/problems.md explains each one.
 */
export const PROBLEM_TYPE_BASE = 'urn:portabel:problem:';

export interface ProblemType {
  slug: string;
  status: number;
  title: string;
}

const t = (slug: string, status: number, title: string): ProblemType => ({ slug, status, title });

export const PROBLEMS = {
  validationFailed: t('validation-failed', 400, 'The request is not valid'),
  malformedRequest: t('malformed-request', 400, 'The request body could not be read'),
  invalidCursor: t('invalid-cursor', 400, 'The paging cursor is not valid'),
  unauthenticated: t('unauthenticated', 401, 'Sign-in is required'),
  forbidden: t('forbidden', 403, 'Not allowed'),
  rateLimited: t('rate-limited', 429, 'Too many requests'),
  notFound: t('not-found', 404, 'No such resource'),
  methodNotAllowed: t('method-not-allowed', 405, 'Method not allowed on this resource'),
  payloadTooLarge: t('payload-too-large', 413, 'The request body is too large'),
  unsupportedMediaType: t('unsupported-media-type', 415, 'Unsupported content type'),
  headersTooLarge: t('headers-too-large', 431, 'The request headers are too large'),
  requestTimeout: t('request-timeout', 408, 'The request took too long to arrive'),
  kommunNotFound: t('kommun-not-found', 404, 'No such kommun'),
  kommunExists: t('kommun-exists', 409, 'The kommun is already registered'),
  schoolUnitNotFound: t('school-unit-not-found', 404, 'No such school unit'),
  recordNotFound: t('record-not-found', 404, 'No such learner record'),
  recordDeleted: t('record-deleted', 410, 'The learner record has been deleted'),
  recordRejected: t('record-rejected', 422, 'The learner record breaks a rule of the canonical model'),
  recordSourceImmutable: t('record-source-immutable', 422, "A record's source cannot change"),
  preconditionFailed: t('precondition-failed', 412, 'The resource has changed since you read it'),
  preconditionRequired: t('precondition-required', 428, 'This change needs an If-Match header'),
  idempotencyKeyReused: t('idempotency-key-reused', 409, 'The Idempotency-Key was used for another request'),
  auditChainEmpty: t('audit-chain-empty', 409, 'The audit chain has no entries yet'),
  auditChainBroken: t('audit-chain-broken', 409, 'The audit chain does not verify'),
  databaseUnavailable: t('database-unavailable', 503, 'The database is unavailable; try again shortly'),
  internalError: t('internal-error', 500, 'Something went wrong on our side'),
} as const;

export type ProblemKey = keyof typeof PROBLEMS;
