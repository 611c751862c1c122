import { createHash } from 'node:crypto';
import { compactVerify, createLocalJWKSet, jwtVerify } from 'jose';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { unzip } from '../../src/adapters/oneroster-1.2/testing/zip-files';
import { AuditService } from '../../src/audit/audit.service';
import { RetentionPurge } from '../../src/subject-requests/retention-purge';
import { as } from '../helpers/auth';
import { expectContract } from '../helpers/contract';
import { createKommun, createTestApp, TestApp } from '../helpers/create-test-app';
import { expectProblem } from '../helpers/problem';
import { sampleRecord } from '../helpers/sample-record';

const MOTHER = '198002032384';
const FATHER = '197905112384';
const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

describe('data-subject rights: exports, requests, deadlines, purge', () => {
  let t: TestApp;
  let kommun: string;
  let recordId: string;
  const base = () => `/v1/kommuner/${kommun}`;

  async function record(id: string): Promise<string> {
    const registrar = await as(t, { role: 'registrar', kommun });
    const r = sampleRecord(id, {
      guardians: [
        {
          id: 'm',
          civicNo: { value: MOTHER, nationality: 'SE' },
          givenName: 'Åsa',
          familyName: 'Öberg',
          relation: 'Vårdnadshavare',
          custody: true,
        },
        {
          id: 'f',
          civicNo: { value: FATHER, nationality: 'SE' },
          givenName: 'Per',
          familyName: 'Öberg',
          relation: 'Vårdnadshavare',
          custody: false,
        },
      ],
      contact: { emails: [{ type: 'Privat', value: 'marta@example.se' }] },
    });
    const res = await registrar.post(`${base()}/records`).send(r);
    expect(res.status).toBe(201);
    return res.body.id as string;
  }

  async function untilSettled(agent: request.Agent, path: string) {
    for (let i = 0; i < 120; i++) {
      const res = await agent.get(path);
      if (!['received', 'building'].includes(res.body.status)) return res;
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error('the export did not finish');
  }

  beforeAll(async () => {
    t = await createTestApp();
    kommun = await createKommun(t, 'Rättighetskommun');
    recordId = await record('rights-1');
  });
  afterAll(() => t?.close());

  it('builds a guardian’s export into a signed package whose every hash checks out', async () => {
    const mother = await as(t, { role: 'guardian', kommun, civicNo: MOTHER });
    const started = await mother.post('/v1/me/exports').send({ recordId });
    expectContract(started, 'POST', '/v1/me/exports');
    expect(started.status).toBe(202);
    expect(started.body).toMatchObject({ kind: 'access', status: 'received', overdue: false });
    expect(new Date(started.body.deadline).getTime() - Date.now()).toBeGreaterThan(27 * 86_400_000);
    const done = await untilSettled(mother, `/v1/me/requests/${started.body.id}`);
    expectContract(done, 'GET', `/v1/me/requests/${started.body.id}`);
    expect(done.body).toMatchObject({
      status: 'ready',
      statusText: { sv: 'Klar att hämta', en: 'Ready to download' },
      articles: ['GDPR Art. 15'],
    });
    expect(done.body.events.map((e: { status: string }) => e.status)).toEqual([
      'received',
      'building',
      'ready',
    ]);

    const url = new URL(done.body.download.url);
    const download = await request(t.server)
      .get(url.pathname)
      .buffer(true)
      .parse((res, cb) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => cb(null, Buffer.concat(chunks)));
      });
    expect(download.status).toBe(200);
    expect(download.headers['content-type']).toBe('application/zip');
    const zip = download.body as Buffer;
    expect(sha256(zip)).toBe(done.body.download.sha256);
    const files = new Map(await unzip(zip));
    expect([...files.keys()]).toEqual([
      'manifest.json',
      'manifest.jws',
      'record.json',
      'record.clr.jwt',
      'summary.html',
      'consents.json',
      'disclosures.json',
      'loss-report.json',
    ]);

    // The manifest is signed by the kommun, and names the SHA-256 of every file.
    const jwks = createLocalJWKSet((await request(t.server).get('/.well-known/jwks.json')).body);
    const { payload, protectedHeader } = await compactVerify(files.get('manifest.jws')!, jwks);
    expect(protectedHeader.typ).toBe('export-manifest+jws');
    expect(Buffer.from(payload).toString('utf8')).toBe(files.get('manifest.json'));
    const manifest = JSON.parse(files.get('manifest.json')!);
    expect(manifest).toMatchObject({
      requestId: started.body.id,
      kommunCode: kommun,
      recordId,
      meta: { schemaVersion: '1.0', generator: 'portabel' },
    });
    for (const f of manifest.files) expect(sha256(files.get(f.name)!)).toBe(f.sha256);
    expect(manifest.files.map((f: { name: string }) => f.name).sort()).toEqual(
      [...files.keys()].filter((n) => !n.startsWith('manifest')).sort(),
    );

    // The machine-readable record is complete; the credential verifies; the summary is in both languages.
    const json = JSON.parse(files.get('record.json')!);
    expect(json.record.pupil.civicNo.value).toBe('201203152382');
    expect(json.record.contact.emails[0].value).toBe('marta@example.se');
    await expect(jwtVerify(files.get('record.clr.jwt')!, jwks)).resolves.toBeTruthy();
    const html = files.get('summary.html')!;
    expect(html).toContain('lang="sv"');
    expect(html).toContain('lang="en"');
    expect(html).toContain('Märta');
    expect(html).not.toMatch(/<script|https?:\/\/(?!www\.w3)/);
    // The disclosure register lists this export itself (decided and audited before it was built).
    const disclosures = JSON.parse(files.get('disclosures.json')!).disclosures;
    expect(disclosures).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ purpose: 'portability', recipient: 'data-subject' }),
      ]),
    );

    // Each download is a disclosure, in the audit log.
    const audit = await t.app
      .get(AuditService)
      .list(kommun, { recordId, action: 'disclosure:portability', limit: 10 });
    expect(audit.data.some((e) => (e.detail as { via?: string }).via === 'download')).toBe(true);
  });

  it('gives the other guardian, without custody, nothing', async () => {
    const father = await as(t, { role: 'guardian', kommun, civicNo: FATHER });
    expectProblem(
      await father.post('/v1/me/exports').send({ recordId }),
      404,
      'record-not-found',
      'RECORD.NOT_FOUND',
    );
    expect((await father.get('/v1/me/requests')).body.data).toEqual([]);
    const me = await father.get('/v1/me');
    expect(me.body.children).toEqual([]);
  });

  it('shows the DPO open requests by deadline, and runs the workflow with reasons', async () => {
    const mother = await as(t, { role: 'guardian', kommun, civicNo: MOTHER });
    const fix = await mother
      .post('/v1/me/requests')
      .send({ recordId, kind: 'rectification', description: 'Fel stavning av efternamnet.' });
    expectContract(fix, 'POST', '/v1/me/requests');
    expect(fix.body).toMatchObject({
      kind: 'rectification',
      kindText: { article: 'GDPR Art. 16' },
      status: 'received',
    });
    const dpo = await as(t, { role: 'dpo', kommun });
    // An old one, nearly due: the DPO sees it first.
    const ds = t.app.get(DataSource);
    const old = await mother
      .post('/v1/me/requests')
      .send({ recordId, kind: 'restriction', description: 'Stoppa delning.' });
    await ds.query(
      `UPDATE subject_requests SET received_at = now() - interval '28 days', deadline_at = now() + interval '2 days' WHERE id = $1`,
      [old.body.id],
    );
    const desk = await dpo.get(`${base()}/requests`);
    expectContract(desk, 'GET', `${base()}/requests`);
    expect(desk.body.data[0]).toMatchObject({ id: old.body.id, daysLeft: 2, overdue: false });
    const refuse = await dpo
      .post(`${base()}/requests/${fix.body.id}/transitions`)
      .send({ status: 'refused' });
    expectProblem(refuse, 400, 'refusal-reason-required', 'REQUEST.REASON_REQUIRED', {
      errors: [{ pointer: '/reason', detail: 'required when status is refused' }],
    });
    await dpo.post(`${base()}/requests/${fix.body.id}/transitions`).send({ status: 'in_review' });
    const refused = await dpo
      .post(`${base()}/requests/${fix.body.id}/transitions`)
      .send({ status: 'refused', reason: 'Namnet stämmer med folkbokföringen.' });
    expectContract(refused, 'POST', `${base()}/requests/${fix.body.id}/transitions`);
    expect(refused.body).toMatchObject({
      status: 'refused',
      resolution: { reason: 'Namnet stämmer med folkbokföringen.' },
    });
    const again = await dpo.post(`${base()}/requests/${fix.body.id}/transitions`).send({ status: 'done' });
    expectProblem(again, 409, 'request-transition-not-allowed', 'REQUEST.TRANSITION');
    const mine = await mother.get(`/v1/me/requests/${fix.body.id}`);
    expect(mine.body.events.map((e: { status: string; note: string | null }) => [e.status, e.note])).toEqual([
      ['received', null],
      ['in_review', null],
      ['refused', 'Namnet stämmer med folkbokföringen.'],
    ]);
    // A restriction carried out: nothing of the pupil goes anywhere but to the pupil and guardians.
    await dpo.post(`${base()}/requests/${old.body.id}/transitions`).send({ status: 'done' });
    const preview = await (
      await as(t, { role: 'registrar', kommun })
    )
      .post(`${base()}/records/${recordId}/disclosure-preview`)
      .send({ purpose: 'transfer' });
    expect(preview.body.allowed).toEqual([]);
    expect(new Set(preview.body.denied.map((d: { reason: string }) => d.reason))).toEqual(
      new Set(['restricted']),
    );
  });

  it('erases what the law does not say to keep, and purges the rest as retention falls due', async () => {
    const id = await record('rights-erase');
    const mother = await as(t, { role: 'guardian', kommun, civicNo: MOTHER });
    const erase = await mother
      .post('/v1/me/requests')
      .send({ recordId: id, kind: 'erasure', description: 'Vi har flyttat utomlands.' });
    const dpo = await as(t, { role: 'dpo', kommun });
    const done = await dpo.post(`${base()}/requests/${erase.body.id}/transitions`).send({ status: 'done' });
    expect(done.body.status).toBe('done');
    const registrar = await as(t, { role: 'registrar', kommun });
    expect((await registrar.get(`${base()}/records/${id}`)).status).toBe(410);
    const ds = t.app.get(DataSource);
    const [row] = await ds.query(
      `SELECT array(SELECT jsonb_object_keys(record) ORDER BY 1) AS sections FROM learner_records WHERE id = $1`,
      [id],
    );
    // Grades, enrolments and identity are kept (archived by law in the default policy); contact and guardians are gone.
    expect(row.sections).toEqual(['enrolments', 'grades', 'pupil', 'schemaVersion', 'source']);

    // Ten years on, nothing more is due: what is kept is kept.
    await ds.query(`UPDATE learner_records SET deleted_at = now() - interval '10 years' WHERE id = $1`, [id]);
    await t.app.get(RetentionPurge).run(kommun);
    const [after] = await ds.query(
      `SELECT array(SELECT jsonb_object_keys(record) ORDER BY 1) AS sections FROM learner_records WHERE id = $1`,
      [id],
    );
    expect(after.sections).toEqual(['enrolments', 'grades', 'pupil', 'schemaVersion', 'source']);

    // A pupil who left two years ago: assessments and attendance (P2Y) go, support (P5Y) stays.
    const left = await record('rights-left');
    await registrar.delete(`${base()}/records/${left}`);
    await ds.query(
      `UPDATE learner_records SET deleted_at = now() - interval '2 years 1 day', record = record || '{"attendance":[{"term":"HT2023","validAbsenceMinutes":30}],"supportMeasures":[{"kind":"Extra anpassningar","decidedDate":"2023-09-01"}]}'::jsonb WHERE id = $1`,
      [left],
    );
    const result = await t.app.get(RetentionPurge).run(kommun);
    expect(result.purged).toBeGreaterThanOrEqual(1);
    const [purged] = await ds.query(
      `SELECT array(SELECT jsonb_object_keys(record) ORDER BY 1) AS sections FROM learner_records WHERE id = $1`,
      [left],
    );
    expect(purged.sections).toEqual([
      'enrolments',
      'grades',
      'pupil',
      'schemaVersion',
      'source',
      'supportMeasures',
    ]);
    const audit = await t.app
      .get(AuditService)
      .list(kommun, { recordId: left, action: 'records:purge-sections', limit: 5 });
    expect(audit.data[0]).toMatchObject({
      outcome: 'succeeded',
      sections: expect.arrayContaining(['attendance', 'contact', 'guardians']),
    });
  });

  it('purges export packages past their time: the link then answers 410', async () => {
    const mother = await as(t, { role: 'guardian', kommun, civicNo: MOTHER });
    const started = await mother.post('/v1/me/exports').send({ recordId });
    const ready = await untilSettled(mother, `/v1/me/requests/${started.body.id}`);
    const path = new URL(ready.body.download.url).pathname;
    expect((await request(t.server).get(path)).status).toBe(200);
    const ds = t.app.get(DataSource);
    await ds.query(
      `UPDATE subject_requests SET package_expires_at = now() - interval '1 minute' WHERE id = $1`,
      [started.body.id],
    );
    expectProblem(await request(t.server).get(path), 410, 'package-gone', 'REQUEST.PACKAGE_GONE');
    const result = await t.app.get(RetentionPurge).run(kommun);
    expect(result.packages).toBe(1);
    const [{ n }] = await ds.query(
      `SELECT count(*)::int AS n FROM subject_request_files WHERE request_id = $1`,
      [started.body.id],
    );
    expect(n).toBe(0);
    expectProblem(
      await request(t.server).get('/v1/packages/not-a-token'),
      410,
      'package-gone',
      'REQUEST.PACKAGE_GONE',
    );
    expect((await mother.get(`/v1/me/requests/${started.body.id}`)).body.download).toBeNull();
  });
});
