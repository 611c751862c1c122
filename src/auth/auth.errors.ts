import { DomainError } from '../common/problem/domain-error';
import { PROBLEMS, ProblemType } from '../common/problem/problem-types';

const t = (slug: string, status: number, title: string): ProblemType => ({ slug, status, title });

export const AUTH_PROBLEMS = {
  invalidClient: t('invalid-client', 401, 'The client could not be authenticated'),
  invalidTokenRequest: t('invalid-token-request', 400, 'The token request is not valid'),
  invalidScope: t('invalid-scope', 400, 'A requested scope is not granted'),
  clientNotFound: t('platform-client-not-found', 404, 'The platform has no OAuth client'),
  invalidClientKeys: t('invalid-client-keys', 422, "The client's keys cannot be used"),
};

// RFC 6750 §3: a 401 says how to authenticate, and why the token presented did not do.
const bearerChallenge = (error?: string, description?: string): string =>
  [
    'Bearer realm="portabel"',
    error && `error="${error}"`,
    description && `error_description="${description}"`,
  ]
    .filter(Boolean)
    .join(', ');

/** No token, or a token that does not verify. `reason` is safe to show: it names no secret. */
export const unauthenticated = (code: string, reason: string): DomainError =>
  new DomainError(PROBLEMS.unauthenticated, code, reason, undefined, {
    'www-authenticate':
      code === 'AUTH.TOKEN_MISSING'
        ? bearerChallenge()
        : // A header value is visible ASCII only (RFC 9110 §5.5); the detail keeps the full text.
          bearerChallenge('invalid_token', reason.replace(/["\\]/g, "'").replace(/[^\x20-\x7e]/g, '?')),
  });

/** Authenticated, but the policy does not allow this. Says no more than that (no leak of what exists). */
export const forbidden = (): DomainError =>
  new DomainError(PROBLEMS.forbidden, 'AUTH.FORBIDDEN', 'You are not allowed to do this.', undefined, {
    'www-authenticate': bearerChallenge('insufficient_scope'),
  });

export const rateLimited = (retryAfterSeconds: number): DomainError =>
  new DomainError(
    PROBLEMS.rateLimited,
    'AUTH.RATE_LIMITED',
    `Too many requests; try again in ${retryAfterSeconds} s.`,
    undefined,
    { 'retry-after': String(retryAfterSeconds) },
  );

/** RFC 6749 §5.2 errors, as problem+json that also carries OAuth's own `error` members. */
export const oauthError = (
  problem: ProblemType,
  error: 'invalid_request' | 'invalid_client' | 'invalid_grant' | 'unsupported_grant_type' | 'invalid_scope',
  description: string,
): DomainError =>
  new DomainError(
    problem,
    `OAUTH.${error.toUpperCase()}`,
    description,
    undefined,
    problem.status === 401 ? { 'www-authenticate': 'private_key_jwt realm="portabel"' } : undefined,
    { error, error_description: description },
  );

export const clientNotFound = (platformId: string): DomainError =>
  new DomainError(
    AUTH_PROBLEMS.clientNotFound,
    'PLATFORM_CLIENT.NOT_FOUND',
    `Platform ${platformId} has no OAuth client. PUT one to let it sign in.`,
  );
