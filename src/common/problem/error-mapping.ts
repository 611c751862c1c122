import { HttpException } from '@nestjs/common';
import { DomainError, FieldError } from './domain-error';
import { PROBLEMS, ProblemType } from './problem-types';

export interface MappedError {
  problem: ProblemType;
  code: string;
  detail: string;
  errors?: FieldError[];
  headers?: Record<string, string>;
  extensions?: Record<string, string>;
  /** Unexpected: log it with its stack. */
  unexpected: boolean;
}

// Errors that mean the database cannot be reached right now, not that the request was wrong.
const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOENT', // the embedded database's socket is gone
  'EPIPE',
  'ETIMEDOUT',
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now
  '08000',
  '08001',
  '08003',
  '08004',
  '08006',
  '53300', // too_many_connections
]);
const UNAVAILABLE_MESSAGES =
  /Connection terminated|connection error|timeout exceeded when trying to connect|Connection ended|Client was closed|not queryable|Handler disconnected|terminating connection/i;

export function isDatabaseUnavailable(err: unknown): boolean {
  type Chained = { code?: unknown; message?: unknown; driverError?: Chained; cause?: Chained } | undefined;
  for (let e = err as Chained, depth = 0; e && depth < 3; e = e.driverError ?? e.cause, depth++) {
    if (typeof e.code === 'string' && UNAVAILABLE_CODES.has(e.code)) return true;
    if (typeof e.message === 'string' && UNAVAILABLE_MESSAGES.test(e.message)) return true;
  }
  return false;
}

// Fastify raises these before a handler runs; their messages are safe to show.
const FASTIFY_CODES: Record<string, ProblemType> = {
  FST_ERR_CTP_BODY_TOO_LARGE: PROBLEMS.payloadTooLarge,
  FST_ERR_CTP_INVALID_MEDIA_TYPE: PROBLEMS.unsupportedMediaType,
  FST_ERR_CTP_EMPTY_JSON_BODY: PROBLEMS.malformedRequest,
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: PROBLEMS.malformedRequest,
  FST_ERR_CTP_INVALID_JSON_BODY: PROBLEMS.malformedRequest,
  FST_ERR_BAD_URL: PROBLEMS.malformedRequest,
};

const HTTP_CODES: Record<number, string> = {
  400: 'HTTP.BAD_REQUEST',
  404: 'HTTP.NOT_FOUND',
  405: 'HTTP.METHOD_NOT_ALLOWED',
  413: 'HTTP.PAYLOAD_TOO_LARGE',
  415: 'HTTP.UNSUPPORTED_MEDIA_TYPE',
  503: 'HTTP.NOT_READY',
};

function byStatus(status: number): ProblemType {
  switch (status) {
    case 404:
      return PROBLEMS.notFound;
    case 405:
      return PROBLEMS.methodNotAllowed;
    case 413:
      return PROBLEMS.payloadTooLarge;
    case 415:
      return PROBLEMS.unsupportedMediaType;
    case 503:
      return PROBLEMS.databaseUnavailable; // readiness: the only 503 we raise ourselves
    default:
      return status >= 500 ? PROBLEMS.internalError : PROBLEMS.malformedRequest;
  }
}

/** Maps anything thrown while serving a request to the problem it stands for. */
export function mapError(err: unknown): MappedError {
  if (err instanceof DomainError) {
    return {
      problem: err.problem,
      code: err.code,
      detail: err.detail,
      errors: err.errors,
      headers: err.headers,
      extensions: err.extensions,
      unexpected: false,
    };
  }
  if (isDatabaseUnavailable(err)) {
    return {
      problem: PROBLEMS.databaseUnavailable,
      code: 'DATABASE.UNAVAILABLE',
      detail: 'The database cannot be reached at the moment. Nothing was changed; retry the request.',
      headers: { 'retry-after': '5' },
      unexpected: false,
    };
  }
  const e = err as { code?: unknown; statusCode?: unknown; message?: unknown };
  if (typeof e?.code === 'string' && FASTIFY_CODES[e.code]) {
    const problem = FASTIFY_CODES[e.code];
    return {
      problem,
      code: HTTP_CODES[problem.status] ?? `HTTP.${e.code.replace('FST_ERR_', '')}`,
      detail: String(e.message),
      unexpected: false,
    };
  }
  if (err instanceof HttpException) {
    const status = err.getStatus();
    const problem = byStatus(status);
    const detail =
      status === 404
        ? 'There is no such route. The API is described at /openapi.json.'
        : status === 503
          ? 'Not ready: the database does not answer.'
          : status < 500
            ? err.message
            : problem.title;
    return {
      problem,
      code: HTTP_CODES[status] ?? `HTTP.${status}`,
      detail,
      unexpected: status >= 500 && status !== 503,
    };
  }
  if (err instanceof SyntaxError || err instanceof URIError) {
    return {
      problem: PROBLEMS.malformedRequest,
      code: 'HTTP.MALFORMED',
      detail: 'The request could not be parsed.',
      unexpected: false,
    };
  }
  if (typeof e?.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    return {
      problem: byStatus(e.statusCode),
      code: HTTP_CODES[e.statusCode] ?? `HTTP.${e.statusCode}`,
      detail: typeof e.message === 'string' ? e.message : 'The request was refused.',
      unexpected: false,
    };
  }
  // PostgreSQL data exceptions (class 22) mean a value slipped past validation: the client's fault,
  // but its message may quote the value, so it is not passed on.
  const pgCode = (err as { driverError?: { code?: string } })?.driverError?.code;
  if (typeof pgCode === 'string' && pgCode.startsWith('22')) {
    return {
      problem: PROBLEMS.malformedRequest,
      code: 'HTTP.UNSTORABLE_VALUE',
      detail: 'A value in the request cannot be stored.',
      unexpected: true,
    };
  }
  return {
    problem: PROBLEMS.internalError,
    code: 'INTERNAL',
    detail: 'An unexpected error occurred. It has been logged with the correlation id.',
    unexpected: true,
  };
}

/** What may be logged of an error: never driver parameters, queries or row details (personal data). */
export function loggableError(err: unknown): Record<string, unknown> {
  const e = err as {
    name?: string;
    message?: string;
    code?: string;
    stack?: string;
    driverError?: { code?: string };
  };
  return {
    type: e?.name,
    code: e?.code ?? e?.driverError?.code,
    message: typeof e?.message === 'string' ? e.message.slice(0, 500) : undefined,
    stack: e?.stack,
  };
}
