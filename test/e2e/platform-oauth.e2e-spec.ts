import { randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import request, { type Response } from 'supertest';
import { AuditService } from '../../src/audit/audit.service';
import { as, authAs } from '../helpers/auth';
import { expectContract } from '../helpers/contract';
import { createKommun, createTestApp, TestApp } from '../helpers/create-test-app';
import { expectProblem } from '../helpers/problem';
import { sampleRecord } from '../helpers/sample-record';

const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

/** RFC 6749 §5.2 members and our problem+json, together. */
function expectOAuthError(res: Response, status: number, error: string): void {
  expect(res.status).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(res.body).toMatchObject({
    error,
    error_description: expect.any(String),
    status,
    code: `OAUTH.${error.toUpperCase()}`,
  });
  expectContract(res, 'POST', '/oauth/token');
}

describe('platforms sign in with OAuth 2.0 client credentials and private_key_jwt (RFC 7523)', () => {
  let t: TestApp;
  let kommun: string;
  let other: string;
  let platformId: string;
  let clientId: string;
  let key: { privateKey: CryptoKey; jwk: JWK };
  let tokenEndpoint: string;

  const assertion = (
    claims: Record<string, unknown> = {},
    header: Record<string, unknown> = {},
    signWith = key.privateKey,
  ) =>
    new SignJWT({ jti: randomUUID(), ...claims })
      .setProtectedHeader({ alg: 'ES256', kid: key.jwk.kid, ...header })
      .setIssuer((claims.iss as string) ?? clientId)
      .setSubject((claims.sub as string) ?? clientId)
      .setAudience((claims.aud as string) ?? tokenEndpoint)
      .setIssuedAt()
      .setExpirationTime((claims.exp as number) ?? '2m')
      .sign(signWith);

  const tokenRequest = (fields: Record<string, string>) =>
    request(t.server).post('/oauth/token').type('form').send(new URLSearchParams(fields).toString());

  const grant = async (a: string, scope?: string) =>
    tokenRequest({
      grant_type: 'client_credentials',
      client_assertion_type: ASSERTION_TYPE,
      client_assertion: a,
      ...(scope !== undefined ? { scope } : {}),
    });

  beforeAll(async () => {
    t = await createTestApp();
    kommun = await createKommun(t, 'Plattformskommun');
    other = await createKommun(t, 'Annan kommun');
    const admin = await as(t, { role: 'admin', kommun });
    const platform = await admin
      .post(`/v1/kommuner/${kommun}/platforms`)
      .send({ name: 'vklass', vendor: 'Vklass AB', product: 'Vklass', adapter: 'ss12000' });
    expect(platform.status).toBe(201);
    platformId = platform.body.id;
    const pair = await generateKeyPair('ES256');
    key = {
      privateKey: pair.privateKey,
      jwk: { ...(await exportJWK(pair.publicKey)), kid: 'vklass-1', alg: 'ES256', use: 'sig' },
    };
    const client = await admin.put(`/v1/kommuner/${kommun}/platforms/${platformId}/client`).send({
      jwks: { keys: [key.jwk] },
      scopes: ['records:read', 'records:write', 'changes:read', 'sections:enrolments'],
    });
    expectContract(client, 'PUT', `/v1/kommuner/${kommun}/platforms/${platformId}/client`);
    expect(client.status).toBe(200);
    clientId = client.body.clientId;
    tokenEndpoint = client.body.tokenEndpoint;
    expect(clientId).toBe(`${kommun}:${platformId}`);
    // Some records of the kommun, written by a registrar: one from this platform, one from another.
    const registrar = await as(t, { role: 'registrar', kommun });
    for (const [platform, id] of [
      ['vklass', 'elev-1'],
      ['unikum', 'elev-2'],
    ]) {
      const res = await registrar
        .post(`/v1/kommuner/${kommun}/records`)
        .send({ ...sampleRecord(id), source: { platform, id } });
      expect(res.status).toBe(201);
    }
  });
  afterAll(() => t?.close());

  it('issues a short-lived at+jwt for a signed assertion, and it opens what the scopes grant', async () => {
    const res = await grant(await assertion());
    expectContract(res, 'POST', '/oauth/token');
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.body).toEqual({
      access_token: expect.any(String),
      token_type: 'Bearer',
      expires_in: 300,
      scope: 'records:read records:write changes:read sections:enrolments',
    });
    const [header] = res.body.access_token.split('.');
    expect(JSON.parse(Buffer.from(header, 'base64url').toString())).toMatchObject({
      typ: 'at+jwt',
      alg: 'EdDSA',
    });
    const auth = { authorization: `Bearer ${res.body.access_token}` };
    const list = await request(t.server).get(`/v1/kommuner/${kommun}/records`).set(auth);
    expect(list.status).toBe(200);
    expect(list.body.data).toHaveLength(2);
    // Sections not granted are not there: no civic numbers, no guardians, no grades; enrolments are.
    for (const { record } of list.body.data) {
      expect(record.pupil.civicNo).toBeUndefined();
      expect(record.guardians).toBeUndefined();
      expect(record.grades).toBeUndefined();
      expect(record.enrolments).toHaveLength(1);
    }
    const one = await request(t.server)
      .get(`/v1/kommuner/${kommun}/records/${list.body.data[0].id}`)
      .set(auth);
    expect(one.status).toBe(200);
    expect(one.body.record.pupil.civicNo).toBeUndefined();
    // Not granted: key management, another kommun.
    expectProblem(
      await request(t.server).get(`/v1/kommuner/${kommun}/keys`).set(auth),
      403,
      'forbidden',
      'AUTH.FORBIDDEN',
    );
    expectProblem(
      await request(t.server).get(`/v1/kommuner/${other}/records`).set(auth),
      403,
      'forbidden',
      'AUTH.FORBIDDEN',
    );
  });

  it('lets a platform write only its own records, and only the sections it was granted', async () => {
    const token = (await grant(await assertion())).body.access_token as string;
    const auth = { authorization: `Bearer ${token}` };
    const base = sampleRecord('elev-9');
    const own = {
      schemaVersion: base.schemaVersion,
      source: { platform: 'vklass', id: 'elev-9' },
      pupil: { ...base.pupil, civicNo: undefined },
      enrolments: base.enrolments,
    };
    const created = await request(t.server).post(`/v1/kommuner/${kommun}/records`).set(auth).send(own);
    expect(created.status).toBe(201);
    const foreign = await request(t.server)
      .post(`/v1/kommuner/${kommun}/records`)
      .set(auth)
      .send({ ...own, source: { platform: 'unikum', id: 'elev-2' } });
    expectProblem(foreign, 403, 'forbidden', 'RECORD.FOREIGN_SOURCE', {
      errors: [{ pointer: '/source/platform', detail: 'must be "vklass"' }],
    });
    const withGrades = await request(t.server)
      .post(`/v1/kommuner/${kommun}/records`)
      .set(auth)
      .send({ ...own, grades: base.grades, pupil: base.pupil });
    expectProblem(withGrades, 403, 'forbidden', 'RECORD.SECTION_NOT_GRANTED', {
      errors: [
        { pointer: '/grades', detail: 'The scope sections:grades is not granted to you.' },
        { pointer: '/pupil/civicNo', detail: 'The scope sections:civicNo is not granted to you.' },
      ],
    });
  });

  it('narrows the token to the scopes asked for, and refuses scopes not granted', async () => {
    const narrow = await grant(await assertion(), 'records:read');
    expect(narrow.body.scope).toBe('records:read');
    const write = await request(t.server)
      .post(`/v1/kommuner/${kommun}/records`)
      .set({ authorization: `Bearer ${narrow.body.access_token}` })
      .send(sampleRecord('x'));
    expectProblem(write, 403, 'forbidden', 'AUTH.FORBIDDEN');
    expectOAuthError(await grant(await assertion(), 'records:read keys:manage'), 400, 'invalid_scope');
  });

  /** The kommun's audit entry of one token request, found by its request id. */
  const signInEntry = async (res: { headers: Record<string, string> }, chain = kommun) =>
    (await t.app.get(AuditService).list(chain, { action: 'auth:token', limit: 200 })).data.find(
      (e) => e.requestId === res.headers['x-request-id'],
    );

  it('accepts each client assertion once (RFC 7523 §3: jti), and audits both sign-ins', async () => {
    const a = await assertion();
    const first = await grant(a);
    expect(first.status).toBe(200);
    const replayed = await grant(a);
    expectOAuthError(replayed, 401, 'invalid_client');
    expect(await signInEntry(first)).toMatchObject({
      actor: { kind: 'platform', subject: clientId },
      outcome: 'succeeded',
      detail: { clientId, scope: 'records:read records:write changes:read sections:enrolments' },
    });
    expect(await signInEntry(replayed)).toMatchObject({
      actor: { kind: 'anonymous' },
      outcome: 'denied',
      detail: { clientId, code: 'OAUTH.INVALID_CLIENT' },
    });
  });

  it.each([
    ['an expired assertion', async () => assertion({ exp: Math.floor(Date.now() / 1000) - 120 })],
    ['an assertion for another audience', async () => assertion({ aud: 'https://elsewhere.example/token' })],
    ['an assertion whose sub is not the client', async () => assertion({ sub: `${kommun}:${randomUUID()}` })],
    ['an assertion valid for too long', async () => assertion({ exp: Math.floor(Date.now() / 1000) + 3600 })],
    [
      'an assertion by an unknown client',
      async () => assertion({ iss: `${kommun}:${randomUUID()}`, sub: `${kommun}:${randomUUID()}` }),
    ],
    [
      'an assertion signed by a key the client never registered',
      async () => assertion({}, {}, (await generateKeyPair('ES256')).privateKey),
    ],
    ['an assertion typed as another kind of token', async () => assertion({}, { typ: 'at+jwt' })],
    [
      'an unsigned assertion (alg none)',
      () => {
        const body = Buffer.from(
          JSON.stringify({
            iss: clientId,
            sub: clientId,
            aud: tokenEndpoint,
            jti: randomUUID(),
            exp: Math.floor(Date.now() / 1000) + 60,
          }),
        ).toString('base64url');
        return Promise.resolve(`${Buffer.from('{"alg":"none"}').toString('base64url')}.${body}.`);
      },
    ],
    [
      'an HS256 assertion keyed with the public key',
      async () =>
        new SignJWT({ jti: randomUUID() })
          .setProtectedHeader({ alg: 'HS256', kid: key.jwk.kid })
          .setIssuer(clientId)
          .setSubject(clientId)
          .setAudience(tokenEndpoint)
          .setExpirationTime('1m')
          .sign(new TextEncoder().encode(JSON.stringify(key.jwk))),
    ],
    ['a malformed assertion', () => Promise.resolve('not.a.jwt')],
  ])('refuses %s (invalid_client), and audits the failed sign-in', async (_name, make) => {
    const res = await grant(await make());
    expectOAuthError(res, 401, 'invalid_client');
    // In the chain of the kommun the client id names; one that names none joins the installation's.
    const entry = (await signInEntry(res)) ?? (await signInEntry(res, '0000'));
    expect(entry).toMatchObject({ outcome: 'denied', detail: { code: 'OAUTH.INVALID_CLIENT' } });
  });

  it('caps the token request body as every other (BODY_LIMIT: 413)', async () => {
    const res = await tokenRequest({
      grant_type: 'client_credentials',
      client_assertion_type: ASSERTION_TYPE,
      client_assertion: 'x'.repeat(t.config.BODY_LIMIT + 1),
    });
    expectProblem(res, 413, 'payload-too-large', 'HTTP.PAYLOAD_TOO_LARGE');
  });

  it('refuses other grant types, missing assertions, and JSON where a form is due', async () => {
    expectOAuthError(
      await tokenRequest({ grant_type: 'password', username: 'u', password: 'p' }),
      400,
      'unsupported_grant_type',
    );
    expectOAuthError(await tokenRequest({ grant_type: 'client_credentials' }), 400, 'invalid_request');
    const json = await request(t.server).post('/oauth/token').send({ grant_type: 'client_credentials' });
    expect(json.status).toBe(400); // a JSON body is read, and its assertion is missing
    const form = await request(t.server)
      .post(`/v1/kommuner/${kommun}/records`)
      .set(await authAs(t, { role: 'registrar', kommun }))
      .type('form')
      .send('a=b');
    expectProblem(form, 415, 'unsupported-media-type', 'HTTP.UNSUPPORTED_MEDIA_TYPE');
  });

  it('checks the keys an administrator registers, and only an administrator may', async () => {
    const admin = await as(t, { role: 'admin', kommun });
    const path = `/v1/kommuner/${kommun}/platforms/${platformId}/client`;
    const withPrivate = await admin
      .put(path)
      .send({ jwks: { keys: [{ ...key.jwk, d: 'secret' }] }, scopes: [] });
    expectProblem(withPrivate, 422, 'invalid-client-keys', 'PLATFORM_CLIENT.KEYS', {
      errors: [{ pointer: '/jwks/keys/0/d', detail: 'a private key part must never be sent' }],
    });
    const hmac = await admin.put(path).send({ jwks: { keys: [{ kty: 'oct', k: 'c2VjcmV0' }] }, scopes: [] });
    expect(hmac.status).toBe(422);
    const badScope = await admin.put(path).send({ jwks: { keys: [key.jwk] }, scopes: ['keys:manage'] });
    expect(badScope.status).toBe(400);
    const registrar = await as(t, { role: 'registrar', kommun });
    expectProblem(
      await registrar.put(path).send({ jwks: { keys: [key.jwk] }, scopes: [] }),
      403,
      'forbidden',
      'AUTH.FORBIDDEN',
    );
    const read = await registrar.get(path);
    expectContract(read, 'GET', path);
    expect(read.body.scopes).toContain('records:read');
  });

  it('stops issuing tokens when the client is removed', async () => {
    const admin = await as(t, { role: 'admin', kommun });
    const second = await admin
      .post(`/v1/kommuner/${kommun}/platforms`)
      .send({ name: 'unikum', vendor: 'Unikum', product: 'Unikum', adapter: 'ss12000' });
    const path = `/v1/kommuner/${kommun}/platforms/${second.body.id}/client`;
    expect((await admin.put(path).send({ jwks: { keys: [key.jwk] }, scopes: ['records:read'] })).status).toBe(
      200,
    );
    const id = `${kommun}:${second.body.id}`;
    expect((await grant(await assertion({ iss: id, sub: id }))).status).toBe(200);
    expect((await admin.delete(path)).status).toBe(204);
    expectOAuthError(await grant(await assertion({ iss: id, sub: id })), 401, 'invalid_client');
    expectProblem(await admin.get(path), 404, 'platform-client-not-found', 'PLATFORM_CLIENT.NOT_FOUND');
  });

  it('revokes the tokens already issued, at once, when the client or the platform is removed, and narrows them with the grant', async () => {
    const admin = await as(t, { role: 'admin', kommun });
    const platform = await admin
      .post(`/v1/kommuner/${kommun}/platforms`)
      .send({ name: 'infomentor', vendor: 'InfoMentor', product: 'InfoMentor', adapter: 'ss12000' });
    const clientPath = `/v1/kommuner/${kommun}/platforms/${platform.body.id}/client`;
    const id = `${kommun}:${platform.body.id}`;
    const register = (scopes: string[]) => admin.put(clientPath).send({ jwks: { keys: [key.jwk] }, scopes });
    const tokenOf = async () =>
      (await grant(await assertion({ iss: id, sub: id }))).body.access_token as string;
    const records = (token: string) =>
      request(t.server).get(`/v1/kommuner/${kommun}/records`).set('authorization', `Bearer ${token}`);
    const changes = (token: string) =>
      request(t.server).get(`/v1/kommuner/${kommun}/changes`).set('authorization', `Bearer ${token}`);

    expect((await register(['records:read', 'changes:read'])).status).toBe(200);
    let token = await tokenOf();
    expect((await records(token)).status).toBe(200);
    expect((await changes(token)).status).toBe(200);
    // A grant narrowed: the token issued before it no longer carries what was taken away.
    expect((await register(['records:read'])).status).toBe(200);
    expect((await records(token)).status).toBe(200);
    expect((await changes(token)).status).toBe(403);
    // The client removed: its tokens stop working on the next request.
    expect((await admin.delete(clientPath)).status).toBe(204);
    expectProblem(await records(token), 401, 'unauthenticated', 'AUTH.TOKEN_REVOKED');
    // The platform removed (its client goes with it): likewise.
    expect((await register(['records:read'])).status).toBe(200);
    token = await tokenOf();
    expect((await records(token)).status).toBe(200);
    expect((await admin.delete(`/v1/kommuner/${kommun}/platforms/${platform.body.id}`)).status).toBe(204);
    expectProblem(await records(token), 401, 'unauthenticated', 'AUTH.TOKEN_REVOKED');
  });
});
