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
