import request from 'supertest';
import { authAs } from '../helpers/auth';
import { expectContract } from '../helpers/contract';
import { createKommun, createTestApp, TestApp } from '../helpers/create-test-app';
import { expectProblem } from '../helpers/problem';
import { sampleRecord } from '../helpers/sample-record';
import type { Enrolment } from '../../src/records/learner-record.types';

const enrolment = (unit: string, year: number, extra: Partial<Enrolment> = {}): Enrolment => ({
  organiserCode: '1980',
  schoolUnitCode: unit,
  schoolType: 'GR' as const,
  schoolYear: year,
  startDate: '2020-08-15',
  cancelled: false,
  ...extra,
});

describe('listing records and the changes feed', () => {
  let t: TestApp;
  let base: string;
  let registrar: Record<string, string>;

  beforeAll(async () => {
    t = await createTestApp();
    const kommun = await createKommun(t);
    base = `/v1/kommuner/${kommun}`;
    registrar = await authAs(t, { role: 'registrar', kommun });
  });
  afterAll(() => t.close());

  const upsert = (body: unknown) =>
    request(t.server)
      .post(`${base}/records`)
      .set(registrar)
      .send(body as object);

  it('pages through every record exactly once with the cursor', async () => {
    const ids = new Set<string>();
    for (let i = 0; i < 7; i++) ids.add((await upsert(sampleRecord(`page-${i}`))).body.id);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const url: string = `${base}/records?limit=3${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const res = await request(t.server).get(url).set(registrar);
      expectContract(res, 'GET', url);
      expect(res.status).toBe(200);
      expect(res.body.data.length).toBeLessThanOrEqual(3);
      seen.push(...res.body.data.map((r: { id: string }) => r.id));
      cursor = res.body.nextCursor;
    } while (cursor);
    expect(seen.length).toBe(new Set(seen).size);
    for (const id of ids) expect(seen).toContain(id);
  });

  it('filters by current school unit and school year, leaving out ended and cancelled enrolments', async () => {
    const unit = '87654321';
    const a = await upsert(sampleRecord('f-a', { enrolments: [enrolment(unit, 7)] }));
    const b = await upsert(sampleRecord('f-b', { enrolments: [enrolment(unit, 8)] }));
    await upsert(sampleRecord('f-ended', { enrolments: [enrolment(unit, 7, { endDate: '2021-06-10' })] }));
    await upsert(sampleRecord('f-cancelled', { enrolments: [enrolment(unit, 7, { cancelled: true })] }));
    await upsert(sampleRecord('f-elsewhere', { enrolments: [enrolment('11112222', 7)] }));

    const byUnit = await request(t.server).get(`${base}/records?schoolUnit=${unit}`).set(registrar);
    expect(byUnit.body.data.map((r: { id: string }) => r.id).sort()).toEqual([a.body.id, b.body.id].sort());

    const byBoth = await request(t.server)
      .get(`${base}/records?schoolUnit=${unit}&schoolYear=7`)
      .set(registrar);
    expect(byBoth.body.data.map((r: { id: string }) => r.id)).toEqual([a.body.id]);
  });

  it('filters by updatedSince', async () => {
    const before = new Date(Date.now() - 1000).toISOString();
    const fresh = await upsert(sampleRecord(`since-${Date.now()}`));
    const res = await request(t.server)
      .get(`${base}/records?updatedSince=${encodeURIComponent(before)}&limit=200`)
      .set(registrar);
    expect(res.body.data.map((r: { id: string }) => r.id)).toContain(fresh.body.id);
    const future = await request(t.server)
      .get(`${base}/records?updatedSince=2999-01-01T00:00:00Z`)
      .set(registrar);
    expect(future.body.data).toEqual([]);
  });

  it('refuses bad query parameters with a pointer to each', async () => {
    const res = await request(t.server)
      .get(`${base}/records?limit=0&schoolUnit=12&schoolYear=x&updatedSince=yesterday`)
      .set(registrar);
    expectProblem(res, 400, 'validation-failed', 'REQUEST.INVALID', {
      errors: expect.arrayContaining([
        { parameter: 'limit', detail: expect.any(String) },
        { parameter: 'schoolUnit', detail: expect.any(String) },
        { parameter: 'schoolYear', detail: expect.any(String) },
        { parameter: 'updatedSince', detail: expect.any(String) },
      ]),
    });
    expectContract(res, 'GET', `${base}/records`);
    const unknown = await request(t.server).get(`${base}/records?colour=red`).set(registrar);
    expectProblem(unknown, 400, 'validation-failed', 'REQUEST.INVALID', {
      errors: [{ parameter: 'colour', detail: expect.any(String) }],
    });
  });

  it('refuses a cursor it did not hand out', async () => {
    for (const cursor of ['garbage', Buffer.from('{"k":"changes","p":"1"}').toString('base64url')]) {
      const res = await request(t.server).get(`${base}/records?cursor=${cursor}`).set(registrar);
      expectProblem(res, 400, 'invalid-cursor', 'CURSOR.INVALID', {
        errors: [{ parameter: 'cursor', detail: expect.any(String) }],
      });
    }
  });

  it('feeds creations, updates and deletions in order, resumable from any cursor', async () => {
    const start = await request(t.server).get(`${base}/changes?limit=1000`).set(registrar);
    expectContract(start, 'GET', `${base}/changes`);
    let cursor: string = start.body.nextCursor;

    const created = await upsert(sampleRecord('feed-1'));
    await upsert(sampleRecord('feed-1', { groups: [] }));
    await upsert(sampleRecord('feed-1', { groups: [] })); // unchanged: no change
    await request(t.server).delete(`${base}/records/${created.body.id}`).set(registrar);

    const seen: Array<{ type: string; version: number }> = [];
    for (;;) {
      const page = await request(t.server).get(`${base}/changes?limit=2&cursor=${cursor}`).set(registrar);
      expectContract(page, 'GET', `${base}/changes`);
      seen.push(
        ...page.body.data.map((c: { type: string; version: number }) => ({
          type: c.type,
          version: c.version,
        })),
      );
      cursor = page.body.nextCursor;
      if (!page.body.hasMore) break;
    }
    expect(seen).toEqual([
      { type: 'created', version: 1 },
      { type: 'updated', version: 2 },
      { type: 'deleted', version: 3 },
    ]);
    const empty = await request(t.server).get(`${base}/changes?cursor=${cursor}`).set(registrar);
    expect(empty.body).toEqual({ data: [], nextCursor: cursor, hasMore: false });
  });
});
