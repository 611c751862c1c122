import { randomUUID } from 'node:crypto';
import request from 'supertest';
import type { Agent } from 'supertest';
import { DevIdentityProvider } from '../../src/auth/dev-idp/dev-idp.service';
import { PLATFORM_SCOPES } from '../../src/auth/platform-scopes';
import type { Role } from '../../src/auth/roles';
import { AccessTokensService } from '../../src/auth/tokens/access-tokens.service';
import type { TestApp } from './create-test-app';

/** Who a test request is made as. */
export interface Caller {
  role: Role;
  kommun?: string;
  schoolUnits?: string[];
  /** A guardian's or pupil's civic number. */
  civicNo?: string;
  /** A platform's scopes (default: every scope a platform can be granted). */
  scopes?: string[];
  /** A platform's registration name (the source.platform it writes) and id. */
  platform?: string;
  platformId?: string;
  sub?: string;
  name?: string;
}

/**
 * A bearer token for the caller: people's from the development identity provider (the tests run
 * with AUTH_DEV_IDP=on), a platform's from the service that issues them at POST /oauth/token.
 */
export async function tokenFor(t: TestApp, caller: Caller): Promise<string> {
  if (caller.role === 'platform') {
    const kommun = caller.kommun!;
    const clientId = `${kommun}:${caller.platformId ?? randomUUID()}`;
    const issued = await t.app
      .get(AccessTokensService)
      .issue(kommun, clientId, caller.platform ?? 'test-platform', caller.scopes ?? [...PLATFORM_SCOPES]);
    return issued.accessToken;
  }
  const { token } = await t.app.get(DevIdentityProvider).issue({
    sub: caller.sub,
    name: caller.name,
    kommun: caller.kommun,
    roles: [caller.role],
    civicNo: caller.civicNo,
    schoolUnits: caller.schoolUnits,
  });
  return token;
}

/** Headers that make a request as this caller: `request(t.server).get(p).set(await authAs(t, caller))`. */
export async function authAs(t: TestApp, caller: Caller): Promise<Record<string, string>> {
  return { authorization: `Bearer ${await tokenFor(t, caller)}` };
}

/** A supertest agent whose every request is made as this caller: `(await as(t, c)).get(path)`. */
export async function as(t: TestApp, caller: Caller): Promise<Agent> {
  return request.agent(t.server).set(await authAs(t, caller));
}
