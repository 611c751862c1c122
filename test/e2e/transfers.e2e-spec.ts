import { compactVerify, createLocalJWKSet, decodeProtectedHeader } from 'jose';
import request from 'supertest';
import { AuditService } from '../../src/audit/audit.service';
import { KeysService } from '../../src/keys/keys.service';
import { sealPackage } from '../../src/transfers/package/seal-package';
import { TrustRegistry } from '../../src/trust/trust-registry.service';
import { as } from '../helpers/auth';
import { expectContract } from '../helpers/contract';
import { createKommun } from '../helpers/create-test-app';
import { expectProblem } from '../helpers/problem';
import { FaultProxy, PeerInstance, pupil, trust, until } from '../helpers/transfer-peers';

const MOTHER = '198002032384';
// Short retry delays: a test waits for backoff, never for a clock.
const FAST = {
  TRANSFER_RETRY_BASE_MS: '100',
  TRANSFER_RETRY_MAX_MS: '400',
  TRANSFER_DELIVERY_TIMEOUT_MS: '2000',
  TRUST_JWKS_TTL_SECONDS: '3600',
};

/**
 * Two portabel instances, two kommuner, two databases, real HTTP between them through small
 * proxies that can cut the line: a pupil moves from kommun A (sender) to kommun B (receiver).
 */
describe('transfers between two instances', () => {
  let sender: PeerInstance;
  let receiver: PeerInstance;
  let toReceiver: FaultProxy; // A → B
  let toSender: FaultProxy; // B → A
  let a: string;
  let b: string;
  const unitA = '11112222';
  const unitB = '33334444';
  let n = 0;

  const regA = () => as(sender.t, { role: 'registrar', kommun: a });
  const regB = () => as(receiver.t, { role: 'registrar', kommun: b });

  async function addPupil(overrides = {}): Promise<string> {
    const res = await (await regA()).post(`/v1/kommuner/${a}/records`).send(pupil(a, unitA, ++n, overrides));
    expect(res.status).toBe(201);
    return res.body.id as string;
  }

  async function transfer(id: string) {
    return (await (await regA()).get(`/v1/kommuner/${a}/transfers/${id}`)).body;
  }

  const untilState = (id: string, states: string[], ms = 30_000) =>
    until(
      async () => {
        const t = await transfer(id);
        return states.includes(t.state) ? t : undefined;
      },
      ms,
      `transfer in ${states.join('/')}`,
    );

  async function inboxItem(jti: string) {
    const res = await (await regB()).get(`/v1/kommuner/${b}/transfers/inbox?limit=500`);
    return (res.body.data as Array<{ id: string; jti: string; state: string }>).filter((i) => i.jti === jti);
  }

  async function auditOf(instance: PeerInstance, kommun: string, action: string) {
    const dpo = await as(instance.t, { role: 'dpo', kommun });
    const all: Array<{ outcome: string; detail: Record<string, unknown>; legalBasis: unknown }> = [];
    let cursor = '';
    do {
      const res = await dpo.get(
        `/v1/kommuner/${kommun}/audit/entries?action=${encodeURIComponent(action)}&limit=200${cursor ? `&cursor=${cursor}` : ''}`,
      );
      expect(res.status).toBe(200);
      all.push(...res.body.data);
      cursor = res.body.nextCursor ?? '';
    } while (cursor);
    return all;
  }

  beforeAll(async () => {
    sender = await PeerInstance.create('tfa', FAST);
    receiver = await PeerInstance.create('tfb', FAST);
    toReceiver = await FaultProxy.create(() => receiver.port);
    toSender = await FaultProxy.create(() => sender.port);
    a = await createKommun(sender.t, 'Avsändarkommun');
    do b = await createKommun(receiver.t, 'Mottagarkommun');
    while (b === a);
    await (
      await as(sender.t, { role: 'admin', kommun: a })
    )
      .put(`/v1/kommuner/${a}/school-units/${unitA}`)
      .send({ name: 'Avgångsskolan', schoolTypes: ['GR'] });
    await (
      await as(receiver.t, { role: 'admin', kommun: b })
    )
      .put(`/v1/kommuner/${b}/school-units/${unitB}`)
      .send({ name: 'Ankomstskolan', schoolTypes: ['GR'] });
    await trust({ t: sender.t, kommun: a }, { kommun: b, baseUrl: toReceiver.url });
    await trust({ t: receiver.t, kommun: b }, { kommun: a, baseUrl: toSender.url });
  });

  afterAll(async () => {
    await toReceiver?.close();
    await toSender?.close();
    await sender?.destroy();
    await receiver?.destroy();
  });

  it('previews what would go, category by category, on which basis, and stores nothing', async () => {
    const recordId = await addPupil({ contact: { emails: [{ type: 'Privat', value: 'marta@example.se' }] } });
    const res = await (
      await regA()
    )
      .post(`/v1/kommuner/${a}/transfers?dryRun=true`)
      .send({ recordId, receiverKommun: b, receiverSchoolUnit: unitB });
    expectContract(res, 'POST', `/v1/kommuner/${a}/transfers`);
    expect(res.status).toBe(200);
    expect(res.body.sendable).toBe(true);
    expect(res.body.decision.allowed).toEqual(
      expect.arrayContaining([
        { category: 'identity', basis: 'legalObligation' },
        { category: 'grades', basis: 'legalObligation' },
      ]),
    );
    expect(res.body.decision.denied).toEqual(
      expect.arrayContaining([{ category: 'contact', reason: 'no-consent' }]),
    );
    const list = await (await regA()).get(`/v1/kommuner/${a}/transfers`);
    expect(list.body.data).toEqual([]);
  });

  it('refuses a receiver that is not a trusted peer', async () => {
    const recordId = await addPupil();
    const res = await (
      await regA()
    )
      .post(`/v1/kommuner/${a}/transfers`)
      .send({ recordId, receiverKommun: '0999' });
    expectProblem(res, 422, 'peer-not-trusted', 'TRANSFER.PEER_NOT_TRUSTED', {
      errors: expect.any(Array) as never,
    });
  });

  it('moves one pupil end to end: delivered, accepted, and the sender holds the signed acknowledgement', async () => {
    const recordId = await addPupil();
    const created = await (
      await regA()
    )
      .post(`/v1/kommuner/${a}/transfers`)
      .send({ recordId, receiverKommun: b, receiverSchoolUnit: unitB });
    expectContract(created, 'POST', `/v1/kommuner/${a}/transfers`);
    expect(created.status).toBe(201);
    const delivered = await untilState(created.body.id, ['delivered']);
    expect(delivered.categories).toEqual(
      expect.arrayContaining([{ category: 'grades', basis: 'legalObligation' }]),
    );

    const [item] = await inboxItem(delivered.jti);
    const detail = await (await regB()).get(`/v1/kommuner/${b}/transfers/inbox/${item.id}`);
    expectContract(detail, 'GET', `/v1/kommuner/${b}/transfers/inbox/${item.id}`);
    expect(detail.body).toMatchObject({
      state: 'received',
      sender: { kommun: a, schoolUnit: unitA },
      receiverSchoolUnit: unitB,
    });
    expect(detail.body.diff).toMatchObject({ outcome: 'created', comparedWith: null, heldRecords: [] });
    expect(detail.body.record.contact).toBeUndefined(); // minimised: no consent for contact data

    const accepted = await (await regB()).post(`/v1/kommuner/${b}/transfers/inbox/${item.id}/accept`);
    expectContract(accepted, 'POST', `/v1/kommuner/${b}/transfers/inbox/${item.id}/accept`);
    expect(accepted.body).toMatchObject({ state: 'accepted', record: null, diff: null });
    const imported = await (await regB()).get(`/v1/kommuner/${b}/records/${accepted.body.recordId}`);
    expect(imported.status).toBe(200);
    expect(imported.body.record.source).toEqual({ platform: 'transfer', id: `${a}:${recordId}` });
    expect(imported.body.record.grades[0].provenance).toMatchObject({ adapter: 'api' });

    const done = await untilState(created.body.id, ['accepted']);
    expectContract(
      await (await regA()).get(`/v1/kommuner/${a}/transfers/${done.id}`),
      'GET',
      `/v1/kommuner/${a}/transfers/${done.id}`,
    );
    // The acknowledgement verifies offline against the receiver's published keys.
    const jwks = await request(receiver.t.server).get(`/kommuner/${b}/.well-known/jwks.json`);
    const { payload, protectedHeader } = await compactVerify(
      done.acknowledgement.receipt,
      createLocalJWKSet(jwks.body),
    );
    expect(protectedHeader.typ).toBe('transfer-receipt+jws');
    expect(JSON.parse(new TextDecoder().decode(payload))).toMatchObject({
      iss: b,
      aud: a,
      packageJti: done.jti,
      outcome: 'accepted',
      reason: null,
    });
    // Every step on both sides is in the audit log.
    const forThis = <E extends { detail: Record<string, unknown> }>(entries: E[]) =>
      entries.filter((e) => e.detail.jti === done.jti || e.detail.transferId === done.id);
    for (const action of [
      'transfers:create',
      'transfers:seal',
      'transfers:deliver',
      'transfers:acknowledged',
    ])
      expect(forThis(await auditOf(sender, a, action)).length).toBeGreaterThan(0);
    for (const action of ['transfers:receive', 'transfers:accept', 'transfers:acknowledge'])
      expect(forThis(await auditOf(receiver, b, action)).length).toBeGreaterThan(0);
    const [seal] = forThis(await auditOf(sender, a, 'transfers:seal'));
    expect(seal.legalBasis).toMatchObject({ identity: 'legalObligation', grades: 'legalObligation' });
  });

  it('shows the receiving registrar a diff against the record it already holds', async () => {
    const recordId = await addPupil();
    const first = await (
      await regA()
    )
      .post(`/v1/kommuner/${a}/transfers`)
      .send({ recordId, receiverKommun: b });
    const t1 = await untilState(first.body.id, ['delivered']);
    const [i1] = await inboxItem(t1.jti);
    await (await regB()).post(`/v1/kommuner/${b}/transfers/inbox/${i1.id}/accept`);
    // The pupil gets another grade and is sent again.
    const current = await (await regA()).get(`/v1/kommuner/${a}/records/${recordId}`);
    const record = current.body.record;
    record.grades.push({ ...record.grades[0], subjectCode: 'SV', value: 'A', provenance: undefined });
    await (
      await regA()
    )
      .put(`/v1/kommuner/${a}/records/${recordId}`)
      .set('if-match', current.headers.etag)
      .send(record);
    const second = await (
      await regA()
    )
      .post(`/v1/kommuner/${a}/transfers`)
      .send({ recordId, receiverKommun: b });
    const t2 = await untilState(second.body.id, ['delivered']);
    const [i2] = await inboxItem(t2.jti);
    const detail = await (await regB()).get(`/v1/kommuner/${b}/transfers/inbox/${i2.id}`);
    expect(detail.body.diff.outcome).toBe('updated');
    expect(detail.body.diff.sections).toEqual(
      expect.arrayContaining([{ section: 'grades', change: 'changed', incoming: 2, held: 1 }]),
    );
  });

  it('rejects with a reason: nothing is imported and the sender reads the reason', async () => {
    const recordId = await addPupil();
    const created = await (
      await regA()
    )
      .post(`/v1/kommuner/${a}/transfers`)
      .send({ recordId, receiverKommun: b });
    const delivered = await untilState(created.body.id, ['delivered']);
    const [item] = await inboxItem(delivered.jti);
    const noReason = await (
      await regB()
    )
      .post(`/v1/kommuner/${b}/transfers/inbox/${item.id}/reject`)
      .send({});
    expect(noReason.status).toBe(400);
    const rejected = await (
      await regB()
    )
      .post(`/v1/kommuner/${b}/transfers/inbox/${item.id}/reject`)
      .send({ reason: 'Eleven har inte flyttat hit.' });
    expectContract(rejected, 'POST', `/v1/kommuner/${b}/transfers/inbox/${item.id}/reject`);
    expect(rejected.body).toMatchObject({
      state: 'rejected',
      reason: 'Eleven har inte flyttat hit.',
      record: null,
      recordId: null,
    });
    const again = await (await regB()).post(`/v1/kommuner/${b}/transfers/inbox/${item.id}/accept`);
    expectProblem(again, 409, 'transfer-already-decided', 'TRANSFER.ALREADY_DECIDED');
    const done = await untilState(created.body.id, ['rejected']);
    expect(done.acknowledgement).toMatchObject({
      outcome: 'rejected',
      reason: 'Eleven har inte flyttat hit.',
    });
  });

  it('cancels before delivery, and hands a package over as a file', async () => {
    const keep = await (
      await regA()
    )
      .post(`/v1/kommuner/${a}/transfers`)
      .send({ recordId: await addPupil(), receiverKommun: b, deliver: 'download' });
    const drop = await (
      await regA()
    )
      .post(`/v1/kommuner/${a}/transfers`)
      .send({ recordId: await addPupil(), receiverKommun: b, deliver: 'download' });
    await untilState(drop.body.id, ['sealed']);
    const cancelled = await (await regA()).post(`/v1/kommuner/${a}/transfers/${drop.body.id}/cancel`);
    expectContract(cancelled, 'POST', `/v1/kommuner/${a}/transfers/${drop.body.id}/cancel`);
    expect(cancelled.body.state).toBe('cancelled');
    const gone = await (await regA()).get(`/v1/kommuner/${a}/transfers/${drop.body.id}/package`);
    expectProblem(gone, 409, 'transfer-package-not-ready', 'TRANSFER.PACKAGE_NOT_READY');

    const sealed = await untilState(keep.body.id, ['sealed']);
    const file = await (
      await regA()
    )
      .get(`/v1/kommuner/${a}/transfers/${keep.body.id}/package`)
      .buffer(true)
      .parse((res, cb) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString('utf8')));
        res.on('end', () => cb(null, text));
      });
    expect(file.status).toBe(200);
    expect(file.headers['content-type']).toMatch(/^application\/jose/);
    const jwe = file.body as string;
    expect(decodeProtectedHeader(jwe)).toMatchObject({ typ: 'transfer-package+jwe', aud: b, iss: a });
    // The receiving kommun posts the file to its own inbox; the acknowledgement finds the sender.
    const posted = await request(receiver.t.server)
      .post('/v1/transfers/inbox')
      .set('content-type', 'application/jose')
      .send(jwe);
    expect(posted.status).toBe(202);
    const [item] = await inboxItem(sealed.jti);
    await (await regB()).post(`/v1/kommuner/${b}/transfers/inbox/${item.id}/accept`);
    await untilState(keep.body.id, ['accepted']);
    const late = await (await regA()).post(`/v1/kommuner/${a}/transfers/${keep.body.id}/cancel`);
    expectProblem(late, 409, 'transfer-not-cancellable', 'TRANSFER.NOT_CANCELLABLE');
  });

  it('refuses tampered, replayed and misaddressed packages, each with its own problem, storing nothing', async () => {
    const created = await (
      await regA()
    )
      .post(`/v1/kommuner/${a}/transfers`)
      .send({ recordId: await addPupil(), receiverKommun: b, deliver: 'download' });
    const sealed = await untilState(created.body.id, ['sealed']);
    const jwe = (
      await (
        await regA()
      )
        .get(`/v1/kommuner/${a}/transfers/${created.body.id}/package`)
        .buffer(true)
        .parse((res, cb) => {
          let text = '';
          res.on('data', (c: Buffer) => (text += c.toString('utf8')));
          res.on('end', () => cb(null, text));
        })
    ).body as string;
    const post = (body: string) =>
      request(receiver.t.server)
        .post('/v1/transfers/inbox')
        .set('content-type', 'application/jose')
        .send(body);

    // One flipped character in the ciphertext.
    const parts = jwe.split('.');
    const c = parts[3];
    const i = Math.floor(c.length / 2);
    parts[3] = `${c.slice(0, i)}${c[i] === 'A' ? 'B' : 'A'}${c.slice(i + 1)}`;
    const tampered = await post(parts.join('.'));
    expectContract(tampered, 'POST', '/v1/transfers/inbox');
    expectProblem(tampered, 422, 'transfer-package-tampered', 'TRANSFER_PACKAGE.TAMPERED');

    // The genuine package goes in once; the same bytes again are the same delivery.
    expect((await post(jwe)).status).toBe(202);
    const again = await post(jwe);
    expect(again.status).toBe(200);
    expect(again.body.duplicate).toBe(true);

    // Another package under a package id already received: a replay.
    const keys = sender.t.app.get(KeysService);
    const registry = sender.t.app.get(TrustRegistry);
    const sealAs = async (receiverKommun: string, jti: string) =>
      (
        await sealPackage(
          {
            sender: { kommun: a },
            receiver: { kommun: receiverKommun },
            pupil: { ref: 'replay' },
            categories: ['identity'],
            legalBasis: { identity: 'legalObligation' },
            consentReceipts: [],
            payload: { record: pupil(a, unitA, 999, { grades: undefined, guardians: undefined }), loss: [] },
          },
          {
            sign: (doc, typ) => keys.signJws(a, doc, { typ }),
            encryptTo: await registry.encryptionKey(a, b),
            jti,
          },
        )
      ).jwe;
    const replay = await post(await sealAs(b, sealed.jti));
    expectProblem(replay, 409, 'transfer-package-replayed', 'TRANSFER_PACKAGE.REPLAYED');

    // Addressed to a kommun this instance does not host.
    const misaddressed = await post(await sealAs('0998', '8a1f3c52-6b0e-4c9a-9d1e-2f3a4b5c6d7e'));
    expectProblem(misaddressed, 422, 'transfer-package-wrong-receiver', 'TRANSFER_PACKAGE.WRONG_RECEIVER');

    expect(await inboxItem(sealed.jti)).toHaveLength(1);
    const refusals = (await auditOf(receiver, b, 'transfers:receive')).filter((e) => e.outcome === 'denied');
    expect(refusals.map((e) => e.detail.refusal)).toEqual(expect.arrayContaining(['tampered', 'replayed']));
  });

  it('moves a class of 30 at once, one package each', async () => {
    const ids: string[] = [];
    for (let k = 0; k < 30; k++) ids.push(await addPupil());
    const batch = await (
      await regA()
    )
      .post(`/v1/kommuner/${a}/transfers/batch`)
      .send({ recordIds: ids, receiverKommun: b, receiverSchoolUnit: unitB });
    expectContract(batch, 'POST', `/v1/kommuner/${a}/transfers/batch`);
    expect(batch.status).toBe(202);
    const path = `/v1/kommuner/${a}/transfers/batches/${batch.body.id}`;
    await until(
      async () => (await (await regA()).get(path)).body.counts.delivered === 30,
      60_000,
      'class delivered',
    );
    const inbox = await (await regB()).get(`/v1/kommuner/${b}/transfers/inbox?state=received&limit=500`);
    const fromBatch = await (
      await regA()
    ).get(`/v1/kommuner/${a}/transfers?batch=${batch.body.id}&limit=100`);
    const jtis = new Set(fromBatch.body.data.map((t: { jti: string }) => t.jti));
    // Page by page: the batch's transfers share one creation instant, and the cursor still loses none.
    const paged: string[] = [];
    let cursor = '';
    do {
      const res = await (
        await regA()
      ).get(`/v1/kommuner/${a}/transfers?batch=${batch.body.id}&limit=7${cursor ? `&cursor=${cursor}` : ''}`);
      paged.push(...res.body.data.map((t: { id: string }) => t.id));
      cursor = res.body.nextCursor ?? '';
    } while (cursor);
    expect(paged).toEqual(fromBatch.body.data.map((t: { id: string }) => t.id));
    // The receiver's inbox, likewise.
    const inboxPaged: string[] = [];
    do {
      const res = await (
        await regB()
      ).get(`/v1/kommuner/${b}/transfers/inbox?state=received&limit=7${cursor ? `&cursor=${cursor}` : ''}`);
      inboxPaged.push(...res.body.data.map((i: { id: string }) => i.id));
      cursor = res.body.nextCursor ?? '';
    } while (cursor);
    expect(inboxPaged).toEqual(inbox.body.data.map((i: { id: string }) => i.id));
    const items = inbox.body.data.filter((i: { jti: string }) => jtis.has(i.jti));
    expect(items).toHaveLength(30);
    // Ten one by one, the rest in one call (with one already accepted among them: skipped).
    for (const item of items.slice(0, 10))
      await (await regB()).post(`/v1/kommuner/${b}/transfers/inbox/${item.id}/accept`);
    const rest = items.slice(9).map((i: { id: string }) => i.id);
    const many = await (await regB()).post(`/v1/kommuner/${b}/transfers/inbox/accept`).send({ ids: rest });
    expectContract(many, 'POST', `/v1/kommuner/${b}/transfers/inbox/accept`);
    expect(many.body.accepted).toBe(20);
    expect(many.body.data[0]).toMatchObject({
      id: rest[0],
      state: 'accepted',
      skipped: 'The package is accepted.',
    });
    const done = await until(
      async () => {
        const res = await (await regA()).get(path);
        return res.body.counts.accepted === 30 ? res : undefined;
      },
      60_000,
      'class accepted',
    );
    expectContract(done, 'GET', path);
    expect(done.body).toMatchObject({ state: 'created', pupils: 30, counts: { accepted: 30 } });
  });

  it('delivers exactly once to a receiver that was down during delivery, once it is back', async () => {
    await receiver.stop();
    const created = await (
      await regA()
    )
      .post(`/v1/kommuner/${a}/transfers`)
      .send({ recordId: await addPupil(), receiverKommun: b });
    const waiting = await until(
      async () => {
        const t = await transfer(created.body.id);
        return t.delivery.attempts >= 2 && t.state === 'delivering' ? t : undefined;
      },
      30_000,
      'retries',
    );
    expect(waiting.delivery.lastError).toMatchObject({ code: expect.any(String) });
    await receiver.start();
    const delivered = await untilState(created.body.id, ['delivered']);
    expect(await inboxItem(delivered.jti)).toHaveLength(1);
  });

  it('sends no duplicate when the sender is closed mid-delivery and restarted on its database', async () => {
    toReceiver.mode = 'hold';
    const created = await (
      await regA()
    )
      .post(`/v1/kommuner/${a}/transfers`)
      .send({ recordId: await addPupil(), receiverKommun: b });
    await toReceiver.whenHeld('/v1/transfers/inbox'); // the receiver has stored it; the sender has no answer yet
    await sender.stop();
    toReceiver.mode = 'pass';
    await sender.start();
    const delivered = await untilState(created.body.id, ['delivered']);
    expect(await inboxItem(delivered.jti)).toHaveLength(1);
    const deliveries = (await auditOf(sender, a, 'transfers:deliver')).filter(
      (e) => e.detail.transferId === created.body.id && e.outcome === 'succeeded',
    );
    expect(deliveries).toHaveLength(1);
    expect(deliveries[0].detail.duplicate).toBe(true);
  });

  it('still acknowledges exactly once when the receiver is closed after accepting, before the acknowledgement left', async () => {
    const created = await (
      await regA()
    )
      .post(`/v1/kommuner/${a}/transfers`)
      .send({ recordId: await addPupil(), receiverKommun: b });
    const delivered = await untilState(created.body.id, ['delivered']);
    const [item] = await inboxItem(delivered.jti);
    toSender.mode = 'refuse';
    await (await regB()).post(`/v1/kommuner/${b}/transfers/inbox/${item.id}/accept`);
    await receiver.stop();
    toSender.mode = 'pass';
    await receiver.start();
    await untilState(created.body.id, ['accepted']);
    const taken = (await auditOf(sender, a, 'transfers:acknowledged')).filter(
      (e) => e.detail.transferId === created.body.id && e.outcome === 'succeeded',
    );
    expect(taken).toHaveLength(1);
    const sent = await until(
      async () => {
        const res = await (await regB()).get(`/v1/kommuner/${b}/transfers/inbox/${item.id}`);
        return res.body.acknowledgement.state === 'sent' ? res.body : undefined;
      },
      30_000,
      'acknowledgement sent',
    );
    expect(sent.acknowledgement.attempts).toBeGreaterThanOrEqual(1);
  });

  it('sends a child’s export straight to a trusted kommun when the guardian asks (GDPR Art. 20(2))', async () => {
    const recordId = await addPupil();
    const mother = await as(sender.t, { role: 'guardian', kommun: a, civicNo: MOTHER });
    const asked = await mother.post('/v1/me/exports').send({ recordId, deliverToKommun: b });
    expectContract(asked, 'POST', '/v1/me/exports');
    expect(asked.status).toBe(202);
    expect(asked.body.transmission).toMatchObject({ state: 'created' });
    const t = await untilState(asked.body.transmission.transferId, ['delivered']);
    expect(t.purpose).toBe('portability');
    const [item] = await inboxItem(t.jti);
    expect((await (await regB()).get(`/v1/kommuner/${b}/transfers/inbox/${item.id}`)).body.purpose).toBe(
      'portability',
    );
    await (await regB()).post(`/v1/kommuner/${b}/transfers/inbox/${item.id}/accept`);
    const seen = await until(
      async () => {
        const res = await mother.get(`/v1/me/requests/${asked.body.id}`);
        return res.body.transmission?.state === 'accepted' ? res : undefined;
      },
      30_000,
      'transmission accepted',
    );
    expectContract(seen, 'GET', `/v1/me/requests/${asked.body.id}`);
    const untrusted = await mother.post('/v1/me/exports').send({ recordId, deliverToKommun: '0997' });
    expectProblem(untrusted, 422, 'peer-not-trusted', 'TRANSFER.PEER_NOT_TRUSTED', {
      errors: expect.any(Array) as never,
    });
  });

  it('keeps the audit chains whole on both sides', async () => {
    for (const [instance, kommun] of [
      [sender, a],
      [receiver, b],
    ] as const) {
      await instance.t.app.get(AuditService).checkpoint(kommun);
      const res = await (
        await as(instance.t, { role: 'dpo', kommun })
      ).get(`/v1/kommuner/${kommun}/audit/verify`);
      expect(res.body.ok).toBe(true);
    }
  });
});
