import { createHash, randomBytes } from 'node:crypto';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { ExportFilesRepository } from '../../src/adapters/exports/export-files.repository';
import request from 'supertest';
import * as yauzl from 'yauzl';
import { civicNo } from '../../src/seed/seed-world';
import type { LearnerRecord } from '../../src/records/learner-record.types';
import { as, authAs } from '../helpers/auth';
import { expectContract, schemaErrors } from '../helpers/contract';
import { createKommun, createTestApp, TestApp } from '../helpers/create-test-app';
import { sampleRecord } from '../helpers/sample-record';

const MOTHER = '198002032384'; // the custodian in sampleRecord

/** A pupil of the given birth date, with contact data and support measures. */
function pupil(
  id: string,
  birthDate: string,
  serial: number,
  marking: LearnerRecord['pupil']['securityMarking'],
) {
  const record = sampleRecord(id, {
    contact: {
      emails: [{ type: 'Privat', value: `${id}@example.se` }],
      addresses: [
        {
          type: 'Folkbokföring',
          streetAddress: 'Hemliga gatan 1',
          postalCode: '722 15',
          locality: 'Västerås',
        },
      ],
    },
    supportMeasures: [{ kind: 'Extra anpassningar', decidedDate: '2025-09-01', subjectCodes: ['MA'] }],
  });
  record.pupil = {
    ...record.pupil,
    civicNo: { value: civicNo(birthDate, serial, false), nationality: 'SE' },
    birthDate,
    securityMarking: marking,
  };
  return record;
}

const binary = (res: request.Response, cb: (err: Error | null, body: Buffer) => void) => {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => cb(null, Buffer.concat(chunks)));
};

/** A zip's entries by name. */
async function unzip(bytes: Buffer): Promise<Record<string, Buffer>> {
  const zip = await new Promise<yauzl.ZipFile>((resolve, reject) =>
    yauzl.fromBuffer(bytes, { lazyEntries: true }, (err, z) => (err ? reject(err) : resolve(z))),
  );
  const out: Record<string, Buffer> = {};
  await new Promise<void>((resolve, reject) => {
    zip.on('entry', (entry: yauzl.Entry) =>
      zip.openReadStream(entry, (err, stream) => {
        if (err) return reject(err);
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          out[entry.fileName] = Buffer.concat(chunks);
          zip.readEntry();
        });
      }),
    );
    zip.on('end', () => resolve());
    zip.on('error', reject);
    zip.readEntry();
  });
  return out;
}

describe('adapter exports ask the decision point', () => {
  let t: TestApp;
  let kommun: string;
  let base: string;
  let registrar: Record<string, string>;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    t = await createTestApp();
    kommun = await createKommun(t, 'Exportkommun');
    base = `/v1/kommuner/${kommun}`;
    registrar = await authAs(t, { role: 'registrar', kommun });
    const records = {
      // Fourteen: provisioning on public task.
      older: pupil('older', '2012-03-15', 101, 'Ingen'),
      // Ten: under the consent age, no guardian has consented (GDPR Art. 8, lag 2018:218).
      younger: pupil('younger', '2016-05-05', 102, 'Ingen'),
      // Ten, with a guardian's consent for one named platform only.
      consented: pupil('consented', '2016-06-06', 103, 'Ingen'),
      // Fourteen, with skyddad folkbokföring: contact and location data stay in.
      hidden: pupil('hidden', '2012-04-04', 104, 'Skyddad folkbokföring'),
    };
    for (const [key, record] of Object.entries(records)) {
      const created = await request(t.server).post(`${base}/records`).set(registrar).send(record);
      expect(created.status).toBe(201);
      ids[key] = created.body.id;
    }
    const consent = await request(t.server)
      .post(`${base}/records/${ids.consented}/consents`)
      .set(registrar)
      .send({
        action: 'grant',
        givenBy: MOTHER,
        purpose: 'provisioning',
        categories: ['identity', 'enrolment', 'grades'],
        recipient: 'larplattform',
      });
    expect(consent.status).toBe(201);
    const platform = await request(t.server)
      .post(`${base}/platforms`)
      .set(await authAs(t, { role: 'admin', kommun }))
      .send({ name: 'larplattform', vendor: 'Leverantör', product: 'Lärplattform', adapter: 'ss12000' });
    expect(platform.status).toBe(201);
    ids.platform = platform.body.id;
  });
  afterAll(() => t?.close());

  async function exported(body: Record<string, unknown>) {
    const started = await request(t.server).post(`${base}/exports`).set(registrar).send(body);
    expectContract(started, 'POST', `${base}/exports`);
    expect(started.status).toBe(202);
    let job = started.body;
    for (let i = 0; i < 300 && ['queued', 'running'].includes(job.state); i++) {
      await new Promise((r) => setTimeout(r, 100));
      const res = await request(t.server).get(`${base}/exports/${job.id}`).set(registrar);
      expectContract(res, 'GET', `${base}/exports/${job.id}`);
      job = res.body;
    }
    expect(job.state).toBe('succeeded');
    const file = await request(t.server).get(job.file.href).set(registrar).buffer(true).parse(binary);
    expect(file.status).toBe(200);
    return { job, bytes: file.body as Buffer };
  }

  const lossesOf = (
    job: { loss: { entries: Array<{ record?: string; source: { pointer?: string }; detail: string }> } },
    id: string,
  ) => job.loss.entries.filter((e) => e.record === id);

  it('withholds a pupil without the consent the purpose needs, and lists the pupil as a loss', async () => {
    const { job, bytes } = await exported({ format: 'ss12000' });
    expect(job.disclosure).toEqual({ purpose: 'provisioning', recipient: null, withheld: 2 });
    expect(job.recordCount).toBe(2);
    const text = bytes.toString('utf8');
    expect(text).toContain(civicNo('2012-03-15', 101, false));
    for (const withheld of [ids.younger, ids.consented]) {
      expect(lossesOf(job, withheld)).toEqual([
        {
          kind: 'dropped',
          record: withheld,
          source: { pointer: '' },
          detail: expect.stringMatching(/^The whole record: .*consent/),
        },
      ]);
    }
    // A consent given for one named platform does not cover a file for no named recipient.
    expect(text).not.toContain(civicNo('2016-06-06', 103, false));
    expect(text).not.toContain(civicNo('2016-05-05', 102, false));
  });

  it('keeps the contact and location data of a pupil with skyddad folkbokföring in, and says so', async () => {
    const { job, bytes } = await exported({ format: 'ss12000' });
    const text = bytes.toString('utf8');
    expect(text).toContain(civicNo('2012-04-04', 104, false));
    expect(text).not.toContain('hidden@example.se');
    expect(text).toContain('older@example.se');
    expect(text.match(/Hemliga gatan/g)).toHaveLength(1);
    const pointers = lossesOf(job, ids.hidden).map((e) => e.source.pointer);
    expect(pointers).toEqual(expect.arrayContaining(['/contact', '/guardians', '/supportMeasures']));
    expect(lossesOf(job, ids.hidden).find((e) => e.source.pointer === '/contact')!.detail).toMatch(
      /security-marking/,
    );
    // Support measures never go to a platform, whoever the pupil is.
    expect(lossesOf(job, ids.older).map((e) => e.source.pointer)).toEqual(['/supportMeasures']);
  });

  it('decides an export for a registered platform with the platform as recipient, and audits each decision', async () => {
    const { job, bytes } = await exported({ platform: ids.platform });
    expect(job.disclosure).toEqual({ purpose: 'provisioning', recipient: 'larplattform', withheld: 1 });
    const text = bytes.toString('utf8');
    expect(text).toContain(civicNo('2016-06-06', 103, false));
    expect(text).not.toContain(civicNo('2016-05-05', 102, false));
    // What the guardian did not consent to stays in, and is listed.
    expect(text).not.toContain('consented@example.se');
    expect(lossesOf(job, ids.consented).map((e) => e.source.pointer)).toEqual(
      expect.arrayContaining(['/contact', '/supportMeasures']),
    );
    const dpo = await as(t, { role: 'dpo', kommun });
    const audit = await dpo.get(`${base}/audit/entries?action=disclosure:provisioning&limit=100`);
    expect(audit.status).toBe(200);
    const decisions = audit.body.data.filter(
      (e: { recipient: string | null }) => e.recipient === 'larplattform',
    );
    // Pupils decided alike share an entry; each pupil's decision is in exactly one.
    const outcomeOf = (id: string) => {
      const entries = decisions.filter((e: { pupilRecordIds: string[] }) => e.pupilRecordIds.includes(id));
      expect(entries).toHaveLength(1);
      return entries[0].outcome;
    };
    expect([ids.older, ids.hidden, ids.consented, ids.younger].map(outcomeOf)).toEqual([
      'allowed',
      'allowed',
      'allowed',
      'denied',
    ]);
    expect(decisions[0].actor).toMatchObject({ kind: 'person', role: 'registrar' });
  });

  it("gives a platform's export no more than the platform may read, and only its own exports", async () => {
    // Granted records and exports, but not civic numbers, guardians or contact data.
    const platform = await authAs(t, {
      role: 'platform',
      kommun,
      platform: 'larplattform',
      scopes: ['records:read', 'exports:read', 'exports:write', 'sections:enrolments', 'sections:grades'],
    });
    const started = await request(t.server).post(`${base}/exports`).set(platform).send({ format: 'ss12000' });
    expect(started.status).toBe(202);
    let job = started.body;
    for (let i = 0; i < 300 && ['queued', 'running'].includes(job.state); i++) {
      await new Promise((r) => setTimeout(r, 100));
      job = (await request(t.server).get(`${base}/exports/${job.id}`).set(platform)).body;
    }
    expect(job.state).toBe('succeeded');
    expect(job.recordCount).toBeGreaterThan(0);
    const file = await request(t.server).get(job.file.href).set(platform).buffer(true).parse(binary);
    expect(file.status).toBe(200);
    const text = (file.body as Buffer).toString('utf8');
    for (const [birth, serial] of [
      ['2012-03-15', 101],
      ['2012-04-04', 104],
      ['2016-06-06', 103],
    ] as const)
      expect(text).not.toContain(civicNo(birth, serial, false));
    expect(text).not.toContain(MOTHER);
    expect(text).not.toContain('Hemliga gatan');
    expect(text).not.toContain('@example.se');
    // A registrar's export is not the platform's: to it, it does not exist.
    const { job: theirs } = await exported({ format: 'ss12000' });
    for (const path of [`${base}/exports/${theirs.id}`, theirs.file.href, theirs.file.lossReport]) {
      const res = await request(t.server).get(path).set(platform);
      expect(res.status).toBe(404);
    }
  });
});

describe('loss reports travel with exports', () => {
  let t: TestApp;
  let kommun: string;
  let base: string;
  let registrar: Record<string, string>;

  beforeAll(async () => {
    t = await createTestApp();
    kommun = await createKommun(t, 'Förlustkommun');
    base = `/v1/kommuner/${kommun}`;
    registrar = await authAs(t, { role: 'registrar', kommun });
    for (const [i, id] of ['a', 'b', 'c'].entries()) {
      const created = await request(t.server)
        .post(`${base}/records`)
        .set(registrar)
        .send(pupil(`loss-${id}`, '2011-02-0' + (i + 1), 200 + i, 'Ingen'));
      expect(created.status).toBe(201);
    }
  });
  afterAll(() => t?.close());

  async function finishedExport(format: string) {
    const started = await request(t.server).post(`${base}/exports`).set(registrar).send({ format });
    let job = started.body;
    for (let i = 0; i < 300 && ['queued', 'running'].includes(job.state); i++) {
      await new Promise((r) => setTimeout(r, 100));
      job = (await request(t.server).get(`${base}/exports/${job.id}`).set(registrar)).body;
    }
    expect(job.state).toBe('succeeded');
    return job;
  }

  it('puts the complete loss report into a OneRoster bundle, the same as the job and the report beside it', async () => {
    const job = await finishedExport('oneroster-1.2');
    const file = await request(t.server).get(job.file.href).set(registrar).buffer(true).parse(binary);
    expect(file.headers.link).toBe(`<${job.file.lossReport}>; rel="describedby"; type="application/json"`);
    const entries = await unzip(file.body as Buffer);
    expect(Object.keys(entries)).toEqual(
      expect.arrayContaining(['manifest.csv', 'users.csv', 'loss-report.json']),
    );
    const bundled = JSON.parse(entries['loss-report.json'].toString('utf8'));
    expect(schemaErrors('LossReport', bundled)).toEqual([]);
    // Support measures: the decision point holds them back from every platform, one entry per pupil.
    const support = bundled.entries.filter(
      (e: { source: { pointer?: string } }) => e.source.pointer === '/supportMeasures',
    );
    expect(support).toHaveLength(3);
    expect(bundled).toMatchObject({ direction: 'export', adapter: 'oneroster-1.2', complete: true });
    expect(bundled.count).toBe(bundled.entries.length);
    expect(bundled.count).toBeGreaterThan(3);
    const { entries: listed, complete, ...head } = job.loss;
    expect(complete).toBe(true);
    expect(listed).toEqual(bundled.entries);
    expect(head).toEqual(
      Object.fromEntries(Object.entries(bundled).filter(([k]) => k !== 'entries' && k !== 'complete')),
    );
    const beside = await request(t.server).get(job.file.lossReport).set(registrar);
    expectContract(beside, 'GET', job.file.lossReport);
    expect(beside.body).toEqual(bundled);
  });

  it('signs CLR credentials with the kommun key while the writer runs on its own thread', async () => {
    const job = await finishedExport('clr-2.0');
    expect(job.recordCount).toBe(3);
    const file = await request(t.server).get(job.file.href).set(registrar).buffer(true).parse(binary);
    const lines = (file.body as Buffer)
      .toString('utf8')
      .split('\n')
      .filter((l) => l.trim() !== '');
    expect(lines).toHaveLength(3);
    const jwks = await request(t.server).get(`/kommuner/${kommun}/.well-known/jwks.json`);
    const keys = createLocalJWKSet(jwks.body);
    for (const jwt of lines) {
      const { payload, protectedHeader } = await jwtVerify(jwt, keys);
      expect(protectedHeader.kid).toContain(`/kommuner/${kommun}/`);
      expect(JSON.stringify(payload)).toContain('ClrCredential');
    }
  });

  it('serves the report of a single-document export beside it, named by the Link header', async () => {
    const job = await finishedExport('ss12000');
    const file = await request(t.server).get(job.file.href).set(registrar).buffer(true).parse(binary);
    expect(JSON.parse((file.body as Buffer).toString('utf8'))).not.toHaveProperty('lossReport');
    expect(file.headers.link).toContain(`<${job.file.lossReport}>`);
    const beside = await request(t.server).get(job.file.lossReport).set(registrar);
    expectContract(beside, 'GET', job.file.lossReport);
    expect(beside.body.entries).toEqual(job.loss.entries);
    expect(beside.body.entries.length).toBeGreaterThan(0);
  });
  it('stores a file of many pieces and reads every byte back, as the download serves it', async () => {
    // 20 MB of every byte value: 18 pieces of 1.2 MB, read eight at a time by binary COPY (a zip's
    // bytes must come back as they were, and the pieces in order across the reads).
    const job = await finishedExport('oneroster-1.2');
    const otherKommun = await createKommun(t, 'Grannkommun');
    const files = t.app.get(ExportFilesRepository);
    const bytes = randomBytes(20 * 1024 * 1024 + 12345);
    async function* pieces() {
      for (let at = 0; at < bytes.length; at += 300_000) {
        await Promise.resolve();
        yield bytes.subarray(at, at + 300_000);
      }
    }
    await files.clear(kommun, job.id);
    const stored = await files.store(kommun, job.id, 'file', pieces());
    expect(stored).toEqual({ size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') });
    const read: Buffer[] = [];
    for await (const piece of files.read(kommun, job.id, 'file')) read.push(piece);
    expect(read.length).toBe(18);
    expect(Buffer.concat(read).equals(bytes)).toBe(true);
    // Another kommun's reading finds nothing (row-level security holds for COPY too).
    const elsewhere: Buffer[] = [];
    for await (const piece of files.read(otherKommun, job.id, 'file')) elsewhere.push(piece);
    expect(elsewhere).toEqual([]);
  });
});
