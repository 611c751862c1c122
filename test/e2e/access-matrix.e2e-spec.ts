import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { PLATFORM_SCOPES } from '../../src/auth/platform-scopes';
import { decide } from '../../src/auth/policy';
import type { Principal } from '../../src/auth/principal';
import { RoutePolicyCheck, type RoutePolicy } from '../../src/auth/route-policy.check';
import { loadOpenApiDocument } from '../../src/openapi/openapi-document';
import { as, authAs, type Caller } from '../helpers/auth';
import { expectContract } from '../helpers/contract';
import { createKommun, createTestApp, TestApp } from '../helpers/create-test-app';
import { sampleRecord } from '../helpers/sample-record';

const GUARDIAN = '198002032384'; // the custodian in sampleRecord
const PUPIL = '201203152382'; // the pupil in sampleRecord
const UNIT = '12345678'; // where sampleRecord's pupil is enrolled
const PERSONAL = ['Märta', 'Öberg', 'Åsa', GUARDIAN, PUPIL];

/** The callers of the matrix: every role, as they would come in real life (a guardian with a civic number…). */
const CALLERS: Array<{ label: string; caller: (kommun: string) => Caller }> = [
  { label: 'admin', caller: (kommun) => ({ role: 'admin', kommun }) },
  { label: 'dpo', caller: (kommun) => ({ role: 'dpo', kommun }) },
  { label: 'registrar', caller: (kommun) => ({ role: 'registrar', kommun }) },
  {
    label: 'registrar of one school unit',
    caller: (kommun) => ({ role: 'registrar', kommun, schoolUnits: [UNIT] }),
  },
  { label: 'guardian', caller: (kommun) => ({ role: 'guardian', kommun, civicNo: GUARDIAN }) },
  { label: 'pupil', caller: (kommun) => ({ role: 'pupil', kommun, civicNo: PUPIL }) },
  { label: 'platform with every scope', caller: (kommun) => ({ role: 'platform', kommun }) },
  { label: 'platform with no scope', caller: (kommun) => ({ role: 'platform', kommun, scopes: [] }) },
];

const principalOf = (c: Caller): Principal => ({
  kind: c.role === 'platform' ? 'platform' : 'person',
  subject: 'matrix',
  kommunCode: c.kommun,
  roles: [c.role],
  scopes: c.role === 'platform' ? (c.scopes ?? [...PLATFORM_SCOPES]) : [],
  schoolUnits: c.schoolUnits,
  civicNo: c.civicNo,
});

/**
 * Every route × every role × own and other kommun: allowed exactly where the policy table says, and
 * refused (403, or 404 where the object is out of scope) everywhere else, with nothing of the
 * kommun's data in the refusal. Requests carry no valid body, so an allowed write is answered by
 * validation (4xx) rather than changing anything the next caller relies on; deletes go last.
 */
describe('access matrix: every route × every role × own and other kommun', () => {
  let t: TestApp;
  let a: string;
  let b: string;
  let ids: Record<string, string>;
  let routes: RoutePolicy[];

  beforeAll(async () => {
    t = await createTestApp({
      RATE_LIMIT_PERSON: '100000',
      RATE_LIMIT_PLATFORM: '100000',
      RATE_LIMIT_ANONYMOUS: '100000',
    });
    a = await createKommun(t, 'Matriskommun');
    b = await createKommun(t, 'Grannkommun');
    const admin = await as(t, { role: 'admin', kommun: a });
    await admin.put(`/v1/kommuner/${a}/school-units/${UNIT}`).send({ name: 'Skolan', schoolTypes: ['GR'] });
    const platform = await admin
      .post(`/v1/kommuner/${a}/platforms`)
      .send({ name: 'matrix', vendor: 'V', product: 'P', adapter: 'ss12000' });
    const registrar = await as(t, { role: 'registrar', kommun: a });
    const record = await registrar.post(`/v1/kommuner/${a}/records`).send(sampleRecord('matrix-1'));
    expect(record.status).toBe(201);
    await request(t.server).get(`/kommuner/${a}/.well-known/jwks.json`); // makes the kommun's keys
    const keys = await admin.get(`/v1/kommuner/${a}/keys`);
    ids = {
      schoolUnitCode: UNIT,
      recordId: record.body.id,
      id: record.body.id,
      platformId: platform.body.id,
      importId: randomUUID(),
      exportId: randomUUID(),
      kid: keys.body.data[0].thumbprint,
    };
    routes = t.app.get(RoutePolicyCheck).routes();
  });
  afterAll(() => t?.close());

  it('knows the policy of every documented operation', () => {
    const documented = Object.entries(loadOpenApiDocument().paths ?? {}).flatMap(([path, item]) =>
      ['get', 'put', 'post', 'delete', 'patch']
        .filter((m) => (item as Record<string, unknown>)[m])
        .map((m) => `${m.toUpperCase()} ${path}`),
    );
    const known = new Set(routes.map((r) => `${r.method} ${r.path}`));
    // /openapi.json and /docs are served by the HTTP layer itself, outside any controller, and public.
    expect(documented.filter((r) => !known.has(r)).sort()).toEqual(['GET /docs', 'GET /openapi.json']);
  });

  const fill = (path: string, kommun: string) =>
    path
      .replace('{kommunCode}', kommun)
      .replace(/\{([A-Za-z]+)\}/g, (_m, name: string) => ids[name] ?? randomUUID());

  const send = (agent: request.Agent | ReturnType<typeof request>, method: string, path: string) => {
    const m = method.toLowerCase() as 'get' | 'post' | 'put' | 'patch' | 'delete';
    const req = agent[m](path);
    return method === 'GET' || method === 'DELETE' ? req : req.send({});
  };

  it('shows a guardian only their own children, and a pupil only themselves', async () => {
    const registrar = await as(t, { role: 'registrar', kommun: a });
    const noCustody = sampleRecord('matrix-2', {
      guardians: [
        {
          id: 'g1',
          civicNo: { value: GUARDIAN, nationality: 'SE' },
          givenName: 'Åsa',
          familyName: 'Öberg',
          relation: 'Vårdnadshavare',
          custody: false,
        },
      ],
    });
    const stranger = {
      ...sampleRecord('matrix-3'),
      pupil: {
        ...sampleRecord('x').pupil,
        civicNo: { value: '201005050529', nationality: 'SE' },
        birthDate: '2010-05-05',
      },
      guardians: [],
    };
    const other = await registrar.post(`/v1/kommuner/${a}/records`).send(noCustody);
    const third = await registrar.post(`/v1/kommuner/${a}/records`).send(stranger);
    expect([other.status, third.status]).toEqual([201, 201]);
    const guardian = await authAs(t, { role: 'guardian', kommun: a, civicNo: GUARDIAN });
    const me = await request(t.server).get('/v1/me').set(guardian);
    expectContract(me, 'GET', '/v1/me');
    expect(me.body.children.map((c: { recordId: string }) => c.recordId)).toEqual([ids.recordId]);
    for (const id of [other.body.id, third.body.id]) {
      const res = await request(t.server).get(`/v1/kommuner/${a}/records/${id}`).set(guardian);
      expect(res.status).toBe(404);
      expect(JSON.stringify(res.body)).not.toMatch(/Märta|Öberg/);
    }
    const list = await request(t.server).get(`/v1/kommuner/${a}/records`).set(guardian);
    expect(list.body.data.map((r: { id: string }) => r.id)).toEqual([ids.recordId]);
    const pupil = await authAs(t, { role: 'pupil', kommun: a, civicNo: '201005050529' });
    const self = await request(t.server).get(`/v1/kommuner/${a}/records`).set(pupil);
    expect(self.body.data.map((r: { id: string }) => r.id)).toEqual([third.body.id]);
  });

  it('lets a registrar of one school unit see and change only pupils enrolled there', async () => {
    const registrar = await as(t, { role: 'registrar', kommun: a });
    const elsewhere = sampleRecord('matrix-4', {
      enrolments: [
        {
          organiserCode: a,
          schoolUnitCode: '87654321',
          schoolType: 'GR',
          schoolYear: 3,
          startDate: '2024-08-15',
          cancelled: false,
        },
      ],
    });
    const created = await registrar.post(`/v1/kommuner/${a}/records`).send(elsewhere);
    const limited = await as(t, { role: 'registrar', kommun: a, schoolUnits: [UNIT] });
    expect((await limited.get(`/v1/kommuner/${a}/records/${created.body.id}`)).status).toBe(404);
    const listed = await limited.get(`/v1/kommuner/${a}/records?limit=200`);
    expect(listed.body.data.map((r: { id: string }) => r.id)).not.toContain(created.body.id);
    const write = await limited
      .post(`/v1/kommuner/${a}/records`)
      .send(sampleRecord('matrix-5', { enrolments: elsewhere.enrolments }));
    expect(write.status).toBe(403);
    expect(write.body.code).toBe('RECORD.OUTSIDE_SCHOOL_UNITS');
    const overwrite = await limited.post(`/v1/kommuner/${a}/records`).send(sampleRecord('matrix-4'));
    expect(overwrite.body.code).toBe('RECORD.OUTSIDE_SCHOOL_UNITS');
    expect((await limited.delete(`/v1/kommuner/${a}/records/${created.body.id}`)).status).toBe(404);
    expect((await limited.get(`/v1/kommuner/${a}/changes`)).status).toBe(403);
    // Deletions are changes too: a registrar limited to some units learns of none elsewhere.
    expect((await limited.get('/ss12000/v2/deletedEntities')).status).toBe(403);
  });
  // Last: allowed deletes in it really delete.
  it('allows and refuses exactly as the policy table says, and never leaks in a refusal', async () => {
    const failures: string[] = [];
    const ordered = [...routes].sort((x, y) => Number(x.method === 'DELETE') - Number(y.method === 'DELETE'));
    const callers = [
      { label: 'operator', caller: { role: 'operator' } as Caller, kommun: a },
      ...CALLERS.flatMap(({ label, caller }) => [
        { label: `${label} of this kommun`, caller: caller(a), kommun: a },
        { label: `${label} of another kommun`, caller: caller(b), kommun: a },
      ]),
    ];
    const agents = new Map<string, request.Agent>();
    for (const c of callers) agents.set(c.label, await as(t, c.caller));
    let checked = 0;
    for (const route of ordered) {
      if (route.action === 'public' || route.action === undefined) continue;
      // Web pages take a session cookie, not a bearer token; web.e2e-spec.ts runs them against the table.
      if (route.path === '/app' || route.path.startsWith('/app/')) continue;
      const hasKommun = route.path.includes('{kommunCode}');
      for (const c of callers) {
        const path = fill(route.path, c.kommun);
        const res = await send(agents.get(c.label)!, route.method, path);
        const decision = decide(principalOf(c.caller), route.action, hasKommun ? c.kommun : undefined);
        checked++;
        const where = `${route.method} ${route.path} as ${c.label}`;
        if (res.status === 401) failures.push(`${where}: 401`);
        if (decision.allowed && res.status === 403 && res.body.code === 'AUTH.FORBIDDEN') {
          failures.push(`${where}: refused, but the policy allows ${route.action}`);
        }
        if (!decision.allowed && res.status !== 403)
          failures.push(`${where}: ${res.status}, but the policy refuses ${route.action}`);
        if (res.status >= 400) {
          const text = JSON.stringify(res.body);
          const leaked = PERSONAL.filter((p) => text.includes(p));
          if (leaked.length) failures.push(`${where}: the ${res.status} body shows ${leaked.join(', ')}`);
          if (res.status === 403) expectContract(res, route.method, path);
        }
      }
    }
    expect(failures).toEqual([]);
    expect(checked).toBeGreaterThan(500);
  });
});
