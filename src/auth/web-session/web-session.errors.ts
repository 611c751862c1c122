import { DomainError } from '../../common/problem/domain-error';
import { PROBLEMS } from '../../common/problem/problem-types';

/** A web page asked for without a valid session: the pages send the browser to sign in. */
export const sessionMissing = (): DomainError =>
  new DomainError(PROBLEMS.unauthenticated, 'AUTH.SESSION_MISSING', 'Sign in to see this page.');

/** A state change without the session's CSRF token, or from another origin. */
export const csrfRefused = (): DomainError =>
  new DomainError(
    PROBLEMS.forbidden,
    'AUTH.CSRF',
    'The form did not carry a valid token for this session, or came from another site.',
  );
