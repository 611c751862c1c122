import request from 'supertest';
import { AuditService } from '../../src/audit/audit.service';
import { as, tokenFor } from '../helpers/auth';
import { createKommun, createTestApp, TestApp } from '../helpers/create-test-app';
import { sampleRecord } from '../helpers/sample-record';

/** Every read and write of a pupil, every refusal and every failed sign-in is in the kommun's chain. */
describe('access is audited', () => {
  let t: TestApp;
  let kommun: string;
  let other: string;
  let recordId: string;
  let audit: AuditService;

  const entries = async (k: string, filter: { action?: string; recordId?: string; outcome?: string } = {}) =>
    (await audit.list(k, { ...filter, limit: 200 })).data;

  beforeAll(async () => {
    t = await createTestApp();
    audit = t.app.get(AuditService);
    kommun = await createKommun(t, 'Granskningskommun');
    other = await createKommun(t, 'Annan kommun');
    const registrar = await as(t, { role: 'registrar', kommun, sub: 'registrar-1' });
    recordId = (await registrar.post(`/v1/kommuner/${kommun}/records`).send(sampleRecord('audited'))).body.id;
  });
  afterAll(() => t?.close());

  it('enters a read with who, as what, which pupil, the data and its basis, and the request id, before the answer is sent', async () => {
    const registrar = await as(t, { role: 'registrar', kommun, sub: 'registrar-1' });
    const res = await registrar
      .get(`/v1/kommuner/${kommun}/records/${recordId}`)
      .set('x-request-id', 'trace-audit-1');
    expect(res.status).toBe(200);
    const [read] = await entries(kommun, { action: 'records:read', recordId });
    expect(read).toMatchObject({
      actor: { kind: 'person', subject: 'registrar-1', role: 'registrar' },
      action: 'records:read',
      outcome: 'allowed',
      pupilRecordIds: [recordId],
      requestId: 'trace-audit-1',
      // The whole record, on the school's public task.
      sections: expect.arrayContaining(['identity', 'grades', 'support']),
      legalBasis: expect.objectContaining({ grades: 'GDPR Art. 6(1)(e)', support: 'GDPR Art. 6(1)(e)' }),
    });
    const [write] = await entries(kommun, { action: 'records:write', recordId });
    expect(write).toMatchObject({ outcome: 'allowed', pupilRecordIds: [recordId] });
  });

  it('enters every pupil of a page read', async () => {
    const registrar = await as(t, { role: 'registrar', kommun });
    await registrar.get(`/v1/kommuner/${kommun}/records`).set('x-request-id', 'trace-audit-list');
    const list = (await entries(kommun, { action: 'records:read' })).find(
      (e) => e.requestId === 'trace-audit-list',
    );
    expect(list?.pupilRecordIds).toEqual([recordId]);
  });

  it('enters refusals and failed sign-ins, in the chain of the kommun they aimed at', async () => {
    const stranger = await as(t, { role: 'registrar', kommun: other, sub: 'stranger' });
    expect(
      (await stranger.get(`/v1/kommuner/${kommun}/records/${recordId}`).set('x-request-id', 'trace-refused'))
        .status,
    ).toBe(403);
    const forged = `${(await tokenFor(t, { role: 'registrar', kommun })).slice(0, -4)}AAAA`;
    await request(t.server)
      .get(`/v1/kommuner/${kommun}/records`)
      .set('authorization', `Bearer ${forged}`)
      .set('x-request-id', 'trace-forged');
    await request(t.server).get(`/v1/kommuner/${kommun}/records`).set('x-request-id', 'trace-none');
    const denied = await entries(kommun, { outcome: 'denied' });
    expect(denied.find((e) => e.requestId === 'trace-refused')).toMatchObject({
      actor: { kind: 'person', subject: 'stranger' },
      action: 'records:read',
      pupilRecordIds: [recordId],
      detail: { code: 'AUTH.FORBIDDEN' },
    });
    expect(denied.find((e) => e.requestId === 'trace-forged')).toMatchObject({
      actor: { kind: 'anonymous' },
      action: 'auth:sign-in',
      detail: { code: 'AUTH.TOKEN_INVALID' },
    });
    expect(denied.find((e) => e.requestId === 'trace-none')).toMatchObject({
      action: 'auth:sign-in',
      detail: { code: 'AUTH.TOKEN_MISSING' },
    });
    const report = await audit.verify(kommun);
    expect(report.ok).toBe(true);
  });

  it('enters a request that failed after it was allowed, with its problem code', async () => {
    const registrar = await as(t, { role: 'registrar', kommun });
    const missing = '00000000-0000-4000-8000-000000000000';
    expect((await registrar.get(`/v1/kommuner/${kommun}/records/${missing}`)).status).toBe(404);
    const [failed] = await entries(kommun, { outcome: 'failed', recordId: missing });
    expect(failed).toMatchObject({ action: 'records:read', detail: { code: 'RECORD.NOT_FOUND' } });
  });
});
