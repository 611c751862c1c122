import { ProblemType } from './problem-types';

/** One bad field: a JSON pointer into the body, a query/path parameter, or a place in a file. */
export interface FieldError {
  pointer?: string;
  parameter?: string;
  file?: string;
  line?: number;
  column?: number;
  detail: string;
}

/**
 * Base of every error a module throws on purpose. The global filter turns it into problem+json;
 * `code` is stable and machine-readable (RECORD.NOT_FOUND), `detail` is for people.
 */
export class DomainError extends Error {
  constructor(
    readonly problem: ProblemType,
    readonly code: string,
    readonly detail: string,
    readonly errors?: FieldError[],
    readonly headers?: Record<string, string>,
    /** Extension members of the problem document (RFC 9457 §3.2), e.g. OAuth's `error`. */
    readonly extensions?: Record<string, string>,
  ) {
    super(detail);
    this.name = new.target.name;
  }
}
