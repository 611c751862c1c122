import { createHash, randomUUID } from 'node:crypto';
import {
  CompactSign,
  compactVerify,
  createLocalJWKSet,
  decodeProtectedHeader,
  exportJWK,
  generateKeyPair,
  type JSONWebKeySet,
} from 'jose';
import request, { type Response } from 'supertest';
import { DataSource } from 'typeorm';
import { canonicalize, entryHash } from '../../src/audit/audit-canonical';
import { AuditAppender } from '../../src/audit/audit-appender';
import { AuditCheckpoints } from '../../src/audit/audit-checkpoints';
import type { AuditEntry, AuditEntryInput } from '../../src/audit/audit-entry';
import { prepareEntry } from '../../src/audit/audit-input';
import { AuditLogRepository } from '../../src/audit/audit-log.repository';
import { AuditSecrets } from '../../src/audit/audit-secrets';
import { AuditService } from '../../src/audit/audit.service';
import { AuditVerifier } from '../../src/audit/audit-verifier';
import { Sql, sql } from '../../src/database/sql';
import { TenantDb } from '../../src/database/tenant-db';
import { KeysService } from '../../src/keys/keys.service';
import { authAs } from '../helpers/auth';
import { expectContract } from '../helpers/contract';
import { createKommun, createTestApp, TestApp } from '../helpers/create-test-app';
import { expectProblem } from '../helpers/problem';

const CHECKPOINT_EVERY = 25;
const sha256 = (s: string | Buffer): string => createHash('sha256').update(s).digest('hex');

/** Reads a streamed body as text, so the contract sees the NDJSON as the string it is. */
const asText = (res: Response, cb: (err: Error | null, body: string) => void): void => {
  let text = '';
  res.setEncoding('utf8');
  res.on('data', (chunk: string) => (text += chunk));
  res.on('end', () => cb(null, text));
};

describe('audit log: hash chain, checkpoints, verification, export', () => {
  let t: TestApp;
  let audit: AuditService;
  let ds: DataSource;
  let repository: AuditLogRepository;

  const dpo = (kommun: string) => authAs(t, { role: 'dpo', kommun });
  const base = (kommun: string) => `/v1/kommuner/${kommun}/audit`;
  const get = async (kommun: string, path: string) =>
    request(t.server)
      .get(`${base(kommun)}${path}`)
      .set(await dpo(kommun));
  const verify = async (kommun: string) => {
    const res = await get(kommun, '/verify');
    expectContract(res, 'GET', `${base(kommun)}/verify`);
    return res.body;
  };
  const checkpointNow = async (kommun: string) => {
    const res = await request(t.server)
      .post(`${base(kommun)}/checkpoints`)
      .set(await dpo(kommun));
    expectContract(res, 'POST', `${base(kommun)}/checkpoints`);
    return res;
  };

  const entry = (
    kommunCode: string | null,
    i: number,
    over: Partial<AuditEntryInput> = {},
  ): AuditEntryInput => ({
    kommunCode,
    actor: { kind: 'person', subject: `user-${i % 7}`, role: 'registrar' },
    action: i % 3 === 0 ? 'records:write' : 'records:read',
    outcome: i % 5 === 0 ? 'denied' : 'allowed',
    requestId: `req-${i}`,
    sections: ['grades'],
    detail: { i },
    ...over,
  });

  /**
   * A kommun whose chain has `n` entries (fewer than CHECKPOINT_EVERY, so that no periodic checkpoint
   * comes in between) and checkpoints made on demand exactly at `checkpointsAt`.
   */
  async function chainOf(n: number, checkpointsAt: number[]): Promise<string> {
    expect(n).toBeLessThan(CHECKPOINT_EVERY);
    const kommun = await createKommun(t, 'Granskningskommun');
    let seq = 0;
    for (const upTo of new Set([...checkpointsAt, n])) {
      await Promise.all(
        Array.from({ length: upTo - seq }, (_, i) => audit.record(entry(kommun, seq + i + 1))),
      );
      seq = upTo;
      if (checkpointsAt.includes(upTo)) expect((await checkpointNow(kommun)).status).toBe(201);
    }
    return kommun;
  }

  /** What only a database superuser can do: past the grants, past the append-only trigger. */
  async function asSuperuser(
    work: (query: (text: string, params?: unknown[]) => Promise<unknown>) => Promise<unknown>,
  ) {
    const runner = ds.createQueryRunner();
    await runner.connect();
    try {
      await runner.startTransaction();
      await runner.query('SET LOCAL session_replication_role = replica');
      await work((text, params) => runner.query(text, params));
      await runner.commitTransaction();
    } catch (err) {
      await runner.rollbackTransaction();
      throw err;
    } finally {
      await runner.release();
    }
  }

  const entries = async (kommun: string): Promise<AuditEntry[]> => {
    const head = await repository.head(kommun);
    return repository.range(kommun, 0, head.seq, 10_000);
  };

  /** Writes changed entries back over the stored rows, with their new links and hashes. */
  const rewrite = (kommun: string, changed: AuditEntry[]) =>
    asSuperuser(async (query) => {
      for (const e of changed) {
        await query(
          `UPDATE audit_log SET detail = $1::jsonb, actor_subject = $2, prev_hash = $3, hash = $4
            WHERE kommun_code = $5 AND seq = $6`,
          [JSON.stringify(e.detail), e.actor.subject, e.prevHash, e.hash, kommun, e.seq],
        );
      }
    });

  /** The chain from `fromSeq` on, with entry `fromSeq` changed and every hash after it recomputed. */
  const recomputedFrom = (chain: AuditEntry[], fromSeq: number): AuditEntry[] => {
    const out: AuditEntry[] = [];
    let prev = chain[fromSeq - 2]?.hash ?? '0'.repeat(64);
    for (const e of chain.slice(fromSeq - 1)) {
      const changed = { ...e, prevHash: prev };
      if (e.seq === fromSeq) changed.detail = { ...e.detail, i: -1 };
      changed.hash = entryHash(changed);
      prev = changed.hash;
      out.push(changed);
    }
    return out;
  };

  beforeAll(async () => {
    t = await createTestApp({ AUDIT_CHECKPOINT_EVERY: String(CHECKPOINT_EVERY) });
    audit = t.app.get(AuditService);
    ds = t.app.get(DataSource);
    repository = t.app.get(AuditLogRepository);
  });
  afterAll(() => t?.close());

  it('chains many concurrent appends across two kommuner and two writers without a fork or a gap', async () => {
    const a = await createKommun(t, 'Kedjekommun A');
    const b = await createKommun(t, 'Kedjekommun B');
    // A second appender stands for a second instance: its own queue and its own idea of the head.
    const other = new AuditAppender(repository);
    const secrets = t.app.get(AuditSecrets);
    const otherRecord = (input: AuditEntryInput) =>
      other.append(prepareEntry(input, (kommunCode, civicNo) => secrets.civicNoHash(kommunCode, civicNo)));
    const calls: Promise<{ kommunCode: string; seq: number }>[] = [];
    for (let i = 0; i < 300; i++) {
      const kommun = i % 2 === 0 ? a : b;
      calls.push(i % 3 === 0 ? otherRecord(entry(kommun, i)) : audit.record(entry(kommun, i)));
      if (i % 40 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    const receipts = await Promise.all(calls);
    for (const kommun of [a, b]) {
      const seqs = receipts.filter((r) => r.kommunCode === kommun).map((r) => r.seq);
      expect(new Set(seqs).size).toBe(150);
      const stored = await entries(kommun);
      expect(stored.map((e) => e.seq)).toEqual(Array.from({ length: 150 }, (_, i) => i + 1));
      expect(seqs.sort((x, y) => x - y)).toEqual(stored.map((e) => e.seq));
      await t.app.get(AuditCheckpoints).settle();
      const report = await verify(kommun);
      expect(report).toMatchObject({ ok: true, entriesChecked: 150, firstBroken: null, head: { seq: 150 } });
      expect(report.checkpoints.verified).toBeGreaterThanOrEqual(1);
    }
  });

  it('keeps appending in order from many parallel requests (each export enters the chain)', async () => {
    const kommun = await createKommun(t, 'Parallellkommun');
    await audit.record(entry(kommun, 1));
    const responses = await Promise.all(
      Array.from({ length: 12 }, async () =>
        request(t.server)
          .get(`${base(kommun)}/export`)
          .set(await dpo(kommun))
          .buffer(true)
          .parse(asText),
      ),
    );
    responses.forEach((r) => expect(r.status).toBe(200));
    const stored = await entries(kommun);
    expect(stored.map((e) => e.seq)).toEqual(Array.from({ length: 13 }, (_, i) => i + 1));
    expect(stored.filter((e) => e.action === 'audit:export')).toHaveLength(12);
    expect((await verify(kommun)).ok).toBe(true);
  });

  it('shows entries as hashed, with civic numbers only as keyed hashes, filtered and paged', async () => {
    const kommun = await createKommun(t, 'Listkommun');
    const pupil = randomUUID();
    const receipt = await audit.record({
      kommunCode: kommun,
      actor: { kind: 'platform', subject: 'client-vklass', role: 'platform' },
      onBehalfOf: 'teacher-17',
      action: 'transfers:send',
      outcome: 'succeeded',
      pupilRecordIds: [pupil.toUpperCase()],
      pupilCivicNos: ['20120315-2382'],
      sections: ['grades', 'enrolments'],
      legalBasis: { grades: 'skollagen 3 kap. 12 j §', enrolments: 'skollagen 3 kap. 12 j §' },
      requestId: 'req-transfer-1',
      purpose: 'transfer',
      recipient: '0180',
      detail: { packageId: 'p-1', note: 'pupil 201203152382 moved' },
    });
    for (let i = 0; i < 7; i++) await audit.record(entry(kommun, i));

    const byPupil = await get(kommun, `/entries?recordId=${pupil}`);
    expectContract(byPupil, 'GET', `${base(kommun)}/entries`);
    expect(byPupil.text).not.toContain('2382');
    expect(byPupil.body.data).toHaveLength(1);
    const shown: AuditEntry = byPupil.body.data[0];
    expect(shown).toMatchObject({
      v: 1,
      kommunCode: kommun,
      seq: receipt.seq,
      hash: receipt.hash,
      actor: { kind: 'platform', subject: 'client-vklass', role: 'platform' },
      onBehalfOf: 'teacher-17',
      pupilRecordIds: [pupil],
      pupilCivicNoHashes: [expect.stringMatching(/^[0-9a-f]{64}$/)],
      sections: ['enrolments', 'grades'],
      legalBasis: { grades: 'skollagen 3 kap. 12 j §', enrolments: 'skollagen 3 kap. 12 j §' },
      detail: { packageId: 'p-1', note: `pupil civic-no-hash:${shown.pupilCivicNoHashes[0]} moved` },
    });
    // Anyone can recompute the hash from the entry as shown.
    const { hash, ...rest } = shown;
    expect(sha256(canonicalize(rest))).toBe(hash);

    const denied = await get(kommun, '/entries?outcome=denied&action=records:write');
    expectContract(denied, 'GET', `${base(kommun)}/entries`);
    expect(denied.body.data.map((e: AuditEntry) => e.detail.i)).toEqual([0]);

    const seen: number[] = [];
    let cursor: string | null = '';
    do {
      const page: Response = await get(kommun, `/entries?limit=3${cursor ? `&cursor=${cursor}` : ''}`);
      expectContract(page, 'GET', `${base(kommun)}/entries`);
      seen.push(...page.body.data.map((e: AuditEntry) => e.seq));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual([8, 7, 6, 5, 4, 3, 2, 1]);

    const future = new Date(Date.now() + 60_000).toISOString();
    const none = await get(kommun, `/entries?from=${encodeURIComponent(future)}`);
    expect(none.body.data).toEqual([]);
  });

  it('refuses bad filters with a problem naming the parameter', async () => {
    const kommun = await createKommun(t, 'Filterkommun');
    expectProblem(await get(kommun, '/entries?recordId=nope'), 400, 'validation-failed', 'REQUEST.INVALID', {
      errors: [{ parameter: 'recordId', detail: 'recordId must be a UUID' }],
    });
    expectProblem(
      await get(kommun, '/entries?from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z'),
      400,
      'validation-failed',
      'REQUEST.INVALID',
      { errors: [{ parameter: 'to', detail: 'from must be before to.' }] },
    );
    expectProblem(await get(kommun, '/entries?cursor=abc'), 400, 'invalid-cursor', 'CURSOR.INVALID', {
      errors: [{ parameter: 'cursor', detail: expect.any(String) }],
    });
    const res = await get('0001', '/verify');
    expectContract(res, 'GET', '/v1/kommuner/0001/audit/verify');
    expectProblem(res, 404, 'kommun-not-found', 'KOMMUN.NOT_FOUND');
  });

  it('signs checkpoints every N entries and on demand, verifiable with the kommun’s JWKS', async () => {
    const kommun = await createKommun(t, 'Checkpointkommun');
    const empty = await checkpointNow(kommun);
    expectProblem(empty, 409, 'audit-chain-empty', 'AUDIT.CHAIN_EMPTY');
    for (let i = 0; i < 2 * CHECKPOINT_EVERY + 3; i++) await audit.record(entry(kommun, i));
    await t.app.get(AuditCheckpoints).settle();
    // One more after the periodic checkpoints settled (the last of them may have signed the head).
    await audit.record(entry(kommun, 99));

    const made = await checkpointNow(kommun);
    expect(made.status).toBe(201);
    expect(made.body.seq).toBe(2 * CHECKPOINT_EVERY + 4);
    const again = await checkpointNow(kommun);
    expect(again.status).toBe(200);
    expect(again.body).toEqual(made.body);

    const list = await get(kommun, '/checkpoints');
    expectContract(list, 'GET', `${base(kommun)}/checkpoints`);
    const [onDemand, ...periodic] = list.body.data.map((c: { seq: number }) => c.seq);
    expect(onDemand).toBe(2 * CHECKPOINT_EVERY + 4);
    // Made when at least N entries have come since the one before (batches may carry it a little past N).
    expect(periodic).toHaveLength(2);
    expect(periodic[1]).toBeGreaterThanOrEqual(CHECKPOINT_EVERY);
    expect(periodic[0] - periodic[1]).toBeGreaterThanOrEqual(CHECKPOINT_EVERY);

    const jwks = (await request(t.server).get(`/kommuner/${kommun}/.well-known/jwks.json`))
      .body as JSONWebKeySet;
    const chain = await entries(kommun);
    for (const c of list.body.data as { seq: number; hash: string; time: string; jws: string }[]) {
      const { payload, protectedHeader } = await compactVerify(c.jws, createLocalJWKSet(jwks));
      expect(protectedHeader).toMatchObject({ alg: 'EdDSA', typ: 'audit-checkpoint+jws' });
      expect(JSON.parse(new TextDecoder().decode(payload))).toEqual({
        kommun,
        seq: c.seq,
        hash: chain[c.seq - 1].hash,
        time: c.time,
      });
    }
  });

  describe('finds what a database superuser changed, and names the first broken entry', () => {
    it('an edited row', async () => {
      const kommun = await chainOf(20, [8, 20]);
      expect((await verify(kommun)).ok).toBe(true);
      await asSuperuser((q) =>
        q(`UPDATE audit_log SET action = 'records:delete' WHERE kommun_code = $1 AND seq = 7`, [kommun]),
      );
      expect((await verify(kommun)).firstBroken).toEqual({
        seq: 7,
        reason: 'hash-mismatch',
        detail: expect.any(String),
      });
    });

    it('a time changed below the millisecond', async () => {
      const kommun = await chainOf(10, [10]);
      await asSuperuser((q) =>
        q(
          `UPDATE audit_log SET occurred_at = occurred_at + interval '1 microsecond' WHERE kommun_code = $1 AND seq = 4`,
          [kommun],
        ),
      );
      expect((await verify(kommun)).firstBroken).toMatchObject({ seq: 4, reason: 'hash-mismatch' });
    });

    it('a deleted row', async () => {
      const kommun = await chainOf(20, [8, 20]);
      await asSuperuser((q) => q(`DELETE FROM audit_log WHERE kommun_code = $1 AND seq = 12`, [kommun]));
      const report = await verify(kommun);
      expect(report.ok).toBe(false);
      expect(report.firstBroken).toEqual({ seq: 12, reason: 'missing-entry', detail: 'entry 12 is missing' });
      expect(report.entriesChecked).toBe(11);
    });

    it('reordered rows (two seqs swapped)', async () => {
      const kommun = await chainOf(20, [8, 20]);
      await asSuperuser(async (q) => {
        await q(`UPDATE audit_log SET seq = 1000005 WHERE kommun_code = $1 AND seq = 5`, [kommun]);
        await q(`UPDATE audit_log SET seq = 5 WHERE kommun_code = $1 AND seq = 9`, [kommun]);
        await q(`UPDATE audit_log SET seq = 9 WHERE kommun_code = $1 AND seq = 1000005`, [kommun]);
      });
      expect((await verify(kommun)).firstBroken).toMatchObject({ seq: 5, reason: 'link-mismatch' });
    });

    it('entries cut off the end below a checkpoint', async () => {
      const kommun = await chainOf(20, [8, 20]);
      await asSuperuser((q) => q(`DELETE FROM audit_log WHERE kommun_code = $1 AND seq > 17`, [kommun]));
      expect((await verify(kommun)).firstBroken).toMatchObject({
        seq: 9,
        reason: 'missing-entry',
        checkpointSeq: 20,
      });
    });

    it('the whole chain rewritten with every hash recomputed: the signed checkpoints no longer match', async () => {
      const kommun = await chainOf(20, [8, 20]);
      const chain = await entries(kommun);
      await rewrite(kommun, recomputedFrom(chain, 1));
      const report = await verify(kommun);
      expect(report.ok).toBe(false);
      // Every hash and link is consistent again; only the signatures tell.
      expect(report.entriesChecked).toBe(8);
      expect(report.firstBroken).toEqual({
        seq: 1,
        reason: 'checkpoint-mismatch',
        checkpointSeq: 8,
        detail: expect.any(String),
      });
      // Nor will the service sign the rewritten chain.
      const refused = await checkpointNow(kommun);
      expect(refused.status).toBe(200); // the head is signed already: the old, honest checkpoint
      await audit.record(entry(kommun, 99));
      expectProblem(await checkpointNow(kommun), 409, 'audit-chain-broken', 'AUDIT.CHAIN_BROKEN');
    });

    it('a rewrite after a good checkpoint is placed between the two checkpoints around it', async () => {
      const kommun = await chainOf(20, [8, 20]);
      const chain = await entries(kommun);
      await rewrite(kommun, recomputedFrom(chain, 15));
      expect((await verify(kommun)).firstBroken).toMatchObject({
        seq: 9,
        reason: 'checkpoint-mismatch',
        checkpointSeq: 20,
      });
    });

    it('a forged checkpoint: signed with a key of the forger’s own, or not signed at all', async () => {
      const kommun = await chainOf(20, [8, 20]);
      const chain = await entries(kommun);
      const rewritten = recomputedFrom(chain, 1);
      await rewrite(kommun, rewritten);
      const { privateKey, publicKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
      const realKid = decodeProtectedHeader((await get(kommun, '/checkpoints')).body.data[0].jws).kid!;
      const forge = async (kid: string, seq: number, time: string) =>
        new CompactSign(
          new TextEncoder().encode(canonicalize({ kommun, seq, hash: rewritten[seq - 1].hash, time })),
        )
          .setProtectedHeader({ alg: 'EdDSA', typ: 'audit-checkpoint+jws', kid })
          .sign(privateKey);
      const replaceCheckpoints = (kid: string) =>
        asSuperuser(async (q) => {
          const rows = (await q(
            `SELECT seq::int AS seq, made_at FROM audit_checkpoints WHERE kommun_code = $1`,
            [kommun],
          )) as { seq: number; made_at: Date }[];
          for (const row of rows) {
            await q(`UPDATE audit_checkpoints SET hash = $1, jws = $2 WHERE kommun_code = $3 AND seq = $4`, [
              rewritten[row.seq - 1].hash,
              await forge(kid, row.seq, row.made_at.toISOString()),
              kommun,
              row.seq,
            ]);
          }
        });

      await replaceCheckpoints(`${realKid.split('#')[0]}#${(await exportJWK(publicKey)).x}`);
      expect((await verify(kommun)).firstBroken).toMatchObject({
        seq: 1,
        reason: 'checkpoint-key-untrusted',
        checkpointSeq: 8,
      });
      await replaceCheckpoints(realKid);
      expect((await verify(kommun)).firstBroken).toMatchObject({
        seq: 1,
        reason: 'checkpoint-signature-invalid',
        checkpointSeq: 8,
      });
    });

    it('a checkpoint row whose hash was changed without its signature', async () => {
      const kommun = await chainOf(20, [8, 20]);
      await asSuperuser((q) =>
        q(`UPDATE audit_checkpoints SET hash = $1 WHERE kommun_code = $2 AND seq = 20`, [
          'a'.repeat(64),
          kommun,
        ]),
      );
      expect((await verify(kommun)).firstBroken).toMatchObject({
        seq: 9,
        reason: 'checkpoint-signature-invalid',
        checkpointSeq: 20,
      });
    });

    it('no longer counts checkpoints signed by a key the kommun revoked', async () => {
      const kommun = await chainOf(10, [10]);
      const keys = t.app.get(KeysService);
      const signing = (await keys.list(kommun)).find((k) => k.use === 'sig' && k.status === 'active')!;
      await keys.revoke(kommun, signing.thumbprint, 'test: key lost');
      expect((await verify(kommun)).firstBroken).toMatchObject({
        seq: 1,
        reason: 'checkpoint-key-untrusted',
        detail: expect.stringContaining('revoked'),
      });
    });
  });

  it('GET /v1/audit/verify walks the caller’s own kommun’s chain, and never another’s', async () => {
    const mine = await chainOf(6, [3]);
    const theirs = await chainOf(2, []);
    const own = async (caller: Record<string, string>, query = '') => {
      const res = await request(t.server).get(`/v1/audit/verify${query}`).set(caller);
      if (res.status < 500) expectContract(res, 'GET', '/v1/audit/verify');
      return res;
    };
    const sameAsPath = async (res: Response) => {
      expect(res.status).toBe(200);
      const timeless = ({ verifiedAt, ...rest }: Record<string, unknown>) => (void verifiedAt, rest);
      const report = timeless(res.body as Record<string, unknown>);
      expect(report).toEqual(timeless((await verify(mine)) as Record<string, unknown>));
      expect(report).toMatchObject({ kommunCode: mine, ok: true, entriesChecked: 6 });
    };
    await sameAsPath(await own(await dpo(mine)));
    await sameAsPath(await own(await authAs(t, { role: 'admin', kommun: mine })));
    await sameAsPath(await own(await dpo(mine), `?kommun=${mine}`));

    // Another kommun's chain: refused, saying nothing of it, and entered in the chain aimed at.
    const refused = await own(await dpo(mine), `?kommun=${theirs}`);
    expectProblem(refused, 403, 'forbidden', 'AUTH.FORBIDDEN');
    expect(JSON.stringify(refused.body)).not.toContain(theirs);
    const [denied] = (await audit.list(theirs, { outcome: 'denied', limit: 10 })).data;
    expect(denied).toMatchObject({
      action: 'audit:verify',
      requestId: refused.headers['x-request-id'],
      detail: { code: 'AUTH.FORBIDDEN', route: '/v1/audit/verify' },
    });
    expect((await own(await authAs(t, { role: 'admin', kommun: theirs }), `?kommun=${mine}`)).status).toBe(
      403,
    );

    // Every role the policy table does not give audit:verify.
    for (const caller of [
      { role: 'registrar', kommun: mine },
      { role: 'guardian', kommun: mine, civicNo: '198002032384' },
      { role: 'pupil', kommun: mine, civicNo: '201203152382' },
      { role: 'platform', kommun: mine },
      { role: 'operator' },
    ] as const) {
      const res = await own(await authAs(t, caller), `?kommun=${mine}`);
      expect({ role: caller.role, status: res.status }).toEqual({ role: caller.role, status: 403 });
    }
    expect((await request(t.server).get('/v1/audit/verify')).status).toBe(401);
    expectProblem(await own(await dpo(mine), '?kommun=19'), 400, 'validation-failed', 'REQUEST.INVALID', {
      errors: [{ parameter: 'kommun', detail: 'kommun must be a four-digit kommun code.' }],
      detail: 'kommun must be a four-digit kommun code.',
    });

    // It is the same walk: a row edited in the database is named here as well.
    await asSuperuser((q) =>
      q(`UPDATE audit_log SET action = 'records:delete' WHERE kommun_code = $1 AND seq = 5`, [mine]),
    );
    expect((await own(await dpo(mine))).body.firstBroken).toMatchObject({ seq: 5, reason: 'hash-mismatch' });
  });

  it('lets the application role only insert and read: UPDATE, DELETE and TRUNCATE are refused', async () => {
    const kommun = await chainOf(3, [3]);
    const db = t.app.get(TenantDb);
    const refused = (text: string) =>
      expect(db.once(kommun, new Sql(text))).rejects.toMatchObject({
        code: '42501',
        message: expect.stringMatching(/permission denied/),
      });
    await refused(`UPDATE audit_log SET action = 'records:read' WHERE kommun_code = '${kommun}'`);
    await refused(`DELETE FROM audit_log WHERE kommun_code = '${kommun}'`);
    await refused(`TRUNCATE audit_log`);
    await refused(`UPDATE audit_checkpoints SET jws = 'x' WHERE kommun_code = '${kommun}'`);
    await refused(`DELETE FROM audit_checkpoints WHERE kommun_code = '${kommun}'`);
    // The schema owner (the service's own connection) is stopped by the trigger.
    await expect(ds.query(`DELETE FROM audit_log WHERE kommun_code = $1`, [kommun])).rejects.toThrow(
      /append-only/,
    );
    expect((await verify(kommun)).ok).toBe(true);
  });

  it('shows a kommun only its own chain and checkpoints (row-level security)', async () => {
    const a = await chainOf(2, [2]);
    const b = await chainOf(2, [2]);
    const db = t.app.get(TenantDb);
    for (const table of ['audit_log', 'audit_checkpoints']) {
      const count = (kommun: string, where: string) =>
        db.once<{ n: string }>(kommun, new Sql(`SELECT count(*)::text AS n FROM ${table} WHERE ${where}`));
      expect((await count(a, `kommun_code = '${a}'`))[0].n).not.toBe('0');
      expect((await count(a, `kommun_code = '${b}'`))[0].n).toBe('0');
    }
    await expect(
      db.once(
        a,
        sql`INSERT INTO audit_log (kommun_code, seq, v, occurred_at, actor_kind, action, outcome, prev_hash, hash)
            VALUES (${b}, 99, 1, now(), 'system', 'x:y', 'allowed', ${'0'.repeat(64)}, ${'0'.repeat(64)})`,
      ),
    ).rejects.toMatchObject({ code: '42501' });
  });

  it('does not try a checkpoint that failed again with every batch that follows', async () => {
    const kommun = await chainOf(3, []);
    await asSuperuser((q) =>
      q(`UPDATE audit_log SET action = 'records:delete' WHERE kommun_code = $1 AND seq = 2`, [kommun]),
    );
    const attempts = jest.spyOn(t.app.get(AuditVerifier), 'verifySince');
    try {
      for (let i = 0; i < CHECKPOINT_EVERY + 10; i++) {
        await audit.record(entry(kommun, i));
        await t.app.get(AuditCheckpoints).settle();
      }
      expect(attempts.mock.calls.filter(([k]) => k === kommun)).toHaveLength(1);
      expect((await get(kommun, '/checkpoints')).body.data).toEqual([]);
    } finally {
      attempts.mockRestore();
    }
  });

  it('exports a pupil’s entries as NDJSON that a DPO verifies offline with the kommun’s JWKS', async () => {
    const kommun = await createKommun(t, 'Exportkommun');
    const pupil = randomUUID();
    for (let i = 0; i < 9; i++) {
      await audit.record(entry(kommun, i, i % 2 === 0 ? { pupilRecordIds: [pupil] } : {}));
    }
    const path = `${base(kommun)}/export?recordId=${pupil}`;
    const res = await request(t.server)
      .get(path)
      .set(await dpo(kommun))
      .buffer(true)
      .parse(asText);
    expectContract(res, 'GET', path);
    expect(res.headers['content-type']).toMatch(/^application\/x-ndjson/);
    expect(res.headers['content-disposition']).toMatch(new RegExp(`^attachment; filename="audit-${kommun}-`));

    // What the DPO does with the file and the JWKS, nothing else.
    const body: string = res.body;
    const lastLine = body.slice(body.lastIndexOf('\n', body.length - 2) + 1);
    const signed = body.slice(0, body.length - lastLine.length);
    const { signature } = JSON.parse(lastLine) as { signature: string };
    const jwks = (await request(t.server).get(`/kommuner/${kommun}/.well-known/jwks.json`))
      .body as JSONWebKeySet;
    const { payload, protectedHeader } = await compactVerify(signature, createLocalJWKSet(jwks));
    expect(protectedHeader.typ).toBe('audit-export+jws');
    const statement = JSON.parse(new TextDecoder().decode(payload));
    expect(statement).toMatchObject({
      kommun,
      entries: 5,
      sha256: sha256(signed),
      filter: { recordId: pupil, from: null, to: null },
      head: { seq: 9 },
    });
    const lines = signed.trimEnd().split('\n');
    expect(lines).toHaveLength(5);
    for (const line of lines) {
      const { hash, ...rest } = JSON.parse(line) as AuditEntry;
      expect(canonicalize({ ...rest, hash })).toBe(line);
      expect(sha256(canonicalize(rest))).toBe(hash);
      expect(rest.pupilRecordIds).toEqual([pupil]);
    }
    // A changed byte no longer matches what was signed.
    expect(sha256(signed.replace('records:read', 'records:wrote'))).not.toBe(statement.sha256);

    // The export entered the chain, with the digest of what was handed out.
    const exported = await get(kommun, '/entries?action=audit:export');
    expect(exported.body.data[0]).toMatchObject({
      seq: 10,
      pupilRecordIds: [pupil],
      outcome: 'succeeded',
      detail: { entries: 5, sha256: statement.sha256, headSeq: 9 },
    });
  });

  it('exports a period', async () => {
    const kommun = await createKommun(t, 'Periodkommun');
    const at = (day: number) => new Date(Date.UTC(2026, 0, day, 12));
    for (let day = 1; day <= 6; day++) await audit.record(entry(kommun, day, { occurredAt: at(day) }));
    const path = `${base(kommun)}/export?from=2026-01-02T00:00:00Z&to=2026-01-05T00:00:00Z`;
    const res = await request(t.server)
      .get(path)
      .set(await dpo(kommun))
      .buffer(true)
      .parse(asText);
    const lines = (res.body as string).trimEnd().split('\n');
    expect(lines.slice(0, -1).map((l) => (JSON.parse(l) as AuditEntry).occurredAt)).toEqual([
      at(2).toISOString(),
      at(3).toISOString(),
      at(4).toISOString(),
    ]);
    expect(JSON.parse(lines[lines.length - 1])).toEqual({ signature: expect.any(String) });
  });

  it('keeps events of no kommun on the installation chain (0000), signed with the installation’s key', async () => {
    const receipt = await audit.record({
      actor: { kind: 'anonymous' },
      action: 'auth:sign-in',
      outcome: 'denied',
      detail: { reason: 'unknown issuer' },
    });
    expect(receipt.kommunCode).toBe('0000');
    const made = await checkpointNow('0000');
    expect(decodeProtectedHeader(made.body.jws)).toMatchObject({ alg: 'HS256', typ: 'audit-checkpoint+jws' });
    const report = await verify('0000');
    expect(report).toMatchObject({ kommunCode: '0000', ok: true, firstBroken: null });
    const list = await get('0000', '/entries?action=auth:sign-in');
    expectContract(list, 'GET', '/v1/kommuner/0000/audit/entries');
    expect(list.body.data.some((e: AuditEntry) => e.seq === receipt.seq)).toBe(true);
    const taken = await request(t.server)
      .post('/v1/kommuner')
      .set(await authAs(t, { role: 'operator' }))
      .send({ code: '0000', name: 'Ingen' });
    expect(taken.status).toBe(400);

    // A kommun nobody registered gets no chain of its own.
    const stray = await audit.record({
      kommunCode: '0002',
      actor: { kind: 'anonymous' },
      action: 'records:read',
      outcome: 'denied',
    });
    expect(stray.kommunCode).toBe('0000');
    const [strayEntry] = await repository.range('0000', stray.seq - 1, stray.seq, 1);
    expect(strayEntry.detail).toEqual({ unregisteredKommun: '0002' });
    expect((await repository.head('0002')).seq).toBe(0);
  });

  it('walks a chain longer than a page, a page at a time', async () => {
    const kommun = await createKommun(t, 'Långkommun');
    await Promise.all(Array.from({ length: 2345 }, (_, i) => audit.record(entry(kommun, i))));
    await t.app.get(AuditCheckpoints).settle();
    const report = await verify(kommun);
    expect(report).toMatchObject({ ok: true, entriesChecked: 2345, head: { seq: 2345 } });
    expect(report.checkpoints.verified).toBeGreaterThan(0);
  });
});
