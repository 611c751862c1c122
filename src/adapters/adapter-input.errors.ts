import { DomainError, FieldError } from '../common/problem/domain-error';
import { ProblemType } from '../common/problem/problem-types';

/** The input as a whole cannot be read: nothing of it is written. 422 with the place(s). */
export const IMPORT_MALFORMED: ProblemType = {
  slug: 'import-malformed',
  status: 422,
  title: 'The file cannot be imported as it is',
};

export class AdapterInputError extends DomainError {
  constructor(code: string, detail: string, errors: FieldError[] = []) {
    super(IMPORT_MALFORMED, code, detail, errors.length > 0 ? errors : undefined);
  }
}
