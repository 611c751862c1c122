import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { AddressInfo } from 'node:net';
import {
  calculateJwkThumbprint,
  CompactEncrypt,
  compactVerify,
  createLocalJWKSet,
  createRemoteJWKSet,
  decodeProtectedHeader,
  importJWK,
  jwtVerify,
  type JWK,
} from 'jose';
import { PinoLogger } from 'nestjs-pino';
import { symbols } from 'pino';
import request, { type Response } from 'supertest';
import { DataSource } from 'typeorm';
import { KeyEnvelope } from '../../src/keys/key-envelope';
import { KeysService } from '../../src/keys/keys.service';
import { authAs } from '../helpers/auth';
import { expectContract } from '../helpers/contract';
import { createKommun, createTestApp, TestApp } from '../helpers/create-test-app';
import { expectProblem } from '../helpers/problem';

const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi'];

/** Every log line the application writes from now on (at trace level), instead of to stdout. */
function captureLogs(): string[] {
  const lines: string[] = [];
  const root = PinoLogger.root;
  root.level = 'trace';
  const stream = (root as unknown as Record<symbol, { write(line: string): boolean }>)[symbols.streamSym];
  stream.write = (line: string) => lines.push(line) > 0;
  return lines;
}

/** The key a test app made for itself in DATA_DIR (every app on a server database shares ./data's). */
const masterKeyOf = (t: TestApp): string =>
  readFileSync(join(resolve(t.config.DATA_DIR), 'master.key'), 'utf8').trim();

// The default master key (the file), not one of the test's own: keys this file makes for other test
// files' kommuner on a shared server database (the all-kommuner JWKS does) must open for them too.
describe('kommun keys: JWKS, signing, rotation, revocation, encryption at rest', () => {
  let t: TestApp;
  let keys: KeysService;
  let origin: string;
  let a: string;
  let b: string;
  let logs: string[];
  let adminA: Record<string, string>;
  const responses: string[] = [];

  const record = (res: Response): Response => {
    responses.push(res.text ?? '');
    return res;
  };
  // The JWKS are public; the keys' management routes are called as the kommun's administrator.
  const get = async (path: string, headers: Record<string, string> = {}) =>
    record(await request(t.server).get(path).set(headers));
  const post = async (path: string, body: object) =>
    record(await request(t.server).post(path).set(adminA).send(body));

  const jwksPath = (k: string) => `/kommuner/${k}/.well-known/jwks.json`;
  /** The kid's URL, on the port the test server really listens on (PUBLIC_BASE_URL names port 0). */
  const dereference = (kid: string) => new URL(kid.split('#')[0].replace(t.config.PUBLIC_BASE_URL, origin));
  const remoteJwks = (k: string) => createRemoteJWKSet(new URL(`${origin}${jwksPath(k)}`));

  beforeAll(async () => {
    t = await createTestApp();
    logs = captureLogs();
    await t.app.listen(0, '127.0.0.1');
    origin = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
    keys = t.app.get(KeysService);
    a = await createKommun(t, 'Nyckelkommun A');
    b = await createKommun(t, 'Nyckelkommun B');
    adminA = await authAs(t, { role: 'admin', kommun: a });
  });
  afterAll(() => t?.close());

  it('publishes a kommun’s keys after first use, each with a dereferencing kid, use and alg', async () => {
    const signer = keys.signer(a);
    const jwt = await signer.signJwt({ sub: 'first-use' }, { typ: 'test+jwt' });
    const res = await get(jwksPath(a));
    expectContract(res, 'GET', jwksPath(a));
    expect(res.headers['content-type']).toMatch(/^application\/jwk-set\+json/);
    expect(res.headers['cache-control']).toBe('public, max-age=300');
    expect(res.body.keys).toEqual([
      {
        kty: 'OKP',
        crv: 'Ed25519',
        x: expect.any(String),
        kid: expect.any(String),
        use: 'sig',
        alg: 'EdDSA',
      },
      {
        kty: 'OKP',
        crv: 'X25519',
        x: expect.any(String),
        kid: expect.any(String),
        use: 'enc',
        alg: 'ECDH-ES',
      },
    ]);
    for (const jwk of res.body.keys as JWK[]) {
      const thumbprint = await calculateJwkThumbprint({ kty: jwk.kty, crv: jwk.crv, x: jwk.x });
      expect(jwk.kid).toBe(`${t.config.PUBLIC_BASE_URL}/kommuner/${a}/.well-known/jwks.json#${thumbprint}`);
    }
    const kid = decodeProtectedHeader(jwt).kid!;
    expect(kid).toBe(res.body.keys[0].kid);
    expect(kid).toBe(await signer.keyId());
    expect(signer.issuer).toBe(`${t.config.PUBLIC_BASE_URL}/kommuner/${a}`);
    expect((await get(jwksPath(a))).body).toEqual(res.body);
  });

  it('makes exactly one key of each kind when many first uses race', async () => {
    const c = await createKommun(t, 'Nyckelkommun C');
    await Promise.all([
      ...Array.from({ length: 5 }, () => keys.ensureKeys(c)),
      ...Array.from({ length: 5 }, () => keys.signJwt(c, {}, { typ: 'race+jwt', alg: 'RS256' })),
      ...Array.from({ length: 5 }, () => get(jwksPath(c))),
    ]);
    const list = await get(`/v1/kommuner/${c}/keys`, await authAs(t, { role: 'admin', kommun: c }));
    expectContract(list, 'GET', `/v1/kommuner/${c}/keys`);
    expect(list.body.data.map((k: { use: string; alg: string }) => `${k.use}/${k.alg}`).sort()).toEqual([
      'enc/ECDH-ES',
      'sig/EdDSA',
      'sig/RS256',
    ]);
  });

  it.each(['EdDSA', 'RS256'] as const)(
    'a %s JWT signed by signer(k) verifies against the kommun’s JWKS fetched over HTTP',
    async (alg) => {
      const signer = keys.signer(a);
      const jwt = await signer.signJwt(
        { iss: signer.issuer, sub: 'pupil-1', jti: `urn:uuid:${alg}` },
        { typ: 'vc+jwt', alg },
      );
      const header = decodeProtectedHeader(jwt);
      expect(header).toEqual({ alg, typ: 'vc+jwt', kid: await signer.keyId(alg) });
      expect(dereference(header.kid!).pathname).toBe(jwksPath(a));
      const { payload, protectedHeader } = await jwtVerify(
        jwt,
        createRemoteJWKSet(dereference(header.kid!)),
        {
          typ: 'vc+jwt',
          algorithms: [alg],
          issuer: signer.issuer,
        },
      );
      expect(payload.sub).toBe('pupil-1');
      expect(protectedHeader.kid).toBe(header.kid);
    },
  );

  it('signs a JWS over any payload with an explicit typ and content type', async () => {
    const jws = await keys.signJws(a, '{"manifest":true}', { typ: 'checkpoint+jws', cty: 'json' });
    const jwks = createLocalJWKSet(await keys.publicJwks(a));
    const { payload, protectedHeader } = await compactVerify(jws, jwks, { algorithms: ['EdDSA'] });
    expect(new TextDecoder().decode(payload)).toBe('{"manifest":true}');
    expect(protectedHeader).toMatchObject({ typ: 'checkpoint+jws', cty: 'json' });
    await expect(keys.signJwt(a, {}, { typ: '' })).rejects.toThrow('explicit typ');
  });

  it('rotation makes a new key active and keeps the old one verifying; revocation removes it', async () => {
    const oldJwt = await keys.signJwt(a, { sub: 'before' }, { typ: 'test+jwt' });
    const oldKid = decodeProtectedHeader(oldJwt).kid!;

    const rotated = await post(`/v1/kommuner/${a}/keys/rotate`, { use: 'sig' });
    expectContract(rotated, 'POST', `/v1/kommuner/${a}/keys/rotate`);
    expect(rotated.status).toBe(201);
    expect(rotated.body.active).toMatchObject({
      use: 'sig',
      alg: 'EdDSA',
      status: 'active',
      published: true,
    });
    expect(rotated.body.active.kid).not.toBe(oldKid);
    expect(rotated.body.retired).toEqual([
      expect.objectContaining({ kid: oldKid, status: 'retired', published: true, revokedAt: null }),
    ]);
    const graceDays = (Date.parse(rotated.body.retired[0].verifyUntil) - Date.now()) / 86_400_000;
    expect(graceDays).toBeGreaterThan(29.9);
    expect(graceDays).toBeLessThanOrEqual(30);

    const newJwt = await keys.signJwt(a, { sub: 'after' }, { typ: 'test+jwt' });
    expect(decodeProtectedHeader(newJwt).kid).toBe(rotated.body.active.kid);
    for (const jwt of [oldJwt, newJwt]) {
      await expect(jwtVerify(jwt, remoteJwks(a), { typ: 'test+jwt' })).resolves.toBeDefined();
    }

    const thumbprint = rotated.body.retired[0].thumbprint;
    const revoked = await post(`/v1/kommuner/${a}/keys/${thumbprint}/revoke`, { reason: 'key file leaked' });
    expectContract(revoked, 'POST', `/v1/kommuner/${a}/keys/${thumbprint}/revoke`);
    expect(revoked.body).toMatchObject({
      kid: oldKid,
      status: 'revoked',
      published: false,
      revocationReason: 'key file leaked',
    });
    const jwks = await get(jwksPath(a));
    expect(jwks.body.keys.map((k: JWK) => k.kid)).not.toContain(oldKid);
    await expect(jwtVerify(oldJwt, remoteJwks(a), { typ: 'test+jwt' })).rejects.toMatchObject({
      code: 'ERR_JWKS_NO_MATCHING_KEY',
    });
    await expect(jwtVerify(newJwt, remoteJwks(a), { typ: 'test+jwt' })).resolves.toBeDefined();

    // Revoking again changes nothing, the first reason included; the whole kid URL names it too.
    const again = await post(`/v1/kommuner/${a}/keys/${encodeURIComponent(oldKid)}/revoke`, {
      reason: 'other',
    });
    expect(again.status).toBe(200);
    expect(again.body).toEqual(revoked.body);
  });

  it('replaces a revoked active key on next use, and a zero grace period drops the old key at once', async () => {
    const before = decodeProtectedHeader(await keys.signJwt(a, {}, { typ: 'test+jwt' })).kid!;
    await post(`/v1/kommuner/${a}/keys/${encodeURIComponent(before)}/revoke`, { reason: 'compromised' });
    const after = decodeProtectedHeader(await keys.signJwt(a, {}, { typ: 'test+jwt' })).kid!;
    expect(after).not.toBe(before);

    const rotated = await post(`/v1/kommuner/${a}/keys/rotate`, { use: 'sig', gracePeriodDays: 0 });
    expect(rotated.body.retired).toEqual([expect.objectContaining({ kid: after, published: false })]);
    const kids = (await get(jwksPath(a))).body.keys.map((k: JWK) => k.kid);
    expect(kids).toContain(rotated.body.active.kid);
    expect(kids).not.toContain(after);
  });

  it('adds keys of other kinds through rotation: ES256, and encryption on P-256', async () => {
    const es = await post(`/v1/kommuner/${a}/keys/rotate`, { use: 'sig', alg: 'ES256' });
    expect(es.body).toMatchObject({ active: { alg: 'ES256', kty: 'EC', crv: 'P-256' }, retired: [] });
    const p256 = await post(`/v1/kommuner/${a}/keys/rotate`, { use: 'enc', crv: 'P-256' });
    expect(p256.body).toMatchObject({ active: { alg: 'ECDH-ES', kty: 'EC', crv: 'P-256' }, retired: [] });
    const jwt = await keys.signJwt(a, {}, { typ: 'test+jwt', alg: 'ES256' });
    expect(decodeProtectedHeader(jwt).kid).toBe(es.body.active.kid);
    await expect(jwtVerify(jwt, remoteJwks(a), { algorithms: ['ES256'] })).resolves.toBeDefined();
  });

  it('decrypts a JWE sent to the kommun’s published key, while it is published and not revoked', async () => {
    const encJwk = (await get(jwksPath(a))).body.keys.find((k: JWK) => k.use === 'enc' && k.crv === 'X25519');
    const encrypt = async (header: Record<string, unknown>, text = 'paket') =>
      new CompactEncrypt(new TextEncoder().encode(text))
        .setProtectedHeader({ alg: 'ECDH-ES', enc: 'A256GCM', ...header })
        .encrypt(await importJWK(encJwk, 'ECDH-ES'));

    const withKid = await encrypt({ kid: encJwk.kid });
    const opened = await keys.decrypt(a, withKid);
    expect(new TextDecoder().decode(opened.plaintext)).toBe('paket');
    expect(opened.kid).toBe(encJwk.kid);
    expect(new TextDecoder().decode((await keys.decrypt(a, await encrypt({}, 'utan kid'))).plaintext)).toBe(
      'utan kid',
    );

    const parts = withKid.split('.');
    parts[3] = `${parts[3].slice(0, -2)}${parts[3].endsWith('AA') ? 'BA' : 'AA'}`;
    await expect(keys.decrypt(a, parts.join('.'))).rejects.toMatchObject({ code: 'KEYS.JWE_DECRYPT_FAILED' });
    await expect(keys.decrypt(a, 'not.a.jwe')).rejects.toMatchObject({ code: 'KEYS.JWE_MALFORMED' });
    await expect(keys.decrypt(b, withKid)).rejects.toMatchObject({ code: 'KEYS.JWE_UNKNOWN_KEY' });
    const dir = `${Buffer.from(JSON.stringify({ alg: 'dir', enc: 'A256GCM' })).toString('base64url')}..AA.AA.AA`;
    await expect(keys.decrypt(a, dir)).rejects.toMatchObject({
      code: 'KEYS.JWE_ALG_NOT_ALLOWED',
      problem: { status: 422 },
    });

    // Rotated: the old key still opens what was sent to it during the grace period; revoked, nothing.
    await post(`/v1/kommuner/${a}/keys/rotate`, { use: 'enc' });
    expect(new TextDecoder().decode((await keys.decrypt(a, withKid)).plaintext)).toBe('paket');
    await post(`/v1/kommuner/${a}/keys/${encodeURIComponent(encJwk.kid)}/revoke`, { reason: 'rotated out' });
    await expect(keys.decrypt(a, withKid)).rejects.toMatchObject({ code: 'KEYS.JWE_KEY_REVOKED' });
  });

  it('lists every key with its state, and only public parts', async () => {
    const res = await get(`/v1/kommuner/${a}/keys`, await authAs(t, { role: 'dpo', kommun: a }));
    expectContract(res, 'GET', `/v1/kommuner/${a}/keys`);
    const statuses = res.body.data.map((k: { status: string }) => k.status);
    expect(statuses).toEqual(expect.arrayContaining(['active', 'retired', 'revoked']));
    for (const key of res.body.data) {
      for (const m of PRIVATE_MEMBERS) expect(key.publicJwk).not.toHaveProperty(m);
    }
    expect(res.text).not.toMatch(/private|pk1\./i);
  });

  it('serves one JWKS of every hosted kommun, making keys for a kommun that had none', async () => {
    const res = await get('/.well-known/jwks.json');
    expectContract(res, 'GET', '/.well-known/jwks.json');
    expect(res.headers['cache-control']).toBe('public, max-age=300');
    const kids: string[] = res.body.keys.map((k: JWK) => k.kid);
    const ofA = (await get(jwksPath(a))).body.keys.map((k: JWK) => k.kid);
    expect(kids).toEqual(expect.arrayContaining(ofA));
    expect(kids.filter((k) => k.includes(`/kommuner/${a}/`)).sort()).toEqual([...ofA].sort());
    expect(kids.filter((k) => k.includes(`/kommuner/${b}/`))).toHaveLength(2);
  });

  it('answers bad requests and unknown kommuner and keys with problems', async () => {
    const unknown = await get(jwksPath('0000'));
    expectContract(unknown, 'GET', jwksPath('0000'));
    expectProblem(unknown, 404, 'kommun-not-found', 'KOMMUN.NOT_FOUND');
    expectProblem(
      await get('/kommuner/19x0/.well-known/jwks.json'),
      400,
      'validation-failed',
      'REQUEST.INVALID',
      {
        errors: [{ parameter: 'kommunCode', detail: expect.any(String) }],
      },
    );
    expectProblem(
      await get('/v1/kommuner/0000/keys', await authAs(t, { role: 'admin', kommun: '0000' })),
      404,
      'kommun-not-found',
      'KOMMUN.NOT_FOUND',
    );

    const rotate = `/v1/kommuner/${a}/keys/rotate`;
    const badCrv = await post(rotate, { use: 'sig', crv: 'X25519' });
    expectContract(badCrv, 'POST', rotate);
    expectProblem(badCrv, 400, 'validation-failed', 'REQUEST.INVALID', {
      errors: [{ pointer: '/crv', detail: expect.any(String) }],
    });
    expectProblem(
      await post(rotate, { use: 'enc', alg: 'EdDSA' }),
      400,
      'validation-failed',
      'REQUEST.INVALID',
      {
        errors: [{ pointer: '/alg', detail: expect.any(String) }],
      },
    );
    expectProblem(await post(rotate, { use: 'both' }), 400, 'validation-failed', 'REQUEST.INVALID', {
      errors: [{ pointer: '/use', detail: expect.any(String) }],
    });
    expectProblem(
      await post(rotate, { use: 'sig', private: true }),
      400,
      'validation-failed',
      'REQUEST.INVALID',
      {
        errors: [{ pointer: '/private', detail: expect.any(String) }],
      },
    );

    const missing = `/v1/kommuner/${a}/keys/${'A'.repeat(43)}/revoke`;
    const notFound = await post(missing, { reason: 'x' });
    expectContract(notFound, 'POST', missing);
    expectProblem(notFound, 404, 'key-not-found', 'KEYS.NOT_FOUND');
    expectProblem(
      await post(`/v1/kommuner/${a}/keys/short/revoke`, { reason: 'x' }),
      400,
      'validation-failed',
      'REQUEST.INVALID',
      {
        errors: [{ parameter: 'kid', detail: expect.any(String) }],
      },
    );
    expectProblem(await post(missing, {}), 400, 'validation-failed', 'REQUEST.INVALID', {
      errors: [{ pointer: '/reason', detail: expect.any(String) }],
    });
  });

  describe('row-level security (raw SQL as the application role)', () => {
    const asApp = <T>(kommun: string | null, text: string, params: unknown[] = []): Promise<T> =>
      t.app.get(DataSource).transaction(async (em) => {
        await em.query(`SELECT set_config('role', 'portabel_app', true)`);
        if (kommun) await em.query(`SELECT set_config('app.kommun', $1, true)`, [kommun]);
        return em.query(text, params);
      });

    it('lets kommun B read none of kommun A’s keys, and no one read keys without a kommun', async () => {
      const mine = await asApp<Array<{ n: number }>>(a, `SELECT count(*)::int AS n FROM kommun_keys`);
      expect(mine[0].n).toBeGreaterThan(0);
      const seenByB = await asApp<Array<{ kommun_code: string }>>(b, `SELECT kommun_code FROM kommun_keys`);
      expect(seenByB.length).toBeGreaterThan(0);
      expect(seenByB.filter((r) => r.kommun_code === a)).toEqual([]);
      const unscoped = await asApp<Array<{ n: number }>>(null, `SELECT count(*)::int AS n FROM kommun_keys`);
      expect(unscoped[0].n).toBe(0);
    });

    it('gives every kommun the public parts of all keys through kommun_public_keys(), and nothing more', async () => {
      const rows = await asApp<Array<Record<string, unknown>>>(b, `SELECT * FROM kommun_public_keys()`);
      expect(rows.some((r) => r.kommun_code === a)).toBe(true);
      expect(Object.keys(rows[0]).sort()).toEqual(
        ['alg', 'kid', 'kommun_code', 'master_key_id', 'public_jwk', 'status', 'use', 'verify_until'].sort(),
      );
      expect(JSON.stringify(rows)).not.toMatch(/"d":|pk1\./);
    });

    it('refuses to plant a key in another kommun, to change key material, or to delete a key', async () => {
      const [row] = await asApp<Array<Record<string, unknown>>>(a, `SELECT * FROM kommun_keys LIMIT 1`);
      await expect(
        asApp(
          b,
          `INSERT INTO kommun_keys (kommun_code, kid, use, alg, public_jwk, private_jwk_encrypted, master_key_id)
           VALUES ($1, $2, 'sig', 'EdDSA', $3::jsonb, 'x', 'x')`,
          [a, 'B'.repeat(43), JSON.stringify(row.public_jwk)],
        ),
      ).rejects.toThrow(/row-level security/);
      await expect(asApp(a, `UPDATE kommun_keys SET private_jwk_encrypted = 'x'`)).rejects.toThrow(
        /permission denied/,
      );
      await expect(asApp(a, `UPDATE kommun_keys SET public_jwk = '{}'`)).rejects.toThrow(/permission denied/);
      await expect(asApp(a, `DELETE FROM kommun_keys`)).rejects.toThrow(/permission denied/);
      await expect(
        asApp(
          a,
          `UPDATE kommun_keys SET status = 'active', revoked_at = NULL, revocation_reason = NULL WHERE status = 'revoked'`,
        ),
      ).rejects.toThrow(/cannot go from revoked to active/);
    });

    it('never shows a private part in any response or log line', async () => {
      const masterKey = masterKeyOf(t);
      const envelope = new KeyEnvelope(Buffer.from(masterKey, 'base64'));
      const secrets: string[] = [masterKey];
      for (const k of [a, b]) {
        const rows = await asApp<Array<Record<string, string>>>(k, `SELECT * FROM kommun_keys`);
        for (const r of rows) {
          secrets.push(r.private_jwk_encrypted);
          const context = { kommunCode: k, kid: r.kid, use: r.use, alg: r.alg };
          const jwk = JSON.parse(envelope.open(r.private_jwk_encrypted, context)) as Record<string, string>;
          for (const m of PRIVATE_MEMBERS) if (jwk[m]) secrets.push(jwk[m]);
        }
      }
      expect(secrets.length).toBeGreaterThan(20);
      expect(logs.join('\n')).toMatch(/is active/);
      expect(responses.length).toBeGreaterThan(20);
      const everything = `${responses.join('\n')}\n${logs.join('\n')}`;
      expect(secrets.filter((s) => everything.includes(s))).toEqual([]);
      expect(everything).not.toMatch(/"(d|p|q|dp|dq|qi)":/);
    });
  });
});

describe('kommun keys under a wrong master key', () => {
  const wrong = randomBytes(32).toString('base64');
  const opened: TestApp[] = [];
  afterAll(async () => {
    for (const app of opened.reverse()) await app.close();
  });

  /**
   * Another start of the service on the same database (the embedded one is reopened from its
   * directory; on the server, the database of its own the first start made).
   */
  const restart = async (previous: TestApp, masterKey?: string): Promise<TestApp> => {
    await previous.running.close();
    const next = await createTestApp({
      DATA_DIR: previous.config.DATA_DIR,
      ...(previous.config.DATABASE_URL ? { DATABASE_URL: previous.config.DATABASE_URL } : {}),
      ...(masterKey ? { MASTER_KEY: masterKey } : {}),
    });
    opened.push(next);
    return next;
  };

  it('starts, serves public keys, and refuses to sign with a clear 503 problem until the key is back', async () => {
    // On the server a database of its own: under the wrong key, an instance sharing the test database
    // would take other test files' signing jobs from the shared queue and fail them.
    const first = await createTestApp({}, { ownDatabase: 'masterkey' });
    opened.push(first);
    const k = await createKommun(first, 'Huvudnyckelkommun');
    await first.app.get(KeysService).ensureKeys(k);
    const before = await first.app.get(KeysService).signJwt(k, { sub: 'x' }, { typ: 'test+jwt' });

    const wrongStart = await restart(first, wrong);
    const keys = wrongStart.app.get(KeysService);
    for (let attempt = 0; attempt < 2; attempt++) {
      await expect(keys.signJwt(k, {}, { typ: 'test+jwt' })).rejects.toMatchObject({
        code: 'KEYS.MASTER_KEY_MISMATCH',
        problem: { slug: 'keys-unavailable', status: 503 },
        detail: expect.stringContaining('another master key'),
      });
    }
    const jwks = await request(wrongStart.server).get(`/kommuner/${k}/.well-known/jwks.json`);
    expect(jwks.status).toBe(200);
    expect(decodeProtectedHeader(before).kid).toBe(jwks.body.keys[0].kid);
    expect((await request(wrongStart.server).get('/health/ready')).status).toBe(200);

    const rightAgain = await restart(wrongStart);
    const after = await rightAgain.app.get(KeysService).signJwt(k, { sub: 'y' }, { typ: 'test+jwt' });
    expect(decodeProtectedHeader(after).kid).toBe(decodeProtectedHeader(before).kid);
  });
});
