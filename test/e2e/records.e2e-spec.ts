import request from 'supertest';
import { expectContract } from '../helpers/contract';
import { createKommun, createTestApp, TestApp } from '../helpers/create-test-app';
import { sampleRecord } from '../helpers/sample-record';

describe('records API', () => {
  let t: TestApp;
  let kommun: string;

  beforeAll(async () => {
    t = await createTestApp();
    kommun = await createKommun(t.server);
  });
  afterAll(() => t.close());

  it('creates a record, then reads it back with its ETag', async () => {
    const created = await request(t.server).post(`/v1/kommuner/${kommun}/records`).send(sampleRecord('p-1'));
    expectContract(created, 'POST', `/v1/kommuner/${kommun}/records`);
    expect(created.status).toBe(201);
    expect(created.headers['x-upsert-result']).toBe('created');
    expect(created.headers.etag).toBe('"v1"');
    expect(created.headers.location).toBe(`/v1/kommuner/${kommun}/records/${created.body.id}`);
    expect(created.body.record.pupil.provenance).toMatchObject({ sourcePlatform: 'test-platform', sourceId: 'p-1', adapter: 'api' });

    const got = await request(t.server).get(created.headers.location);
    expectContract(got, 'GET', created.headers.location);
    expect(got.status).toBe(200);
    expect(got.body).toEqual(created.body);
    expect(got.headers.etag).toBe('"v1"');
  });
});
