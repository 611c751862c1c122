import { exportJWK, generateKeyPair, type JWK } from 'jose';
import request from 'supertest';
import type { Agent } from 'supertest';
import { PlatformsService } from '../../src/adapters/platforms/platforms.service';
import { DevIdentityProvider } from '../../src/auth/dev-idp/dev-idp.service';
import { PlatformClientsService } from '../../src/auth/oauth/platform-clients.service';
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
 * with AUTH_DEV_IDP=on), a platform's from the service that issues them at POST /oauth/token, for a
 * registration and client that exist (a platform's token is only as good as its client's grant).
 */
export async function tokenFor(t: TestApp, caller: Caller): Promise<string> {
  if (caller.role === 'platform') {
    const kommun = caller.kommun!;
    const scopes = caller.scopes ?? [...PLATFORM_SCOPES];
    const platform = await registeredPlatform(t, kommun, caller);
    const issued = await t.app
      .get(AccessTokensService)
      .issue(kommun, `${kommun}:${platform.id}`, platform.name, scopes);
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

let clientKey: Promise<JWK> | undefined;

/**
 * The registration a test platform's token is for: the one with `platformId` if it exists, else the
 * one named `platform` (default test-platform); made, with a client granted every platform scope, if
 * there is none. A `platformId` that names no registration asks for a new one of its own.
 */
async function registeredPlatform(
  t: TestApp,
  kommun: string,
  caller: Caller,
): Promise<{ id: string; name: string }> {
  const platforms = t.app.get(PlatformsService);
  const all = await platforms.list(kommun);
  let found = caller.platformId
    ? all.find((p) => p.id === caller.platformId)
    : all.find((p) => p.name === (caller.platform ?? 'test-platform'));
  if (!found) {
    const name = caller.platformId
      ? `test-${caller.platformId.slice(0, 8)}`
      : (caller.platform ?? 'test-platform');
    found = await platforms.create(kommun, { name, vendor: 'Test', product: 'Test', adapter: 'ss12000' });
  }
  const clients = t.app.get(PlatformClientsService);
  if (!(await clients.currentGrant(kommun, found.id))) {
    clientKey ??= generateKeyPair('ES256').then(async ({ publicKey }) => ({
      ...(await exportJWK(publicKey)),
      kid: 'test-1',
      alg: 'ES256',
      use: 'sig',
    }));
    await clients.put(kommun, found.id, { jwks: { keys: [await clientKey] }, scopes: [...PLATFORM_SCOPES] });
  }
  return { id: found.id, name: found.name };
}
