import { Client } from 'pg';
import request from 'supertest';
import { authAs } from '../helpers/auth';
import { DataSource } from 'typeorm';
import { createKommun, createTestApp, TestApp } from '../helpers/create-test-app';
import { expectProblem } from '../helpers/problem';
import { serverUrl } from '../helpers/test-database';

/**
 * When the database goes away, requests get a 503 problem (with Retry-After) rather than a 500 or a
 * hang, and the service reconnects by itself once it is back.
 */
describe('losing the database connection', () => {
  let t: TestApp;
  let kommun: string;
  let registrar: Record<string, string>;

  beforeAll(async () => {
    t = await createTestApp({ DB_POOL_SIZE: '1' });
    kommun = await createKommun(t);
    registrar = await authAs(t, { role: 'registrar', kommun });
  });
  afterAll(() => t.close());

  const list = () => request(t.server).get(`/v1/kommuner/${kommun}/records`).set(registrar);

  async function eventuallyOk(): Promise<void> {
    for (let i = 0; i < 20; i++) {
      const res = await list();
      if (res.status === 200) return;
      expect(res.status).toBe(503);
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('the service did not reconnect');
  }

  if (serverUrl()) {
    it('survives its connection being terminated by the server', async () => {
      const [{ pid }] = await t.app.get(DataSource).query('SELECT pg_backend_pid() AS pid');
      const admin = new Client({ connectionString: serverUrl() });
      await admin.connect();
      await admin.query('SELECT pg_terminate_backend($1)', [pid]);
      await admin.end();
      const res = await list();
      expect([200, 503]).toContain(res.status);
      if (res.status === 503) expect(res.headers['retry-after']).toBe('5');
      await eventuallyOk();
    });
  } else {
    it('answers 503 while the embedded database is unreachable, and recovers when it returns', async () => {
      const embedded = t.running.database.embedded!;
      await embedded.stopSocket();
      const down = await list();
      expectProblem(down, 503, 'database-unavailable', 'DATABASE.UNAVAILABLE');
      expect(down.headers['retry-after']).toBe('5');
      const ready = await request(t.server).get('/health/ready');
      expect(ready.status).toBe(503);
      expect(ready.headers['content-type']).toMatch(/problem\+json/);
      await embedded.startSocket();
      await eventuallyOk();
      expect((await request(t.server).get('/health/ready')).status).toBe(200);
    });
  }
});
