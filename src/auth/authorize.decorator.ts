import { SetMetadata } from '@nestjs/common';
import type { Action } from './actions';

export const AUTHORIZE_KEY = 'portabel:authorize';
export const PUBLIC_KEY = 'portabel:public';

/**
 * The action a route performs, looked up in the one policy table (src/auth/policy.ts) by the one
 * guard. Every route carries either this or @Public(); a route with neither is refused.
 */
export const Authorize = (action: Action): MethodDecorator & ClassDecorator =>
  SetMetadata(AUTHORIZE_KEY, action);

/** A route anyone may call: health, the contract, JWKS, the token endpoint, a peer's inbox (signed content). */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(PUBLIC_KEY, true);
