import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import request, { type Response } from 'supertest';
import { AuditService } from '../../src/audit/audit.service';
import { KeysService } from '../../src/keys/keys.service';
import { authAs, tokenFor } from '../helpers/auth';
import { createKommun, createTestApp, TestApp } from '../helpers/create-test-app';
import { expectProblem } from '../helpers/problem';

const CIVIC_NO_CLAIM = 'https://id.oidc.se/claim/personalIdentityNumber';

/**
 * Bearer tokens that must never pass, each refused with 401 (RFC 6750 challenge) and nothing else
 * said: forged, unsigned, HS256 keyed with a public key, unknown key, expired, not yet valid, for
 * another issuer or audience, and a good token of one kommun used on another's path (403). Each
 * refusal is in the audit log of the kommun it aimed at.
 */
describe('token attacks', () => {
  let t: TestApp;
  let a: string;
  let b: string;
  let issuerKey: { privateKey: CryptoKey; jwk: JWK };
  const ISSUER = 'https://idp.kommun-a.example';
  const AUDIENCE = 'portabel-test';

  /** A token as the kommun's identity provider (configured in AUTH_ISSUERS_FILE) would sign it. */
  const personToken = (
    claims: Record<string, unknown> = {},
    opts: { alg?: string; typ?: string; key?: CryptoKey | Uint8Array; kid?: string } = {},
  ) => {
    const jwt = new SignJWT({ roles: ['skoladmin'], ...claims })
      .setProtectedHeader({
        alg: opts.alg ?? 'ES256',
        typ: opts.typ ?? 'JWT',
        kid: opts.kid ?? issuerKey.jwk.kid,
      })
      .setIssuer((claims.iss as string) ?? ISSUER)
      .setAudience((claims.aud as string) ?? AUDIENCE)
      .setSubject('person-1')
      .setJti(randomUUID())
      .setIssuedAt()
      .setExpirationTime((claims.exp as number) ?? '5m');
    if (claims.nbf !== undefined) jwt.setNotBefore(claims.nbf as number);
    return jwt.sign(opts.key ?? issuerKey.privateKey);
  };
  const records = (k: string) => `/v1/kommuner/${k}/records`;
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

  // A second identity provider that publishes its keys at a JWKS URL (fetched, cached by jose).
  const REMOTE_ISSUER = 'http://127.0.0.1/remote-idp';
  let remoteKey: { privateKey: CryptoKey; jwk: JWK };
  let jwksServer: Server;
  let jwksFetches = 0;
  const remoteToken = (kid: string, key: CryptoKey) =>
    new SignJWT({ roles: ['skoladmin'], kommun: a })
      .setProtectedHeader({ alg: 'ES256', typ: 'JWT', kid })
      .setIssuer(REMOTE_ISSUER)
      .setAudience(AUDIENCE)
      .setSubject('person-remote')
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(key);

  beforeAll(async () => {
    const remote = await generateKeyPair('ES256');
    remoteKey = {
      privateKey: remote.privateKey,
      jwk: { ...(await exportJWK(remote.publicKey)), kid: 'remote-1', alg: 'ES256' },
    };
    jwksServer = createServer((_req, res) => {
      jwksFetches++;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ keys: [remoteKey.jwk] }));
    });
    await new Promise<void>((resolve) => jwksServer.listen(0, '127.0.0.1', resolve));
    const jwksUri = `http://127.0.0.1:${(jwksServer.address() as AddressInfo).port}/jwks.json`;
    const pair = await generateKeyPair('ES256');
    issuerKey = {
      privateKey: pair.privateKey,
      jwk: { ...(await exportJWK(pair.publicKey)), kid: 'idp-1', alg: 'ES256' },
    };
    // The identity provider of the kommun registered below (its code is known only after it exists,
    // so the mapping takes the kommun from a claim, and this test checks the issuer's role map).
    const dir = mkdtempSync(join(tmpdir(), 'portabel-issuers-'));
    const file = join(dir, 'issuers.json');
    writeFileSync(
      file,
      JSON.stringify([
        {
          issuer: ISSUER,
          audience: AUDIENCE,
          jwks: { keys: [issuerKey.jwk] },
          kommunClaim: 'kommun',
          roleMap: { skoladmin: 'registrar', vh: 'guardian', it: 'admin', root: 'operator' },
          algorithms: ['ES256'],
        },
        {
          issuer: REMOTE_ISSUER,
          audience: AUDIENCE,
          jwksUri,
          kommunClaim: 'kommun',
          roleMap: { skoladmin: 'registrar' },
          algorithms: ['ES256'],
        },
      ]),
    );
    t = await createTestApp({ AUTH_ISSUERS_FILE: file });
    a = await createKommun(t, 'Kommun A');
    b = await createKommun(t, 'Kommun B');
  });
  afterAll(async () => {
    await t?.close();
    jwksServer?.close();
  });

  it('verifies tokens of an issuer by its JWKS URL, fetched once and kept, and refuses a key not in it', async () => {
    for (let i = 0; i < 3; i++) {
      const res = await request(t.server)
        .get('/v1/me')
        .set(bearer(await remoteToken('remote-1', remoteKey.privateKey)));
      expect(res.body).toMatchObject({ kind: 'person', kommunCode: a, roles: ['registrar'] });
    }
    expect(jwksFetches).toBe(1);
    const stranger = await generateKeyPair('ES256');
    await refused(remoteToken('remote-2', stranger.privateKey), /key this installation does not know/);
  });

  it('accepts a good token of a configured issuer, with its roles mapped', async () => {
    const res = await request(t.server)
      .get('/v1/me')
      .set(bearer(await personToken({ kommun: a })));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ kind: 'person', kommunCode: a, roles: ['registrar'] });
    expect(
      (
        await request(t.server)
          .get(records(a))
          .set(bearer(await personToken({ kommun: a })))
      ).status,
    ).toBe(200);
  });

  it('never lets an issuer make an operator unless it is allowed to', async () => {
    const res = await request(t.server)
      .get('/v1/me')
      .set(bearer(await personToken({ kommun: a, roles: ['root', 'skoladmin'] })));
    expect(res.body.roles).toEqual(['registrar']);
  });

  const refused = (token: string | Promise<string>, reason: RegExp) => refusedAt(records(a), token, reason);
  const refusedAt = async (path: string, token: string | Promise<string>, reason: RegExp) => {
    const res = await request(t.server)
      .get(path)
      .set(bearer(await token));
    expectProblem(res, 401, 'unauthenticated', 'AUTH.TOKEN_INVALID', {
      detail: expect.stringMatching(reason),
    });
    expect(res.headers['www-authenticate']).toMatch(/^Bearer realm="portabel", error="invalid_token"/);
    await expectAudited(path, res, 'auth:sign-in', 'AUTH.TOKEN_INVALID');
  };
  /** Every refusal is a failed sign-in (or a refused request) in the chain of the kommun aimed at. */
  const expectAudited = async (path: string, res: Response, action: string, code: string) => {
    const kommun = /\/kommuner\/([0-9]{4})\//.exec(path)![1];
    const denied = await t.app.get(AuditService).list(kommun, { outcome: 'denied', limit: 200 });
    expect(denied.data.find((e) => e.requestId === res.headers['x-request-id'])).toMatchObject({
      actor: action === 'auth:sign-in' ? { kind: 'anonymous' } : expect.anything(),
      action,
      detail: { code },
    });
  };

  it('refuses an unsigned token (alg: none)', async () => {
    const claims = {
      iss: ISSUER,
      aud: AUDIENCE,
      sub: 'x',
      kommun: a,
      roles: ['skoladmin'],
      exp: Math.floor(Date.now() / 1000) + 60,
    };
    const token = `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.`;
    await refused(token, /not a valid signed JWT|algorithm not allowed/);
  });

  it('refuses HS256 signed with the public key as the secret', async () => {
    await refused(
      personToken(
        { kommun: a },
        { alg: 'HS256', key: new TextEncoder().encode(JSON.stringify(issuerKey.jwk)) },
      ),
      /algorithm not allowed/,
    );
  });

  it('refuses an algorithm the issuer is not allowed (EdDSA where only ES256 is)', async () => {
    const ed = await generateKeyPair('EdDSA');
    await refused(personToken({ kommun: a }, { alg: 'EdDSA', key: ed.privateKey }), /algorithm not allowed/);
  });

  it('refuses a token signed by a key the issuer does not publish (wrong kid)', async () => {
    const other = await generateKeyPair('ES256');
    await refused(
      personToken({ kommun: a }, { kid: 'idp-2', key: other.privateKey }),
      /key this installation does not know/,
    );
  });

  it('refuses a token whose signature does not verify', async () => {
    const other = await generateKeyPair('ES256');
    await refused(
      personToken({ kommun: a }, { key: other.privateKey }),
      /signature of the token does not verify/,
    );
  });

  it('refuses a tampered token', async () => {
    const [h, , s] = (await personToken({ kommun: a })).split('.');
    const payload = Buffer.from(
      JSON.stringify({ iss: ISSUER, aud: AUDIENCE, sub: 'x', kommun: a, roles: ['it'], exp: 9999999999 }),
    ).toString('base64url');
    await refused(`${h}.${payload}.${s}`, /signature of the token does not verify/);
  });

  it('refuses an expired token and one not yet valid', async () => {
    await refused(personToken({ kommun: a, exp: Math.floor(Date.now() / 1000) - 600 }), /expired/);
    await refused(personToken({ kommun: a, nbf: Math.floor(Date.now() / 1000) + 600 }), /not yet valid/);
  });

  it('refuses a token for another audience, and one of an issuer nobody configured', async () => {
    await refused(personToken({ kommun: a, aud: 'another-service' }), /by or for someone else/);
    await refused(personToken({ kommun: a, iss: 'https://evil.example' }), /does not trust/);
  });

  it('refuses a token typed as another kind (a platform access token type from a person issuer)', async () => {
    await refused(
      personToken({ kommun: a }, { typ: 'at+jwt' }),
      /names no key of this installation|not accepted/,
    );
    await refused(personToken({ kommun: a }, { typ: 'consent-receipt+jwt' }), /not accepted/);
  });

  it('refuses a token without a kommun, or with a civic number that fails Luhn', async () => {
    await refused(personToken({}), /names no kommun/);
    await refused(
      personToken({ kommun: a, roles: ['vh'], [CIVIC_NO_CLAIM]: '201203152383' }),
      /civic number/,
    );
  });

  it('refuses something signed by the kommun that is not an access token (a receipt passed off as one)', async () => {
    const signed = await t.app.get(KeysService).signJwt(
      a,
      {
        sub: 'x',
        scope: 'records:read',
        kommun: a,
        client_id: 'x',
        exp: Math.floor(Date.now() / 1000) + 60,
      },
      { typ: 'consent-receipt+jwt' },
    );
    await refused(signed, /does not trust|not a valid/);
  });

  it('refuses malformed headers with a challenge, and no header with a bare one', async () => {
    const none = await request(t.server).get(records(a));
    expectProblem(none, 401, 'unauthenticated', 'AUTH.TOKEN_MISSING');
    await expectAudited(records(a), none, 'auth:sign-in', 'AUTH.TOKEN_MISSING');
    expect(none.headers['www-authenticate']).toBe('Bearer realm="portabel"');
    expectProblem(
      await request(t.server).get(records(a)).set('authorization', 'Basic dXNlcjpwYXNz'),
      401,
      'unauthenticated',
      'AUTH.TOKEN_INVALID',
    );
    expectProblem(
      await request(t.server).get(records(a)).set('authorization', 'Bearer abc.def'),
      401,
      'unauthenticated',
      'AUTH.TOKEN_INVALID',
    );
  });

  it('refuses a good token of one kommun on another kommun’s path (403, nothing about the other)', async () => {
    for (const token of [
      await personToken({ kommun: b }),
      await tokenFor(t, { role: 'platform', kommun: b }),
      await tokenFor(t, { role: 'registrar', kommun: b }),
    ]) {
      const res = await request(t.server).get(records(a)).set(bearer(token));
      expectProblem(res, 403, 'forbidden', 'AUTH.FORBIDDEN', { detail: 'You are not allowed to do this.' });
      await expectAudited(records(a), res, 'records:read', 'AUTH.FORBIDDEN');
    }
  });

  it('refuses a platform access token whose kid names another kommun than its claim', async () => {
    const keys = t.app.get(KeysService);
    const now = Math.floor(Date.now() / 1000);
    // Signed by A's key, claiming to be for B: the kid says A, so B's path is refused and A's claim check fails.
    const forged = await keys.signJwt(
      a,
      {
        iss: t.config.PUBLIC_BASE_URL,
        aud: t.config.PUBLIC_BASE_URL,
        sub: `${b}:x`,
        client_id: `${b}:x`,
        platform: 'p',
        kommun: b,
        scope: 'records:read',
        jti: randomUUID(),
        iat: now,
        exp: now + 60,
      },
      { typ: 'at+jwt' },
    );
    await refused(forged, /not issued for this kommun/);
  });

  it('refuses a platform token signed with a key since revoked', async () => {
    const used = await tokenFor(t, { role: 'platform', kommun: b });
    const unused = await tokenFor(t, { role: 'platform', kommun: b });
    expect((await request(t.server).get(records(b)).set(bearer(used))).status).toBe(200);
    const keys = t.app.get(KeysService);
    const kid = (await keys.list(b)).find((k) => k.use === 'sig' && k.status === 'active')!.kid;
    await keys.revoke(b, kid, 'test: compromised');
    // Never trusted again: a token not seen before is refused at once on this instance (a verdict
    // already cached stands for at most a minute, as the README says).
    await refusedAt(records(b), unused, /key this installation does not know/);
    const fresh = await tokenFor(t, { role: 'platform', kommun: b }); // signed with the new key
    expect((await request(t.server).get(records(b)).set(bearer(fresh))).status).toBe(200);
  });

  it('sends security headers and no CORS grant by default', async () => {
    const res = await request(t.server).get('/health/live').set('origin', 'https://evil.example');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['content-security-policy']).toContain("default-src 'none'");
    expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
    const preflight = await request(t.server)
      .options(records(a))
      .set('origin', 'https://evil.example')
      .set('access-control-request-method', 'GET');
    expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('rate limits and CORS when configured', () => {
  let t: TestApp;
  let kommun: string;
  beforeAll(async () => {
    t = await createTestApp({
      RATE_LIMIT_PERSON: '5',
      RATE_LIMIT_PLATFORM: '5',
      RATE_LIMIT_ANONYMOUS: '5',
      CORS_ORIGINS: 'https://app.kommun.example',
    });
    kommun = await createKommun(t);
  });
  afterAll(() => t?.close());

  it('answers 429 with Retry-After past a person’s limit, and counts people apart', async () => {
    const auth = await authAs(t, { role: 'registrar', kommun, sub: 'busy' });
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++)
      statuses.push((await request(t.server).get(`/v1/kommuner/${kommun}/records`).set(auth)).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
    const last = await request(t.server).get(`/v1/kommuner/${kommun}/records`).set(auth);
    expectProblem(last, 429, 'rate-limited', 'AUTH.RATE_LIMITED');
    expect(Number(last.headers['retry-after'])).toBeGreaterThan(0);
    const someoneElse = await authAs(t, { role: 'registrar', kommun, sub: 'calm' });
    expect((await request(t.server).get(`/v1/kommuner/${kommun}/records`).set(someoneElse)).status).toBe(200);
  });

  it('answers 429 past a platform client’s limit, counts clients apart, and audits the refusal', async () => {
    const busy = await authAs(t, { role: 'platform', kommun, platformId: randomUUID() });
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++)
      statuses.push((await request(t.server).get(`/v1/kommuner/${kommun}/records`).set(busy)).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
    const last = await request(t.server).get(`/v1/kommuner/${kommun}/records`).set(busy);
    expectProblem(last, 429, 'rate-limited', 'AUTH.RATE_LIMITED');
    const denied = await t.app.get(AuditService).list(kommun, { outcome: 'denied', limit: 50 });
    expect(denied.data.find((e) => e.requestId === last.headers['x-request-id'])).toMatchObject({
      actor: { kind: 'platform' },
      detail: { code: 'AUTH.RATE_LIMITED' },
    });
    const calm = await authAs(t, { role: 'platform', kommun, platformId: randomUUID() });
    expect((await request(t.server).get(`/v1/kommuner/${kommun}/records`).set(calm)).status).toBe(200);
  });

  it('limits the routes anyone may call per address', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await request(t.server).get('/.well-known/jwks.json')).status);
    expect(statuses.slice(-1)).toEqual([429]);
  });

  it('lets the configured origin call from a browser, and no other', async () => {
    const ok = await request(t.server)
      .options(`/v1/kommuner/${kommun}/records`)
      .set('origin', 'https://app.kommun.example')
      .set('access-control-request-method', 'GET');
    expect(ok.headers['access-control-allow-origin']).toBe('https://app.kommun.example');
    const other = await request(t.server)
      .options(`/v1/kommuner/${kommun}/records`)
      .set('origin', 'https://evil.example')
      .set('access-control-request-method', 'GET');
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
  });
});
