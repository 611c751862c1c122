import request from 'supertest';
import { authAs } from '../helpers/auth';
import { expectContract } from '../helpers/contract';
import { createKommun, createTestApp, TestApp } from '../helpers/create-test-app';
import { expectProblem } from '../helpers/problem';

describe('kommuner and school units', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('registers, lists, reads and renames a kommun', async () => {
    const code = await createKommun(t, 'Västerås');
    const operator = await authAs(t, { role: 'operator' });
    const got = await request(t.server).get(`/v1/kommuner/${code}`).set(operator);
    expectContract(got, 'GET', `/v1/kommuner/${code}`);
    expect(got.body).toMatchObject({ code, name: 'Västerås' });
    const list = await request(t.server).get('/v1/kommuner').set(operator);
    expectContract(list, 'GET', '/v1/kommuner');
    expect(list.body.data.map((k: { code: string }) => k.code)).toContain(code);
    const renamed = await request(t.server)
      .patch(`/v1/kommuner/${code}`)
      .set(await authAs(t, { role: 'admin', kommun: code }))
      .send({ name: 'Västerås stad' });
    expectContract(renamed, 'PATCH', `/v1/kommuner/${code}`);
    expect(renamed.body.name).toBe('Västerås stad');
  });

  it('refuses a duplicate (409), a bad code and unknown fields (400)', async () => {
    const code = await createKommun(t);
    const operator = await authAs(t, { role: 'operator' });
    const dup = await request(t.server).post('/v1/kommuner').set(operator).send({ code, name: 'Again' });
    expectProblem(dup, 409, 'kommun-exists', 'KOMMUN.EXISTS');
    expectContract(dup, 'POST', '/v1/kommuner');
    const bad = await request(t.server)
      .post('/v1/kommuner')
      .set(operator)
      .send({ code: '19800', name: '', colour: 'red' });
    expectProblem(bad, 400, 'validation-failed', 'REQUEST.INVALID', {
      errors: expect.arrayContaining([
        { pointer: '/code', detail: expect.any(String) },
        { pointer: '/name', detail: expect.any(String) },
        { pointer: '/colour', detail: expect.any(String) },
      ]),
    });
    expectContract(bad, 'POST', '/v1/kommuner');
    const missing = await request(t.server).get('/v1/kommuner/0001').set(operator);
    expectProblem(missing, 404, 'kommun-not-found', 'KOMMUN.NOT_FOUND');
  });

  it('creates, replaces, lists and removes school units', async () => {
    const code = await createKommun(t);
    const admin = await authAs(t, { role: 'admin', kommun: code });
    const url = `/v1/kommuner/${code}/school-units/19283746`;
    const created = await request(t.server)
      .put(url)
      .set(admin)
      .send({ name: 'Kopparlundsgymnasiet', schoolTypes: ['GY'] });
    expectContract(created, 'PUT', url);
    expect(created.status).toBe(201);
    const replaced = await request(t.server)
      .put(url)
      .set(admin)
      .send({ name: 'Kopparlundsgymnasiet', schoolTypes: ['GY', 'GYS'] });
    expect(replaced.status).toBe(200);
    expect(replaced.body.schoolTypes).toEqual(['GY', 'GYS']);
    const list = await request(t.server).get(`/v1/kommuner/${code}/school-units`).set(admin);
    expectContract(list, 'GET', `/v1/kommuner/${code}/school-units`);
    expect(list.body.data).toHaveLength(1);
    expect((await request(t.server).delete(url).set(admin)).status).toBe(204);
    const gone = await request(t.server).get(url).set(admin);
    expectProblem(gone, 404, 'school-unit-not-found', 'SCHOOL_UNIT.NOT_FOUND');
    expectContract(gone, 'GET', url);
  });

  it('refuses an unknown school type with a pointer', async () => {
    const code = await createKommun(t);
    const res = await request(t.server)
      .put(`/v1/kommuner/${code}/school-units/19283746`)
      .set(await authAs(t, { role: 'admin', kommun: code }))
      .send({ name: 'X', schoolTypes: ['GR', 'NOPE'] });
    expectProblem(res, 400, 'validation-failed', 'REQUEST.INVALID', {
      errors: [{ pointer: '/schoolTypes', detail: expect.any(String) }],
    });
  });
});
