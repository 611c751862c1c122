import request from 'supertest';
import { authAs } from '../helpers/auth';
import { expectContract } from '../helpers/contract';
import { createKommun, createTestApp, TestApp } from '../helpers/create-test-app';
import { expectProblem } from '../helpers/problem';
import { sampleRecord } from '../helpers/sample-record';

describe('records API', () => {
  let t: TestApp;
  let kommun: string;
  let base: string;
  let registrar: Record<string, string>;

  beforeAll(async () => {
    t = await createTestApp();
    kommun = await createKommun(t);
    base = `/v1/kommuner/${kommun}`;
    registrar = await authAs(t, { role: 'registrar', kommun });
  });
  afterAll(() => t.close());

  const upsert = (body: unknown, headers: Record<string, string> = {}) =>
    request(t.server)
      .post(`${base}/records`)
      .set(registrar)
      .set(headers)
      .send(body as object);

  it('creates a record, then reads it back with its ETag', async () => {
    const created = await upsert(sampleRecord('p-1'));
    expectContract(created, 'POST', `${base}/records`);
    expect(created.status).toBe(201);
    expect(created.headers['x-upsert-result']).toBe('created');
    expect(created.headers.etag).toBe('"v1"');
    expect(created.headers.location).toBe(`${base}/records/${created.body.id}`);
    expect(created.body).toMatchObject({ kommunCode: kommun, version: 1 });
    expect(created.body.record.pupil.provenance).toMatchObject({
      sourcePlatform: 'test-platform',
      sourceId: 'p-1',
      adapter: 'api',
    });
    expect(created.body.record.grades[0].provenance.sourceId).toBe('p-1');

    const got = await request(t.server).get(created.headers.location).set(registrar);
    expectContract(got, 'GET', created.headers.location);
    expect(got.status).toBe(200);
    expect(got.body).toEqual(created.body);
    expect(got.headers.etag).toBe('"v1"');
  });

  it('is idempotent on the source: the same content is unchanged, new content is a new version', async () => {
    const first = await upsert(sampleRecord('p-2'));
    const again = await upsert(sampleRecord('p-2'));
    expectContract(again, 'POST', `${base}/records`);
    expect(again.status).toBe(200);
    expect(again.headers['x-upsert-result']).toBe('unchanged');
    expect(again.body.id).toBe(first.body.id);
    expect(again.body.version).toBe(1);

    const changed = await upsert(
      sampleRecord('p-2', { pupil: { givenName: 'Karin', familyName: 'Öberg', securityMarking: 'Ingen' } }),
    );
    expect(changed.status).toBe(200);
    expect(changed.headers['x-upsert-result']).toBe('updated');
    expect(changed.body).toMatchObject({ id: first.body.id, version: 2 });
    expect(changed.headers.etag).toBe('"v2"');
    expect(changed.body.record.pupil.givenName).toBe('Karin');
  });

  it('keeps provenance the sender gave', async () => {
    const provenance = {
      sourcePlatform: 'vklass',
      sourceId: 'x-9',
      adapter: 'ss12000',
      adapterVersion: '2.1',
      importedAt: '2026-01-02T03:04:05.000Z',
    };
    const res = await upsert(
      sampleRecord('p-prov', {
        pupil: { givenName: 'A', familyName: 'B', securityMarking: 'Ingen', provenance },
      }),
    );
    expect(res.body.record.pupil.provenance).toEqual(provenance);
  });

  it('stores Swedish text in NFC, so decomposed å ä ö equal precomposed ones', async () => {
    const decomposed = 'A\u030asa O\u0308berg Ma\u0308rta';
    const res = await upsert(
      sampleRecord('p-nfc', {
        pupil: { givenName: decomposed, familyName: 'Öberg', securityMarking: 'Ingen' },
      }),
    );
    expect(res.status).toBe(201);
    expect(res.body.record.pupil.givenName).toBe('Åsa Öberg Märta');
    const again = await upsert(
      sampleRecord('p-nfc', {
        pupil: { givenName: 'Åsa Öberg Märta', familyName: 'Öberg', securityMarking: 'Ingen' },
      }),
    );
    expect(again.headers['x-upsert-result']).toBe('unchanged');
  });

  it('normalises decomposed characters written as \\u escapes too', async () => {
    const body = JSON.stringify(sampleRecord('p-nfc-escaped')).replace('"Märta"', '"Ma\\u0308rta"');
    const res = await request(t.server)
      .post(`${base}/records`)
      .set(registrar)
      .set('content-type', 'application/json')
      .send(body);
    expect(res.status).toBe(201);
    expect(res.body.record.pupil.givenName).toBe('Märta');
  });

  describe('Idempotency-Key', () => {
    it('replays the first answer for the same key and body', async () => {
      const key = `key-${Date.now()}`;
      const first = await upsert(sampleRecord('p-idem'), { 'idempotency-key': key });
      expect(first.status).toBe(201);
      const replay = await upsert(sampleRecord('p-idem'), { 'idempotency-key': key });
      expect(replay.status).toBe(201);
      expect(replay.headers['idempotent-replayed']).toBe('true');
      expect(replay.body).toEqual(first.body);
    });

    it('refuses the same key with another body (409)', async () => {
      const key = `key2-${Date.now()}`;
      await upsert(sampleRecord('p-idem2'), { 'idempotency-key': key });
      const other = await upsert(sampleRecord('p-idem3'), { 'idempotency-key': key });
      expectProblem(other, 409, 'idempotency-key-reused', 'IDEMPOTENCY.KEY_REUSED');
      expectContract(other, 'POST', `${base}/records`);
    });

    it('gives concurrent requests with one key one record and one answer', async () => {
      const key = `key3-${Date.now()}`;
      const results = await Promise.all(
        Array.from({ length: 5 }, () => upsert(sampleRecord('p-idem-conc'), { 'idempotency-key': key })),
      );
      expect(new Set(results.map((r) => r.status))).toEqual(new Set([201]));
      expect(new Set(results.map((r) => r.body.id)).size).toBe(1);
    });

    it('refuses a malformed key', async () => {
      const res = await upsert(sampleRecord('p-idem4'), { 'idempotency-key': 'x'.repeat(201) });
      expectProblem(res, 400, 'validation-failed', 'REQUEST.INVALID', {
        errors: [{ parameter: 'Idempotency-Key', detail: expect.any(String) }],
      });
    });
  });

  describe('optimistic locking', () => {
    it('replaces with a matching If-Match, refuses a stale one (412) and a missing one (428)', async () => {
      const created = await upsert(sampleRecord('p-lock'));
      const url = `${base}/records/${created.body.id}`;
      const next = sampleRecord('p-lock', {
        pupil: { givenName: 'Nils', familyName: 'Holgersson', securityMarking: 'Ingen' },
      });

      const missing = await request(t.server).put(url).set(registrar).send(next);
      expectProblem(missing, 428, 'precondition-required', 'RECORD.IF_MATCH_REQUIRED');
      expectContract(missing, 'PUT', url);

      const ok = await request(t.server).put(url).set(registrar).set('if-match', '"v1"').send(next);
      expectContract(ok, 'PUT', url);
      expect(ok.status).toBe(200);
      expect(ok.body.version).toBe(2);
      expect(ok.headers.etag).toBe('"v2"');

      const stale = await request(t.server).put(url).set(registrar).set('if-match', '"v1"').send(next);
      expectProblem(stale, 412, 'precondition-failed', 'RECORD.STALE');
      expectContract(stale, 'PUT', url);
    });

    it('refuses a replacement that changes the source (422)', async () => {
      const created = await upsert(sampleRecord('p-src'));
      const res = await request(t.server)
        .put(`${base}/records/${created.body.id}`)
        .set(registrar)
        .set('if-match', '"v1"')
        .send(sampleRecord('p-other'));
      expectProblem(res, 422, 'record-source-immutable', 'RECORD.SOURCE_IMMUTABLE', {
        errors: [{ pointer: '/source', detail: expect.any(String) }],
      });
    });

    it('guards an upsert with If-Match too', async () => {
      await upsert(sampleRecord('p-upsert-lock'));
      const stale = await upsert(sampleRecord('p-upsert-lock', { contact: undefined, groups: [] }), {
        'if-match': '"v7"',
      });
      expectProblem(stale, 412, 'precondition-failed', 'RECORD.STALE');
      const fresh = await upsert(sampleRecord('p-upsert-lock', { groups: [] }), { 'if-match': '"v1"' });
      expect(fresh.status).toBe(200);
      expect(fresh.body.version).toBe(2);
    });

    it('answers 304 to If-None-Match with the current ETag', async () => {
      const created = await upsert(sampleRecord('p-304'));
      const res = await request(t.server)
        .get(`${base}/records/${created.body.id}`)
        .set(registrar)
        .set('if-none-match', '"v1"');
      expect(res.status).toBe(304);
      expect(res.text).toBe('');
    });
  });

  describe('delete', () => {
    it('hides the record (410), leaves a tombstone in the feed, and a later upsert brings it back', async () => {
      const created = await upsert(sampleRecord('p-del'));
      const url = `${base}/records/${created.body.id}`;
      const del = await request(t.server).delete(url).set(registrar);
      expect(del.status).toBe(204);
      const gone = await request(t.server).get(url).set(registrar);
      expectProblem(gone, 410, 'record-deleted', 'RECORD.DELETED');
      expectContract(gone, 'GET', url);
      const again = await request(t.server).delete(url).set(registrar);
      expectProblem(again, 410, 'record-deleted', 'RECORD.DELETED');

      const back = await upsert(sampleRecord('p-del'));
      expect(back.status).toBe(200);
      expect(back.body).toMatchObject({ id: created.body.id, version: 3 });
    });

    it('is 404 for an unknown id', async () => {
      const res = await request(t.server)
        .delete(`${base}/records/00000000-0000-4000-8000-000000000000`)
        .set(registrar);
      expectProblem(res, 404, 'record-not-found', 'RECORD.NOT_FOUND');
    });

    it('honours If-Match', async () => {
      const created = await upsert(sampleRecord('p-del-lock'));
      const res = await request(t.server)
        .delete(`${base}/records/${created.body.id}`)
        .set(registrar)
        .set('if-match', '"v9"');
      expectProblem(res, 412, 'precondition-failed', 'RECORD.STALE');
    });
  });
});
