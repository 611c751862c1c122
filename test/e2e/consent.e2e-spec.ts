import { compactVerify, createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import request from 'supertest';
import { DEFAULT_POLICY } from '../../src/consent/consent-policy';
import { as, authAs } from '../helpers/auth';
import { expectContract } from '../helpers/contract';
import { createKommun, createTestApp, TestApp } from '../helpers/create-test-app';
import { expectProblem } from '../helpers/problem';
import { sampleRecord } from '../helpers/sample-record';

const MOTHER = '198002032384'; // custodian in sampleRecord
const FATHER = '197905112384';

describe('consent: the policy, consents with signed receipts, and the decision preview', () => {
  let t: TestApp;
  let kommun: string;
  let recordId: string;
  let protectedId: string;
  const base = () => `/v1/kommuner/${kommun}`;

  beforeAll(async () => {
    t = await createTestApp();
    kommun = await createKommun(t, 'Samtyckeskommun');
    const registrar = await as(t, { role: 'registrar', kommun });
    const record = sampleRecord('consent-1', {
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
    // Ten years old: under the consent age, so her guardians consent for her.
    record.pupil = {
      ...record.pupil,
      civicNo: { value: '201605052388', nationality: 'SE' },
      birthDate: '2016-05-05',
    };
    const created = await registrar.post(`${base()}/records`).send(record);
    expect(created.status).toBe(201);
    recordId = created.body.id;
    const hidden = await registrar.post(`${base()}/records`).send({
      ...record,
      source: { platform: 'test-platform', id: 'consent-2' },
      pupil: { ...record.pupil, securityMarking: 'Skyddad folkbokföring' },
    });
    protectedId = hidden.body.id;
  });
  afterAll(() => t?.close());

  it('starts every kommun on the default policy, and keeps every version of a change', async () => {
    const admin = await as(t, { role: 'admin', kommun });
    const first = await admin.get(`${base()}/policy`);
    expectContract(first, 'GET', `${base()}/policy`);
    expect(first.body).toMatchObject({ version: 0, document: DEFAULT_POLICY });
    const bad = await admin.put(`${base()}/policy`).send({ ...DEFAULT_POLICY, consentAge: 9, colour: 'red' });
    expectProblem(bad, 422, 'policy-invalid', 'POLICY.INVALID', {
      errors: expect.arrayContaining([
        { pointer: '/consentAge', detail: expect.any(String) },
        { pointer: '/', detail: 'unknown member colour' },
      ]),
    });
    const changed = await admin.put(`${base()}/policy`).send({ ...DEFAULT_POLICY, guardianConsent: 'all' });
    expectContract(changed, 'PUT', `${base()}/policy`);
    expect(changed.body).toMatchObject({ version: 1, document: { guardianConsent: 'all' } });
    expect((await admin.get(`${base()}/policy?version=0`)).body.document.guardianConsent).toBe('any');
    const versions = await admin.get(`${base()}/policy/versions`);
    expect(versions.body.data.map((v: { version: number }) => v.version)).toEqual([1, 0]);
    const back = await admin.put(`${base()}/policy`).send(DEFAULT_POLICY);
    expect(back.body.version).toBe(2);
    const registrar = await as(t, { role: 'registrar', kommun });
    expectProblem(
      await registrar.put(`${base()}/policy`).send(DEFAULT_POLICY),
      403,
      'forbidden',
      'AUTH.FORBIDDEN',
    );
  });

  it('lets a guardian with custody give and withdraw consent in one call each, with a receipt verifiable offline', async () => {
    const mother = await as(t, { role: 'guardian', kommun, civicNo: MOTHER });
    const path = `/v1/me/children/${recordId}/consents`;
    const given = await mother.post(path).send({ purpose: 'transfer', categories: ['contact', 'evidence'] });
    expectContract(given, 'POST', path);
    expect(given.status).toBe(201);
    const jwks = createLocalJWKSet((await request(t.server).get('/.well-known/jwks.json')).body);
    expect(decodeProtectedHeader(given.body.receipt)).toMatchObject({ typ: 'consent-receipt+jwt' });
    const { payload } = await jwtVerify(given.body.receipt, jwks, { typ: 'consent-receipt+jwt' });
    expect(payload).toMatchObject({
      version: 'KI-CR-v1.1.0',
      jurisdiction: 'SE',
      consentTimestamp: expect.any(Number),
      collectionMethod: expect.any(String),
      consentReceiptID: given.body.id,
      language: 'sv',
      piiPrincipalId: recordId,
      piiControllers: [expect.objectContaining({ piiController: 'Samtyckeskommun' })],
      policyUrl: expect.stringContaining('/policy?version='),
      services: [
        {
          service: 'portabel',
          purposes: [
            expect.objectContaining({
              purposeCategory: ['transfer'],
              consentType: 'EXPLICIT',
              piiCategory: expect.arrayContaining(['Kontaktuppgifter och vårdnadshavare']),
              termination: expect.any(String),
              thirdPartyDisclosure: false,
            }),
          ],
        },
      ],
      sensitive: false,
      spiCat: [],
    });
    expect(JSON.stringify(payload)).not.toContain(MOTHER); // the receipt names no civic number
    let state = await mother.get(path);
    expectContract(state, 'GET', path);
    const contact = () =>
      state.body.state.purposes
        .find((p: { purpose: string }) => p.purpose === 'transfer')
        .categories.find((c: { category: string }) => c.category === 'contact');
    expect(contact()).toMatchObject({ basis: 'consent', consented: true });

    const withdrawn = await mother
      .post(`${path}/withdrawals`)
      .send({ purpose: 'transfer', categories: ['contact'] });
    expect(withdrawn.status).toBe(201);
    expect((await jwtVerify(withdrawn.body.receipt, jwks)).payload).toMatchObject({
      portabel: { action: 'withdraw' },
    });
    state = await mother.get(path);
    expect(contact()).toMatchObject({ consented: false });
    expect(
      state.body.history.map((h: { action: string; givenByYou: boolean }) => [h.action, h.givenByYou]),
    ).toEqual([
      ['grant', true],
      ['withdraw', true],
    ]);
  });

  it('gives a guardian without custody nothing, and a stranger nothing', async () => {
    const father = await as(t, { role: 'guardian', kommun, civicNo: FATHER });
    const res = await father
      .post(`/v1/me/children/${recordId}/consents`)
      .send({ purpose: 'transfer', categories: ['contact'] });
    expectProblem(res, 404, 'record-not-found', 'RECORD.NOT_FOUND');
    expect((await father.get(`/v1/me/children/${recordId}/consents`)).status).toBe(404);
  });

  it('lets a registrar record a consent given on paper, by a custodian only', async () => {
    const registrar = await as(t, { role: 'registrar', kommun });
    const path = `${base()}/records/${recordId}/consents`;
    const paper = await registrar.post(path).send({
      action: 'grant',
      givenBy: MOTHER,
      purpose: 'thirdParty',
      categories: ['identity', 'grades'],
      recipient: 'Idrottsföreningen',
    });
    expectContract(paper, 'POST', path);
    expect(paper.body).toMatchObject({ collectionMethod: 'paper', recipient: 'Idrottsföreningen' });
    const stranger = await registrar
      .post(path)
      .send({ action: 'grant', givenBy: FATHER, purpose: 'thirdParty', categories: ['identity'] });
    expectProblem(stranger, 403, 'not-a-consenter', 'CONSENT.NOT_A_CONSENTER');
    const overview = await registrar.get(path);
    expectContract(overview, 'GET', path);
    expect(overview.body.history.length).toBeGreaterThanOrEqual(3);
  });

  it('shows before anything is sent exactly what would go, on which basis, and why not the rest', async () => {
    const registrar = await as(t, { role: 'registrar', kommun });
    const path = `${base()}/records/${recordId}/disclosure-preview`;
    const preview = await registrar.post(path).send({ purpose: 'transfer' });
    expectContract(preview, 'POST', path);
    expect(preview.body.allowed).toEqual(
      expect.arrayContaining([{ category: 'grades', basis: 'legalObligation' }]),
    );
    expect(preview.body.denied).toEqual(
      expect.arrayContaining([
        { category: 'contact', reason: 'no-consent' },
        { category: 'groups', reason: 'not-for-purpose' },
      ]),
    );
    expect(
      preview.body.explained.denied.find((d: { category: string }) => d.category === 'contact').reasonText.sv,
    ).toMatch(/samtycke/);
    const third = await registrar.post(path).send({ purpose: 'thirdParty', recipient: 'Idrottsföreningen' });
    expect(third.body.allowed).toEqual([
      { category: 'identity', basis: 'consent', consentReceipts: [expect.any(String)] },
      { category: 'grades', basis: 'consent', consentReceipts: [expect.any(String)] },
    ]);
  });

  it('never lets contact data of a pupil with skyddad folkbokföring go to a school, consent or not', async () => {
    await (
      await as(t, { role: 'guardian', kommun, civicNo: MOTHER })
    )
      .post(`/v1/me/children/${protectedId}/consents`)
      .send({ purpose: 'transfer', categories: ['contact'] });
    const registrar = await as(t, { role: 'registrar', kommun });
    const preview = await registrar
      .post(`${base()}/records/${protectedId}/disclosure-preview`)
      .send({ purpose: 'transfer' });
    expect(preview.body.denied).toEqual(
      expect.arrayContaining([{ category: 'contact', reason: 'security-marking' }]),
    );
  });

  it('keeps the history: the application role can add consents but never change or remove one', async () => {
    const { DataSource } = await import('typeorm');
    const ds = t.app.get(DataSource);
    const runner = ds.createQueryRunner();
    await runner.connect();
    try {
      await runner.startTransaction();
      await runner.query(
        `SELECT set_config('app.kommun', $1, true), set_config('role', 'portabel_app', true)`,
        [kommun],
      );
      await expect(runner.query(`UPDATE consents SET action = 'grant'`)).rejects.toThrow(/permission denied/);
    } finally {
      await runner.rollbackTransaction();
      await runner.release();
    }
    // Signed receipts check out even read back from the history.
    const history = (
      await (await as(t, { role: 'registrar', kommun })).get(`${base()}/records/${recordId}/consents`)
    ).body.history;
    const jwks = createLocalJWKSet(
      (await request(t.server).get(`/kommuner/${kommun}/.well-known/jwks.json`)).body,
    );
    for (const h of history) await expect(compactVerify(h.receipt, jwks)).resolves.toBeTruthy();
    void authAs;
  });
});
