import { DomainError, FieldError } from '../common/problem/domain-error';
import { ProblemType } from '../common/problem/problem-types';

const t = (slug: string, status: number, title: string): ProblemType => ({ slug, status, title });

export const ADAPTER_PROBLEMS = {
  adapterNotFound: t('adapter-not-found', 404, 'No such adapter'),
  platformNotFound: t('platform-not-found', 404, 'No such platform registration'),
  platformExists: t('platform-exists', 409, 'A platform with that name is already registered'),
  invalidOptions: t('invalid-adapter-options', 422, "The options do not fit the adapter's schema"),
  importNotFound: t('import-not-found', 404, 'No such import'),
  exportNotFound: t('export-not-found', 404, 'No such export'),
  formatUnknown: t('format-unknown', 422, 'The format of the file could not be recognised'),
  directionUnsupported: t('direction-unsupported', 422, 'The adapter cannot do that'),
  deletionThreshold: t('deletion-threshold', 409, 'The import would delete too many pupils'),
  importTooLarge: t('import-too-large', 422, 'The input needs more memory than a conversion may use'),
  exportNotReady: t('export-not-ready', 409, 'The export is not finished'),
  exportExpired: t('export-expired', 410, 'The export has expired and its file is deleted'),
  importCancelled: t('import-cancelled', 409, 'The import was cancelled before anything was written'),
};

export const adapterNotFound = (name: string): DomainError =>
  new DomainError(
    ADAPTER_PROBLEMS.adapterNotFound,
    'ADAPTER.NOT_FOUND',
    `No adapter named "${name}". GET /v1/adapters lists them.`,
  );

export const platformNotFound = (id: string): DomainError =>
  new DomainError(
    ADAPTER_PROBLEMS.platformNotFound,
    'PLATFORM.NOT_FOUND',
    `No platform registration ${id} in this kommun.`,
  );

export const invalidOptions = (errors: FieldError[]): DomainError =>
  new DomainError(
    ADAPTER_PROBLEMS.invalidOptions,
    'PLATFORM.INVALID_OPTIONS',
    'The adapter options are not valid.',
    errors,
  );
