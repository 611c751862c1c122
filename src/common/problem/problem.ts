import { FieldError } from './domain-error';
import { PROBLEM_TYPE_BASE, ProblemType } from './problem-types';

/** The RFC 9457 body every error response carries. */
export interface ProblemDocument {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  code: string;
  correlationId?: string;
  errors?: FieldError[];
  /** Extension members (RFC 9457 §3.2), e.g. OAuth's `error` and `error_description`. */
  [extension: string]: unknown;
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json; charset=utf-8';

export function problemDocument(
  problem: ProblemType,
  code: string,
  detail: string,
  extra: {
    instance?: string;
    correlationId?: string;
    errors?: FieldError[];
    extensions?: Record<string, string>;
  } = {},
): ProblemDocument {
  const doc: ProblemDocument = {
    ...extra.extensions,
    type: PROBLEM_TYPE_BASE + problem.slug,
    title: problem.title,
    status: problem.status,
    detail,
    code,
  };
  if (extra.instance) doc.instance = extra.instance;
  if (extra.correlationId) doc.correlationId = extra.correlationId;
  if (extra.errors && extra.errors.length > 0) doc.errors = extra.errors;
  return doc;
}
