import { DataSource } from 'typeorm';
import request from 'supertest';
import { authAs } from '../helpers/auth';
import { createKommun, createTestApp, TestApp } from '../helpers/create-test-app';
import { sampleRecord } from '../helpers/sample-record';

/**
 * No request can read or change another kommun's data: a caller of kommun B is refused (403) on
 * kommun A's paths by the access guard, and each endpoint is tried by B's caller with B's path on
 * kommun A's data. Then the second wall: raw SQL as the application's role, with B's tenant set,
 * sees and changes none of A's rows.
 */
describe('tenant isolation', () => {
  let t: TestApp;
  let a: string;
  let b: string;
  let recordA: { id: string; version: number };
  let recordB: { id: string };
  /** Callers of each kommun: registrars (records) and administrators (school units). */
  let registrarA: Record<string, string>;
  let registrarB: Record<string, string>;
  let adminA: Record<string, string>;
  let adminB: Record<string, string>;

  beforeAll(async () => {
    t = await createTestApp();
    a = await createKommun(t, 'Kommun A');
    b = await createKommun(t, 'Kommun B');
    registrarA = await authAs(t, { role: 'registrar', kommun: a });
    registrarB = await authAs(t, { role: 'registrar', kommun: b });
    adminA = await authAs(t, { role: 'admin', kommun: a });
    adminB = await authAs(t, { role: 'admin', kommun: b });
    recordA = (
      await request(t.server)
        .post(`/v1/kommuner/${a}/records`)
        .set(registrarA)
        .send(sampleRecord('shared-source-id'))
    ).body;
    recordB = (
      await request(t.server)
        .post(`/v1/kommuner/${b}/records`)
        .set(registrarB)
        .send(
          sampleRecord('only-in-b', {
            pupil: { givenName: 'Bo', familyName: 'Bsson', securityMarking: 'Ingen' },
          }),
        )
    ).body;
    await request(t.server)
      .put(`/v1/kommuner/${a}/school-units/11223344`)
      .set(adminA)
      .send({ name: 'A-skolan', schoolTypes: ['GR'] });
  });
  afterAll(() => t.close());

  const recordOfA = () => request(t.server).get(`/v1/kommuner/${a}/records/${recordA.id}`).set(registrarA);

  it("a caller of kommun B is refused (403) on every one of kommun A's paths, and learns nothing", async () => {
    const record = sampleRecord('shared-source-id');
    const unit = { name: 'B-skolan', schoolTypes: ['GR'] };
    const pathsOfA: Array<[method: 'get' | 'put' | 'post' | 'delete', path: string, body?: object]> = [
      ['get', `/v1/kommuner/${a}/records/${recordA.id}`],
      ['put', `/v1/kommuner/${a}/records/${recordA.id}`, record],
      ['delete', `/v1/kommuner/${a}/records/${recordA.id}`],
      ['post', `/v1/kommuner/${a}/records`, record],
      ['get', `/v1/kommuner/${a}/records`],
      ['get', `/v1/kommuner/${a}/changes`],
      ['get', `/v1/kommuner/${a}/school-units`],
      ['get', `/v1/kommuner/${a}/school-units/11223344`],
      ['put', `/v1/kommuner/${a}/school-units/11223344`, unit],
      ['delete', `/v1/kommuner/${a}/school-units/11223344`],
    ];
    for (const [method, path, body] of pathsOfA) {
      const caller = path.includes('/school-units') ? adminB : registrarB;
      const req = request(t.server)[method](path).set(caller).set('if-match', '"v1"');
      const res = body ? await req.send(body) : await req;
      expect({ method, path, status: res.status }).toEqual({ method, path, status: 403 });
      expect(JSON.stringify(res.body)).not.toMatch(/Märta|Öberg|201203152382|A-skolan/);
    }
    expect((await recordOfA()).body).toMatchObject({ version: 1, record: { pupil: { givenName: 'Märta' } } });
    expect((await request(t.server).get(`/v1/kommuner/${a}/school-units/11223344`).set(adminA)).status).toBe(
      200,
    );
  });

  it('GET a record through another kommun is 404, with nothing of the record in the body', async () => {
    const res = await request(t.server).get(`/v1/kommuner/${b}/records/${recordA.id}`).set(registrarB);
    expect(res.status).toBe(404);
    expect(JSON.stringify(res.body)).not.toMatch(/Märta|Öberg|201203152382/);
    // And the other way round: A's own caller on A's path cannot reach B's record by its id.
    const fromA = await request(t.server).get(`/v1/kommuner/${a}/records/${recordB.id}`).set(registrarA);
    expect(fromA.status).toBe(404);
    expect(JSON.stringify(fromA.body)).not.toMatch(/Bsson/);
  });

  it('PUT through another kommun is 404 and leaves the record alone', async () => {
    const res = await request(t.server)
      .put(`/v1/kommuner/${b}/records/${recordA.id}`)
      .set(registrarB)
      .set('if-match', '"v1"')
      .send(
        sampleRecord('shared-source-id', {
          pupil: { givenName: 'X', familyName: 'Y', securityMarking: 'Ingen' },
        }),
      );
    expect(res.status).toBe(404);
    expect((await recordOfA()).body.record.pupil.givenName).toBe('Märta');
  });

  it('DELETE through another kommun is 404 and leaves the record alone', async () => {
    expect(
      (await request(t.server).delete(`/v1/kommuner/${b}/records/${recordA.id}`).set(registrarB)).status,
    ).toBe(404);
    expect((await recordOfA()).status).toBe(200);
  });

  it('an upsert with the same source in another kommun makes a separate record', async () => {
    const res = await request(t.server)
      .post(`/v1/kommuner/${b}/records`)
      .set(registrarB)
      .send(
        sampleRecord('shared-source-id', {
          pupil: { givenName: 'Other', familyName: 'Pupil', securityMarking: 'Ingen' },
        }),
      );
    expect(res.status).toBe(201);
    expect(res.body.id).not.toBe(recordA.id);
    expect((await recordOfA()).body.record.pupil.givenName).toBe('Märta');
  });

  it("lists, changes and school units of one kommun never show another's", async () => {
    const list = await request(t.server).get(`/v1/kommuner/${b}/records?limit=200`).set(registrarB);
    expect(list.body.data.map((r: { id: string }) => r.id)).not.toContain(recordA.id);
    const changes = await request(t.server).get(`/v1/kommuner/${b}/changes?limit=1000`).set(registrarB);
    expect(changes.body.data.map((c: { recordId: string }) => c.recordId)).not.toContain(recordA.id);
    const units = await request(t.server).get(`/v1/kommuner/${b}/school-units`).set(adminB);
    expect(units.body.data).toEqual([]);
    expect((await request(t.server).get(`/v1/kommuner/${b}/school-units/11223344`).set(adminB)).status).toBe(
      404,
    );
    expect(
      (await request(t.server).delete(`/v1/kommuner/${b}/school-units/11223344`).set(adminB)).status,
    ).toBe(404);
    expect((await request(t.server).get(`/v1/kommuner/${a}/school-units/11223344`).set(adminA)).status).toBe(
      200,
    );
  });

  it('an Idempotency-Key of one kommun is not seen by another', async () => {
    const key = `tenant-key-${Date.now()}`;
    const first = await request(t.server)
      .post(`/v1/kommuner/${a}/records`)
      .set(registrarA)
      .set('idempotency-key', key)
      .send(sampleRecord('idem-a'));
    const second = await request(t.server)
      .post(`/v1/kommuner/${b}/records`)
      .set(registrarB)
      .set('idempotency-key', key)
      .send(sampleRecord('idem-b'));
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(second.body.kommunCode).toBe(b);
  });

  describe('row-level security (raw SQL as the application role)', () => {
    const asTenant = async <T>(kommun: string | null, sql: string, params: unknown[] = []): Promise<T> => {
      const ds = t.app.get(DataSource);
      return ds.transaction(async (em) => {
        await em.query(`SELECT set_config('role', 'portabel_app', true)`);
        if (kommun) await em.query(`SELECT set_config('app.kommun', $1, true)`, [kommun]);
        return em.query(sql, params);
      });
    };

    it.each(['learner_records', 'record_changes', 'school_units', 'idempotency_keys'])(
      'hides every row of another kommun in %s',
      async (table) => {
        const mine = await asTenant<Array<{ n: number }>>(a, `SELECT count(*)::int AS n FROM ${table}`);
        expect(mine[0].n).toBeGreaterThan(0);
        const rows = await asTenant<Array<{ kommun_code: string }>>(b, `SELECT kommun_code FROM ${table}`);
        expect(rows.filter((r) => r.kommun_code === a)).toEqual([]);
        const unscoped = await asTenant<Array<{ n: number }>>(
          null,
          `SELECT count(*)::int AS n FROM ${table}`,
        );
        expect(unscoped[0].n).toBe(0);
      },
    );

    it('hides every row of another kommun in every table with a kommun column', async () => {
      // More of kommun A's data: its keys, a platform and its client, and the audit entries they make.
      await request(t.server).get(`/kommuner/${a}/.well-known/jwks.json`);
      const platform = await request(t.server)
        .post(`/v1/kommuner/${a}/platforms`)
        .set(adminA)
        .send({ name: 'rls', vendor: 'V', product: 'P', adapter: 'ss12000' });
      expect(platform.status).toBe(201);
      const tables = (
        await t.app.get(DataSource).query<Array<{ table_name: string }>>(
          `SELECT table_name FROM information_schema.columns
              WHERE table_schema = 'public' AND column_name = 'kommun_code' ORDER BY 1`,
        )
      ).map((r) => r.table_name);
      expect(tables.length).toBeGreaterThan(15);
      const withRowsOfA: string[] = [];
      for (const table of tables) {
        const count = `SELECT count(*)::int AS n FROM ${table} WHERE kommun_code = $1`;
        const [owner] = await t.app.get(DataSource).query<Array<{ n: number }>>(count, [a]);
        if (owner.n > 0) withRowsOfA.push(table);
        const [seen] = await asTenant<Array<{ n: number }>>(b, count, [a]);
        expect({ table, rowsOfASeenByB: seen.n }).toEqual({ table, rowsOfASeenByB: 0 });
      }
      // The proof is not empty: A has rows in these, and B saw none of them.
      expect(withRowsOfA).toEqual(
        expect.arrayContaining([
          'audit_log',
          'idempotency_keys',
          'kommun_keys',
          'learner_records',
          'platforms',
          'record_changes',
          'school_units',
        ]),
      );
    });

    it("refuses to write or change another kommun's rows", async () => {
      await expect(
        asTenant(b, `INSERT INTO school_units (kommun_code, code, name) VALUES ($1, '99999999', 'x')`, [a]),
      ).rejects.toMatchObject({ driverError: { code: '42501' } });
      const updated = await asTenant<[unknown[], number]>(
        b,
        `UPDATE learner_records SET version = 99 WHERE id = $1`,
        [recordA.id],
      );
      expect(updated[1]).toBe(0);
      const deleted = await asTenant<[unknown[], number]>(b, `DELETE FROM learner_records WHERE id = $1`, [
        recordA.id,
      ]);
      expect(deleted[1]).toBe(0);
      expect((await recordOfA()).body.version).toBe(1);
    });

    it('the application role cannot switch off row-level security or write to the kommun registry', async () => {
      await expect(
        asTenant(b, `ALTER TABLE learner_records DISABLE ROW LEVEL SECURITY`),
      ).rejects.toMatchObject({
        driverError: { code: '42501' },
      });
      await expect(
        asTenant(b, `INSERT INTO kommuner (code, name) VALUES ('0001', 'x')`),
      ).rejects.toMatchObject({
        driverError: { code: '42501' },
      });
    });
  });
});
