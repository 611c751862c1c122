import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import request from 'supertest';
import { AuditService } from '../../src/audit/audit.service';
import { categoriesIn } from '../../src/consent/categories';
import type { LearnerRecord } from '../../src/records/learner-record.types';
import { sql } from '../../src/database/sql';
import { TenantDb } from '../../src/database/tenant-db';
import { KeysService } from '../../src/keys/keys.service';
import { TransferPackages } from '../../src/transfers/package/transfer-packages.service';
import { TransferPackageRefused } from '../../src/transfers/package/transfer-package.errors';
import { PeerKeys } from '../../src/trust/peer-keys';
import { TrustRegistry } from '../../src/trust/trust-registry.service';
import { authAs } from '../helpers/auth';
import { expectContract } from '../helpers/contract';
import { createKommun, createTestApp, TestApp } from '../helpers/create-test-app';
import { expectProblem } from '../helpers/problem';
import { sampleRecord } from '../helpers/sample-record';

/** The categories a record holds, each on the legal basis of skollagen's duty to pass records on. */
const declared = (record: LearnerRecord) => ({
  categories: categoriesIn(record),
  legalBasis: Object.fromEntries(categoriesIn(record).map((c) => [c, 'legalObligation' as const])),
});

/** A JWKS endpoint the test can break and mend: a peer's portabel that goes down. */
function flakyJwks(): Promise<{
  url: string;
  set(body: unknown, status?: number): void;
  close(): Promise<void>;
}> {
  let current: { body: unknown; status: number } = { body: { keys: [] }, status: 200 };
  const server: Server = createServer((_req, res) => {
    res.writeHead(current.status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(current.body));
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`,
        set: (body, status = 200) => (current = { body, status }),
        close: () => new Promise((done) => server.close(() => done())),
      }),
    ),
  );
}

describe('trust registry: peers, their keys, signed trust lists; packages sealed and opened with them', () => {
  let t: TestApp;
  let origin: string;
  let a: string;
  let b: string;
  let adminA: Record<string, string>;
  let adminB: Record<string, string>;
  let registrarA: Record<string, string>;
  let operator: { privateKey: CryptoKey; publicJwk: JWK };
  let dir: string;

  const peersPath = (k: string, peer?: string) => `/v1/kommuner/${k}/trust/peers${peer ? `/${peer}` : ''}`;
  const jwksOf = (k: string) => `${origin}/kommuner/${k}/.well-known/jwks.json`;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'portabel-trust-'));
    const pair = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
    operator = {
      privateKey: pair.privateKey,
      publicJwk: { ...(await exportJWK(pair.publicKey)), kid: 'operator-1', use: 'sig', alg: 'EdDSA' },
    };
    writeFileSync(join(dir, 'operator.jwks.json'), JSON.stringify({ keys: [operator.publicJwk] }));
    t = await createTestApp({ TRUST_OPERATOR_JWKS_FILE: join(dir, 'operator.jwks.json') });
    await t.app.listen(0, '127.0.0.1');
    origin = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
    a = await createKommun(t, 'Avsändarkommun');
    b = await createKommun(t, 'Mottagarkommun');
    adminA = await authAs(t, { role: 'admin', kommun: a });
    adminB = await authAs(t, { role: 'admin', kommun: b });
    registrarA = await authAs(t, { role: 'registrar', kommun: a });
  });
  afterAll(async () => {
    await t?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('trusts a peer whose keys are fetched from its JWKS URL, at once', async () => {
    const res = await request(t.server)
      .put(peersPath(a, b))
      .set(adminA)
      .send({ name: 'Mottagarkommun', baseUrl: `${origin}/`, jwksUri: jwksOf(b), schoolUnits: ['87654321'] });
    expectContract(res, 'PUT', peersPath(a, b));
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      kommunCode: a,
      code: b,
      name: 'Mottagarkommun',
      baseUrl: origin,
      jwksUri: jwksOf(b),
      schoolUnits: ['87654321'],
      source: 'api',
      trustList: null,
      revokedKeys: [],
      keyStatus: { fetchedAt: expect.any(String), lastError: null, lastErrorAt: null },
    });
    const published = await t.app.get(KeysService).publicJwks(b);
    expect(res.body.jwks.keys.map((k: JWK) => k.kid)).toEqual(published.keys.map((k) => k.kid));

    const again = await request(t.server)
      .put(peersPath(a, b))
      .set(adminA)
      .send({ name: 'Mottagarkommun (ny)', baseUrl: origin, jwksUri: jwksOf(b) });
    expect(again.status).toBe(200);
    expect(again.body.name).toBe('Mottagarkommun (ny)');
  });

  it('lets the registrar read the peers but not change them, and no other kommun see them', async () => {
    const list = await request(t.server).get(peersPath(a)).set(registrarA);
    expectContract(list, 'GET', peersPath(a));
    expect(list.body.data.map((p: { code: string }) => p.code)).toEqual([b]);
    const put = await request(t.server)
      .put(peersPath(a, '0180'))
      .set(registrarA)
      .send({ name: 'x', baseUrl: origin });
    expect(put.status).toBe(403);
    expect((await request(t.server).get(peersPath(a)).set(adminB)).status).toBe(403);
    // Row-level security: as kommun B, A's peers are not there at all.
    const rows = await t.app
      .get(TenantDb)
      .once(b, sql`SELECT peer_code FROM trust_peers WHERE kommun_code = ${a}`);
    expect(rows).toEqual([]);
  });

  it('refuses inline keys with a private part, and a peer that is the kommun itself', async () => {
    const { privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
    const leaked = { ...(await exportJWK(privateKey)), kid: 'k1', use: 'sig' };
    const res = await request(t.server)
      .put(peersPath(a, '0180'))
      .set(adminA)
      .send({ name: 'Stockholm', baseUrl: 'https://stockholm.example', jwks: { keys: [leaked] } });
    expectProblem(res, 400, 'validation-failed', 'REQUEST.INVALID', {
      errors: [{ pointer: '/jwks/keys/0/d', detail: 'must not be there: only public keys are accepted' }],
    });
    const self = await request(t.server)
      .put(peersPath(a, a))
      .set(adminA)
      .send({ name: 'Själv', baseUrl: origin });
    expectProblem(self, 400, 'validation-failed', 'REQUEST.INVALID', {
      errors: [{ parameter: 'peerCode', detail: 'must be another kommun than the one trusting it' }],
    });
  });

  it('seals a package from A to B with the registry’s keys, and B opens it once', async () => {
    const keys = t.app.get(KeysService);
    // B trusts A with A's keys inline.
    const put = await request(t.server)
      .put(peersPath(b, a))
      .set(adminB)
      .send({ name: 'Avsändarkommun', baseUrl: origin, jwks: await keys.publicJwks(a) });
    expect(put.status).toBe(201);
    expect(put.body.jwksUri).toBeNull();

    const packages = t.app.get(TransferPackages);
    const record = sampleRecord('tr-1');
    const sealed = await packages.seal({
      sender: { kommun: a, schoolUnit: '12345678' },
      receiver: { kommun: b, schoolUnit: '87654321' },
      pupil: { ref: 'rec-1' },
      ...declared(record),
      consentReceipts: [],
      payload: { record, loss: [] },
    });
    const encryptTo = await t.app.get(TrustRegistry).encryptionKey(a, b);
    expect(sealed.jwe.split('.')).toHaveLength(5);

    const seen = new Set<string>();
    const isReplay = (jti: string) => seen.has(jti);
    const opened = await packages.open(b, sealed.jwe, { isReplay });
    seen.add(opened.manifest.jti);
    expect(opened.manifest).toEqual(sealed.manifest);
    expect(opened.payload.record).toEqual(record);
    expect(opened.sender.kommun).toBe(a);
    expect(JSON.parse(Buffer.from(sealed.jwe.split('.')[0], 'base64url').toString()).kid).toBe(encryptTo.kid);

    await expect(packages.open(b, sealed.jwe, { isReplay })).rejects.toMatchObject({
      problem: { slug: 'transfer-package-replayed' },
    });
    // A cannot open what was sealed to B: it is addressed to B.
    await expect(packages.open(a, sealed.jwe)).rejects.toMatchObject({
      problem: { slug: 'transfer-package-wrong-receiver' },
    });
  });

  it('refuses packages signed with a key the receiver revoked, and keeps it revoked', async () => {
    const packages = t.app.get(TransferPackages);
    const sealed = await packages.seal({
      sender: { kommun: a },
      receiver: { kommun: b },
      pupil: { ref: 'rec-2' },
      ...declared(sampleRecord('tr-2')),
      consentReceipts: [],
      payload: { record: sampleRecord('tr-2'), loss: [] },
    });
    const signingKid = (await t.app.get(TrustRegistry).verificationKeys(b, a)).keys[0].kid!;
    const path = `${peersPath(b, a)}/revoked-keys`;
    const res = await request(t.server)
      .post(path)
      .set(adminB)
      .send({ kid: signingKid, reason: 'lost laptop' });
    expectContract(res, 'POST', path);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ kid: signingKid, reason: 'lost laptop' });

    const refused = await packages.open(b, sealed.jwe).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(TransferPackageRefused);
    expect((refused as TransferPackageRefused).problem.slug).toBe('transfer-package-revoked-key');
    expect((await t.app.get(TrustRegistry).verificationKeys(b, a)).keys).toEqual([]);

    // Revoking again changes nothing; the peer shows the revocation.
    const again = await request(t.server).post(path).set(adminB).send({ kid: signingKid, reason: 'other' });
    expect(again.body.reason).toBe('lost laptop');
    const peer = await request(t.server).get(peersPath(b, a)).set(adminB);
    expect(peer.body.revokedKeys).toEqual([expect.objectContaining({ kid: signingKid })]);
  });

  it('fetches a peer’s keys again when a package names a key it has not seen (the peer rotated)', async () => {
    const keys = t.app.get(KeysService);
    const peerKeys = t.app.get(PeerKeys);
    const c = await createKommun(t, 'Roterande kommun');
    await request(t.server)
      .put(peersPath(a, c))
      .set(adminA)
      .send({ name: 'Roterande kommun', baseUrl: origin, jwksUri: jwksOf(c) })
      .expect(201);
    const adminC = await authAs(t, { role: 'admin', kommun: c });
    await request(t.server)
      .put(peersPath(c, a))
      .set(adminC)
      .send({ name: 'Avsändarkommun', baseUrl: origin, jwks: await keys.publicJwks(a) })
      .expect(201);
    await keys.rotate(c, 'sig');
    const packages = t.app.get(TransferPackages);
    const record = sampleRecord('tr-3');
    const sealed = await packages.seal({
      sender: { kommun: c },
      receiver: { kommun: a },
      pupil: { ref: 'rec-3' },
      ...declared(record),
      consentReceipts: [],
      payload: { record, loss: [] },
    });
    try {
      // Just fetched: a new kid does not make A ask C again within five seconds…
      await expect(packages.open(a, sealed.jwe)).rejects.toMatchObject({
        problem: { slug: 'transfer-package-untrusted-sender' },
      });
      // …and after that it does, and finds C's new key.
      const later = Date.now() + 6_000;
      peerKeys.now = () => later;
      const opened = await packages.open(a, sealed.jwe);
      expect(opened.sender.kid).toBe((await keys.publicJwks(c)).keys[0].kid);
      const audit = await t.app.get(AuditService).list(a, { action: 'trust:keys-refresh', limit: 1 });
      expect(audit.data[0]).toMatchObject({
        outcome: 'succeeded',
        detail: { peer: c, added: [opened.sender.kid] },
      });
    } finally {
      peerKeys.now = Date.now;
    }
  });

  it('keeps the last good copy of a peer’s keys when its JWKS URL fails, and reports the failure', async () => {
    const flaky = await flakyJwks();
    try {
      const published = await t.app.get(KeysService).publicJwks(b);
      flaky.set(published);
      const put = await request(t.server)
        .put(peersPath(a, '0180'))
        .set(adminA)
        .send({ name: 'Stockholm', baseUrl: 'https://stockholm.example', jwksUri: flaky.url });
      expect(put.body.keyStatus.lastError).toBeNull();

      flaky.set({ error: 'down' }, 503);
      const refresh = await request(t.server)
        .post(`${peersPath(a, '0180')}/refresh`)
        .set(adminA);
      expectContract(refresh, 'POST', `${peersPath(a, '0180')}/refresh`);
      expect(refresh.body.keyStatus).toEqual({
        fetchedAt: put.body.keyStatus.fetchedAt,
        lastError: `${flaky.url} answered 503`,
        lastErrorAt: expect.any(String),
      });
      expect(refresh.body.jwks).toEqual(put.body.jwks);
      // Sealing to the peer still works with the copy.
      expect((await t.app.get(TrustRegistry).encryptionKey(a, '0180')).kid).toBe(
        published.keys.find((k) => k.use === 'enc')!.kid,
      );
      const audit = await t.app.get(AuditService).list(a, { action: 'trust:keys-refresh', limit: 10 });
      expect(audit.data[0]).toMatchObject({
        outcome: 'failed',
        recipient: '0180',
        detail: { peer: '0180', error: `${flaky.url} answered 503`, keptLastGoodCopy: true },
      });
    } finally {
      await flaky.close();
    }
  });

  describe('signed trust lists', () => {
    const listsPath = (k: string) => `/v1/kommuner/${k}/trust/lists`;
    const sign = (claims: Record<string, unknown>, key = operator.privateKey, typ = 'trust-list+jws') =>
      new SignJWT(claims)
        .setProtectedHeader({ alg: 'EdDSA', typ, kid: 'operator-1' })
        .setIssuedAt()
        .sign(key);
    const member = (code: string, extra: Record<string, unknown> = {}) => ({
      code,
      name: `Kommun ${code}`,
      baseUrl: `https://k${code}.example`,
      ...extra,
    });

    it('applies a list signed by the operator: its peers join at once, the kommun itself skipped', async () => {
      const jwks = await t.app.get(KeysService).publicJwks(b);
      const jws = await sign({
        iss: 'https://federation.example',
        sequence: 5,
        peers: [member('0380', { jwks, revokedKids: ['old-key'] }), member('1480'), member(a)],
      });
      const res = await request(t.server).post(listsPath(a)).set(adminA).send({ jws });
      expectContract(res, 'POST', listsPath(a));
      expect(res.body).toMatchObject({
        issuer: 'https://federation.example',
        sequence: 5,
        peerCount: 2,
        added: ['0380', '1480'],
        updated: [],
        removed: [],
        revokedKeys: 1,
      });
      const peer = await request(t.server).get(peersPath(a, '0380')).set(adminA);
      expect(peer.body).toMatchObject({
        source: 'trust-list',
        trustList: { issuer: 'https://federation.example', sequence: 5 },
        jwksUri: null,
        revokedKeys: [expect.objectContaining({ kid: 'old-key' })],
      });
      expect((await request(t.server).get(peersPath(a, '1480')).set(adminA)).body.jwksUri).toBe(
        'https://k1480.example/kommuner/1480/.well-known/jwks.json',
      );
      const lists = await request(t.server).get(listsPath(a)).set(registrarA);
      expectContract(lists, 'GET', listsPath(a));
      expect(lists.body.data).toEqual([expect.objectContaining({ sequence: 5, peerCount: 2 })]);
    });

    it('refuses an older or equal list, and a newer one replaces what the older one listed', async () => {
      const old = await sign({ iss: 'https://federation.example', sequence: 5, peers: [member('0580')] });
      expectProblem(
        await request(t.server).post(listsPath(a)).set(adminA).send({ jws: old }),
        409,
        'trust-list-stale',
        'TRUST.LIST_STALE',
      );
      expect((await request(t.server).get(peersPath(a, '0580')).set(adminA)).status).toBe(404);

      const newer = await sign({
        iss: 'https://federation.example',
        sequence: 6,
        peers: [member('1480'), member('0580')],
      });
      const res = await request(t.server).post(listsPath(a)).set(adminA).send({ jws: newer });
      expect(res.body).toMatchObject({ added: ['0580'], updated: ['1480'], removed: ['0380'] });
      expectProblem(
        await request(t.server).get(peersPath(a, '0380')).set(adminA),
        404,
        'trust-peer-not-found',
        'TRUST.PEER_NOT_FOUND',
      );
      // Peers added by hand are not the list's to remove.
      expect((await request(t.server).get(peersPath(a, b)).set(adminA)).status).toBe(200);
    });

    it('refuses a list not signed by the operator, of another type, or malformed', async () => {
      const stranger = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
      const forged = await sign(
        { iss: 'https://federation.example', sequence: 99, peers: [] },
        stranger.privateKey,
      );
      expectProblem(
        await request(t.server).post(listsPath(a)).set(adminA).send({ jws: forged }),
        422,
        'trust-list-invalid',
        'TRUST.LIST_SIGNATURE',
      );
      const wrongType = await sign(
        { iss: 'https://federation.example', sequence: 99, peers: [] },
        operator.privateKey,
        'JWT',
      );
      expectProblem(
        await request(t.server).post(listsPath(a)).set(adminA).send({ jws: wrongType }),
        422,
        'trust-list-invalid',
        'TRUST.LIST_WRONG_TYPE',
      );
      const bad = await sign({
        iss: 'https://federation.example',
        sequence: 99,
        peers: [{ code: '12', name: '', baseUrl: 'ftp://x' }],
      });
      const res = await request(t.server).post(listsPath(a)).set(adminA).send({ jws: bad });
      expectProblem(res, 422, 'trust-list-invalid', 'TRUST.LIST_CONTENT', {
        errors: [
          { pointer: '/peers/0/code', detail: 'must be a four-digit kommun code' },
          { pointer: '/peers/0/name', detail: 'must be a string of 1 to 200 characters' },
          { pointer: '/peers/0/baseUrl', detail: 'must be an http(s) URL' },
        ],
      });
      expect((await request(t.server).post(listsPath(a)).set(registrarA).send({ jws: bad })).status).toBe(
        403,
      );
    });
  });

  it('stops trusting a peer on DELETE, and audits each change', async () => {
    const res = await request(t.server).delete(peersPath(a, '0180')).set(adminA);
    expectContract(res, 'DELETE', peersPath(a, '0180'));
    expect(res.status).toBe(204);
    expectProblem(
      await request(t.server).delete(peersPath(a, '0180')).set(adminA),
      404,
      'trust-peer-not-found',
      'TRUST.PEER_NOT_FOUND',
    );
    expect(await t.app.get(TrustRegistry).peer(a, '0180')).toBeNull();
    const audit = t.app.get(AuditService);
    for (const action of ['trust:peer-put', 'trust:peer-delete', 'trust:list-apply']) {
      expect((await audit.list(a, { action, limit: 1 })).data).toHaveLength(1);
    }
    expect((await audit.list(b, { action: 'trust:key-revoke', limit: 1 })).data[0]).toMatchObject({
      actor: { kind: 'person', role: 'admin' },
      detail: { peer: a },
    });
  });
});
