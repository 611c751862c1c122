import { SetMetadata } from '@nestjs/common';
import type { Action } from './actions';

export const AUTHORIZE_KEY = 'portabel:authorize';
export const PUBLIC_KEY = 'portabel:public';
export const KOMMUN_QUERY_KEY = 'portabel:kommun-query';

/**
 * The action a route performs, looked up in the one policy table (src/auth/policy.ts) by the one
 * guard. Every route carries either this or @Public(); a route with neither is refused.
 */
export const Authorize = (action: Action): MethodDecorator & ClassDecorator =>
  SetMetadata(AUTHORIZE_KEY, action);

/** A route anyone may call: health, the contract, JWKS, the token endpoint, a peer's inbox (signed content). */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(PUBLIC_KEY, true);

/**
 * A route without a kommun in its path that acts in the caller's own kommun, or in the one named by
 * `?kommun=`. The guard reads that parameter as it reads the path's: a caller bound to a kommun may
 * name only their own (else 403); only a role the policy table lets act anywhere may name another.
 */
export const KommunFromQuery = (): MethodDecorator & ClassDecorator => SetMetadata(KOMMUN_QUERY_KEY, true);

export const WEB_PAGE_KEY = 'portabel:web-page';

export interface WebPageOptions {
  /**
   * Where a POST's CSRF token is: `form` (a urlencoded `_csrf` field, checked by the guard, the
   * default) or `handler` (a multipart upload, whose handler checks the field before reading the file).
   */
  csrf?: 'form' | 'handler';
}

/**
 * A route of the web pages (/app): the caller is the person of the session cookie, not a bearer
 * token; the same guard and policy table decide, and every POST must carry the session's CSRF token.
 */
export const WebPage = (options: WebPageOptions = {}): MethodDecorator & ClassDecorator =>
  SetMetadata(WEB_PAGE_KEY, { csrf: options.csrf ?? 'form' });
