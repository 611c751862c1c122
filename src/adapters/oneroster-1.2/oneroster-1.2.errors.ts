import type { FieldError } from '../../common/problem/domain-error';
import { AdapterInputError } from '../adapter-input.errors';

/**
 * Codes of the AdapterInputErrors this adapter throws. Each means the bundle as a whole cannot be
 * trusted, so nothing of it is written; a problem confined to one pupil is a `rejected` item instead
 * (see roster-assembler.ts for which is which).
 */
export const OR_ERRORS = {
  /** Not a zip, a truncated zip, or an entry whose compressed data is corrupt. */
  badZip: 'ONEROSTER.BAD_ZIP',
  missingManifest: 'ONEROSTER.MISSING_MANIFEST',
  badManifest: 'ONEROSTER.BAD_MANIFEST',
  /** The manifest says bulk or delta, the zip has no such file. */
  missingFile: 'ONEROSTER.MISSING_FILE',
  missingHeader: 'ONEROSTER.MISSING_HEADER',
  duplicateHeader: 'ONEROSTER.DUPLICATE_HEADER',
  /** Bytes that are not UTF-8 (a Latin-1 or Windows-1252 export). */
  encoding: 'ONEROSTER.ENCODING',
  /** Unclosed quote, a row with more or fewer fields than the header. */
  csvSyntax: 'ONEROSTER.CSV_SYNTAX',
  fieldTooLarge: 'ONEROSTER.FIELD_TOO_LARGE',
  duplicateId: 'ONEROSTER.DUPLICATE_ID',
  danglingReference: 'ONEROSTER.DANGLING_REFERENCE',
  badDate: 'ONEROSTER.BAD_DATE',
  badValue: 'ONEROSTER.BAD_VALUE',
  badJson: 'ONEROSTER.BAD_JSON',
  tooLarge: 'ONEROSTER.TOO_LARGE',
  unrecognised: 'ONEROSTER.UNRECOGNISED',
} as const;

export function inputError(
  code: string,
  detail: string,
  where: Omit<FieldError, 'detail'> = {},
): AdapterInputError {
  return new AdapterInputError(code, detail, [{ ...where, detail }]);
}
