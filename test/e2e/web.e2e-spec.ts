import request from 'supertest';
import { as } from '../helpers/auth';
import { createKommun, createTestApp, TestApp } from '../helpers/create-test-app';
import { sampleRecord } from '../helpers/sample-record';
import { csrfOf, webSignIn } from '../helpers/web';

const GUARDIAN = '198002032384'; // the custodian in sampleRecord
const PUPIL_NAME = /Märta|Öberg/;

describe('web pages: sign-in, session, CSRF, CSP', () => {
  let t: TestApp;
  let kommun: string;
  let recordId: string;

  beforeAll(async () => {
    t = await createTestApp();
    kommun = await createKommun(t);
    const registrar = await as(t, { role: 'registrar', kommun });
    const created = await registrar.post(`/v1/kommuner/${kommun}/records`).send(sampleRecord('web-1'));
    expect(created.status).toBe(201);
    recordId = created.body.id;
  });
  afterAll(() => t.close());

  it('signs a guardian in with the code flow and shows their child', async () => {
    const s = await webSignIn(t, { role: 'guardian', kommun, civicNo: GUARDIAN });
    const home = await s.get('/app/home');
    expect(home.status).toBe(200);
    expect(home.text).toContain(`/app/children/${recordId}`);
    expect(home.text).toMatch(PUPIL_NAME);
    expect(home.text).not.toMatch(/<title>[^<]*(Märta|Öberg)/);
  });
});
