import request from 'supertest';
import { authAs } from '../helpers/auth';
import { expectContract } from '../helpers/contract';
import { createKommun, createTestApp, TestApp } from '../helpers/create-test-app';
import { expectProblem } from '../helpers/problem';
import { sampleRecord } from '../helpers/sample-record';

describe('bulk NDJSON', () => {
  let t: TestApp;
  let base: string;
  let registrar: Record<string, string>;

  beforeAll(async () => {
    t = await createTestApp({ BODY_LIMIT: String(64 * 1024) });
    const kommun = await createKommun(t);
    base = `/v1/kommuner/${kommun}`;
    registrar = await authAs(t, { role: 'registrar', kommun });
  });
  afterAll(() => t.close());

  const bulk = (body: string | Buffer) =>
    request(t.server)
      .post(`${base}/records/bulk`)
      .set(registrar)
      .set('content-type', 'application/x-ndjson')
      .serialize((b: unknown) => b as string)
      .send(body as string);

  it('writes the good lines, lists each bad one by number, and the last of a repeated source wins', async () => {
    const good = (id: string, name = 'Märta') =>
      JSON.stringify(
        sampleRecord(id, { pupil: { givenName: name, familyName: 'Öberg', securityMarking: 'Ingen' } }),
      );
    const badLuhn = sampleRecord('b-luhn') as any;
    badLuhn.pupil.civicNo.value = '201203152381';
    const lines = [
      good('b-1'),
      '{"not json',
      good('b-2'),
      '',
      JSON.stringify(badLuhn),
      JSON.stringify({ schemaVersion: '1.0' }),
      good('b-1', 'Karin'),
    ];
    const body = Buffer.concat([
      Buffer.from(lines.join('\r\n') + '\n'),
      Buffer.from([0x7b, 0xc3, 0x28, 0x7d, 0x0a]), // line 8: not UTF-8
    ]);
    const res = await bulk(body);
    expectContract(res, 'POST', `${base}/records/bulk`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ received: 7, created: 2, updated: 0, unchanged: 0, rejected: 4 });
    const lineNumbers = [...new Set(res.body.errors.map((e: { line: number }) => e.line))];
    expect(lineNumbers).toEqual([2, 5, 6, 8]);
    expect(res.body.errors).toContainEqual({
      line: 5,
      pointer: '/pupil/civicNo/value',
      detail: expect.any(String),
    });

    const list = await request(t.server).get(`${base}/records?limit=200`).set(registrar);
    const names = Object.fromEntries(
      list.body.data.map((r: any) => [r.record.source.id, r.record.pupil.givenName]),
    );
    expect(names).toEqual({ 'b-1': 'Karin', 'b-2': 'Märta' });
  });

  it('counts unchanged and updated on a second pass', async () => {
    const lines = Array.from({ length: 1200 }, (_, i) => JSON.stringify(sampleRecord(`many-${i}`)));
    const first = await bulk(lines.join('\n'));
    expect(first.body).toMatchObject({ received: 1200, created: 1200, rejected: 0 });
    lines[7] = JSON.stringify(sampleRecord('many-7', { groups: [] }));
    const second = await bulk(lines.join('\n'));
    expect(second.body).toMatchObject({
      received: 1200,
      created: 0,
      updated: 1,
      unchanged: 1199,
      rejected: 0,
    });
  });

  it('reports a line longer than the limit without holding it', async () => {
    const res = await bulk(
      `${JSON.stringify(sampleRecord('ok-1'))}\n{"pad":"${'x'.repeat(70 * 1024)}"}\n${JSON.stringify(sampleRecord('ok-2'))}`,
    );
    expect(res.body).toMatchObject({ received: 3, created: 2, rejected: 1 });
    expect(res.body.errors).toEqual([{ line: 2, detail: expect.stringMatching(/longer than/) }]);
  });

  it('refuses JSON where NDJSON is expected', async () => {
    const res = await request(t.server)
      .post(`${base}/records/bulk`)
      .set(registrar)
      .send(sampleRecord('json'));
    expectProblem(res, 415, 'unsupported-media-type', 'BULK.MEDIA_TYPE');
  });
});
