import request from 'supertest';
import { guardianRefId, organiserId, schoolUnitId } from '../../src/adapters/ss12000/ss12000-ids';
import { authAs, type Caller } from '../helpers/auth';
import { expectContract } from '../helpers/contract';
import { createKommun, createTestApp, TestApp } from '../helpers/create-test-app';
import { expectProblem } from '../helpers/problem';
import { sampleRecord } from '../helpers/sample-record';

describe('read-only SS 12000 API', () => {
  let t: TestApp;
  let kommun: string;
  let other: string;
  const ids: Record<string, string> = {};
  /** A moment before any pupil of this file was written. */
  let writingStarted: string;
  /** Each kommun's SS 12000 client: a platform granted every scope (the API's intended callers). */
  const platformOf: Record<string, Record<string, string>> = {};
  const registrarOf: Record<string, Record<string, string>> = {};

  /**
   * A GET as the platform of `caller`'s kommun. The kommun read is the token's; `xKommun` is sent as
   * the X-Kommun header (as SS 12000 clients do out of habit): by default the caller's own, null: none.
   */
  const get = (path: string, caller: string = kommun, xKommun: string | null = caller) => {
    const req = request(t.server).get(path).set(platformOf[caller]);
    return xKommun === null ? req : req.set('X-Kommun', xKommun);
  };
  const upsert = (kommunCode: string, body: object) =>
    request(t.server).post(`/v1/kommuner/${kommunCode}/records`).set(registrarOf[kommunCode]).send(body);
  const headersAs = (caller: Caller) => authAs(t, caller);

  beforeAll(async () => {
    t = await createTestApp();
    kommun = await createKommun(t, 'Ss12000kommun');
    other = await createKommun(t, 'Annan kommun');
    for (const k of [kommun, other]) {
      platformOf[k] = await headersAs({ role: 'platform', kommun: k, platform: 'ss12000-client' });
      registrarOf[k] = await headersAs({ role: 'registrar', kommun: k });
    }
    await request(t.server)
      .put(`/v1/kommuner/${kommun}/school-units/12345678`)
      .set(await headersAs({ role: 'admin', kommun }))
      .send({ name: 'Västra skolan', schoolTypes: ['GR', 'FKLASS'] });
    writingStarted = new Date().toISOString();
    const enrolments = [
      {
        organiserCode: kommun,
        schoolUnitCode: '12345678',
        schoolType: 'GR' as const,
        schoolYear: 8,
        startDate: '2019-08-15',
      },
    ];
    for (const name of ['a', 'b', 'c', 'd', 'e']) {
      const res = await upsert(kommun, sampleRecord(`ss-${name}`, { enrolments }));
      ids[name] = res.body.id;
    }
    const hidden = sampleRecord('ss-hidden', {
      enrolments,
      contact: {
        emails: [{ value: 'elev@skola.example', type: 'Skola' }],
        addresses: [
          { type: 'Särskild postadress', streetAddress: 'Box 1', locality: 'Västerås', postalCode: '721 00' },
        ],
      },
    });
    hidden.pupil.securityMarking = 'Skyddad folkbokföring';
    hidden.guardians![0].contact = { phoneNumbers: [{ value: '+46701740605', type: 'Mobil' }] };
    ids.hidden = (await upsert(kommun, hidden)).body.id;
    ids.elsewhere = (await upsert(other, sampleRecord('ss-elsewhere'))).body.id;
  });
  afterAll(() => t.close());

  it('pages through the pupils as SS 12000 persons with limit and pageToken', async () => {
    const seen: string[] = [];
    let token: string | null = null;
    do {
      const path: string = `/ss12000/v2/persons?limit=2${token ? `&pageToken=${encodeURIComponent(token)}` : ''}`;
      const res = await get(path);
      expectContract(res, 'GET', path);
      expect(res.status).toBe(200);
      expect(res.body.data.length).toBeLessThanOrEqual(2);
      seen.push(...res.body.data.map((p: { id: string }) => p.id));
      token = res.body.pageToken;
    } while (token);
    expect(seen.sort()).toEqual([ids.a, ids.b, ids.c, ids.d, ids.e, ids.hidden].sort());
    expect(seen).not.toContain(ids.elsewhere);
  });

  it('shows a pupil with civicNo, enrolments at the listed organisations and responsibles', async () => {
    const path = `/ss12000/v2/persons/${ids.a}?expandReferenceNames=true`;
    const res = await get(path);
    expectContract(res, 'GET', path);
    expect(res.body).toEqual({
      id: ids.a,
      meta: { created: expect.any(String), modified: expect.any(String) },
      givenName: 'Märta',
      familyName: 'Öberg',
      eduPersonPrincipalNames: [],
      civicNo: { value: '201203152382', nationality: 'SE' },
      birthDate: '2012-03-15',
      securityMarking: 'Ingen',
      enrolments: [
        {
          enroledAt: { id: schoolUnitId(kommun, '12345678'), displayName: 'Västra skolan' },
          schoolType: 'GR',
          schoolYear: 8,
          startDate: '2019-08-15',
        },
      ],
      responsibles: [
        {
          person: { id: guardianRefId(ids.a, 'g1'), displayName: 'Åsa Öberg' },
          relationType: 'Vårdnadshavare',
        },
      ],
    });
    const orgs = await get('/ss12000/v2/organisations');
    expect(orgs.body.data.map((o: { id: string }) => o.id)).toContain(res.body.enrolments[0].enroledAt.id);
  });

  it('never shows contact details of a pupil with skyddad folkbokföring', async () => {
    const res = await get(`/ss12000/v2/persons/${ids.hidden}`);
    expect(res.status).toBe(200);
    expect(res.body.securityMarking).toBe('Skyddad folkbokföring');
    for (const field of ['emails', 'phoneNumbers', 'addresses']) expect(res.body).not.toHaveProperty(field);
    expect(JSON.stringify(res.body)).not.toContain('Box 1');
    expect(JSON.stringify(res.body)).not.toContain('+46701740605');
  });

  it('filters by meta.modified.after, and keeps the filter in the pageToken', async () => {
    const before = writingStarted;
    await new Promise((resolve) => setTimeout(resolve, 20));
    const later = sampleRecord('ss-b', {
      enrolments: [
        {
          organiserCode: kommun,
          schoolUnitCode: '12345678',
          schoolType: 'GR',
          schoolYear: 9,
          startDate: '2019-08-15',
        },
      ],
    });
    const mark = new Date().toISOString();
    await upsert(kommun, later);
    const path = `/ss12000/v2/persons?meta.modified.after=${encodeURIComponent(mark)}`;
    const res = await get(path);
    expectContract(res, 'GET', path);
    expect(res.body.data.map((p: { id: string }) => p.id)).toEqual([ids.b]);
    expect(res.body.data[0].enrolments[0].schoolYear).toBe(9);
    const all = await get(`/ss12000/v2/persons?meta.modified.after=${encodeURIComponent(before)}&limit=1`);
    expect(all.body.pageToken).toEqual(expect.any(String));
    const again = `/ss12000/v2/persons?pageToken=${encodeURIComponent(all.body.pageToken)}&meta.modified.after=${encodeURIComponent(before)}`;
    const refused = await get(again);
    expectContract(refused, 'GET', again);
    expectProblem(refused, 400, 'validation-failed', 'SS12000.FILTER_WITH_PAGE_TOKEN', {
      errors: [{ parameter: 'meta.modified.after', detail: expect.any(String) }],
    });
  });

  it('lists the kommun as Huvudman and its school units', async () => {
    const path = '/ss12000/v2/organisations?expandReferenceNames=true';
    const res = await get(path);
    expectContract(res, 'GET', path);
    expect(res.body).toEqual({
      data: [
        {
          id: organiserId(kommun),
          meta: { created: expect.any(String), modified: expect.any(String) },
          displayName: 'Ss12000kommun',
          organisationType: 'Huvudman',
          municipalityCode: kommun,
        },
        {
          id: schoolUnitId(kommun, '12345678'),
          meta: { created: expect.any(String), modified: expect.any(String) },
          displayName: 'Västra skolan',
          organisationType: 'Skolenhet',
          schoolUnitCode: '12345678',
          schoolTypes: ['FKLASS', 'GR'],
          municipalityCode: kommun,
          parentOrganisation: { id: organiserId(kommun), displayName: 'Ss12000kommun' },
        },
      ],
      pageToken: null,
    });
    const first = await get('/ss12000/v2/organisations?limit=1');
    const next = await get(`/ss12000/v2/organisations?pageToken=${encodeURIComponent(first.body.pageToken)}`);
    expect([...first.body.data, ...next.body.data].map((o: { id: string }) => o.id)).toEqual(
      res.body.data.map((o: { id: string }) => o.id),
    );
    expect(next.body.pageToken).toBeNull();
    // A school unit added between pages, before the position: the next page neither repeats nor skips.
    const admin = await authAs(t, { role: 'admin', kommun });
    const putUnit = (code: string, name: string) =>
      request(t.server)
        .put(`/v1/kommuner/${kommun}/school-units/${code}`)
        .set(admin)
        .send({ name, schoolTypes: ['GR'] });
    await putUnit('99990001', 'Östra skolan');
    const page1 = await get('/ss12000/v2/organisations?limit=2');
    expect(page1.body.data.map((o: { schoolUnitCode?: string }) => o.schoolUnitCode)).toEqual([
      undefined,
      '12345678',
    ]);
    await putUnit('10000001', 'Norra skolan');
    const page2 = await get(
      `/ss12000/v2/organisations?pageToken=${encodeURIComponent(page1.body.pageToken)}`,
    );
    expect(page2.body.data.map((o: { schoolUnitCode?: string }) => o.schoolUnitCode)).toEqual(['99990001']);
    expect(page2.body.pageToken).toBeNull();
  });

  it('lists deleted pupils in deletedEntities, and not once they are written again', async () => {
    const started = new Date().toISOString();
    const registrar = registrarOf[kommun];
    await request(t.server).delete(`/v1/kommuner/${kommun}/records/${ids.d}`).set(registrar).expect(204);
    await request(t.server).delete(`/v1/kommuner/${kommun}/records/${ids.e}`).set(registrar).expect(204);
    await upsert(kommun, sampleRecord('ss-e'));
    const path = `/ss12000/v2/deletedEntities?after=${encodeURIComponent(started)}`;
    const res = await get(path);
    expectContract(res, 'GET', path);
    expect(res.body).toEqual({ data: { persons: [ids.d] }, pageToken: null });

    await request(t.server).delete(`/v1/kommuner/${kommun}/records/${ids.c}`).set(registrar).expect(204);
    const paged: string[] = [];
    let token: string | null = null;
    do {
      const page: string = `/ss12000/v2/deletedEntities?limit=1&${token ? `pageToken=${encodeURIComponent(token)}` : `after=${encodeURIComponent(started)}`}`;
      const res = await get(page);
      expectContract(res, 'GET', page);
      expect(res.body.data.persons.length).toBeLessThanOrEqual(1);
      paged.push(...res.body.data.persons);
      token = res.body.pageToken;
    } while (token);
    expect(paged).toEqual([ids.d, ids.c]);

    const groupsOnly = await get('/ss12000/v2/deletedEntities?entities=Group');
    expect(groupsOnly.body.data.persons).toEqual([]);
    const gone = await get(`/ss12000/v2/persons/${ids.d}`);
    expectContract(gone, 'GET', `/ss12000/v2/persons/${ids.d}`);
    expectProblem(gone, 410, 'record-deleted', 'RECORD.DELETED');
  });

  it('keeps kommuner apart: another kommun does not see these pupils', async () => {
    const res = await get(`/ss12000/v2/persons/${ids.a}`, other);
    expectProblem(res, 404, 'record-not-found', 'RECORD.NOT_FOUND');
    const list = await get('/ss12000/v2/persons', other);
    expect(list.body.data.map((p: { id: string }) => p.id)).toEqual([ids.elsewhere]);
    const deleted = await get('/ss12000/v2/deletedEntities', other);
    expect(deleted.body).toEqual({ data: { persons: [] }, pageToken: null });
    // Naming this kommun in X-Kommun does not get another kommun's caller in: the token decides.
    for (const list of ['persons', `persons/${ids.a}`, 'organisations', 'deletedEntities']) {
      const mismatch = await get(`/ss12000/v2/${list}`, other, kommun);
      expectProblem(mismatch, 403, 'forbidden', 'AUTH.FORBIDDEN');
      expect(mismatch.text).not.toMatch(/Märta|Öberg|201203152382|Västra skolan/);
    }
  });

  it('reads the caller’s kommun without X-Kommun, and refuses a caller without a token', async () => {
    const missing = await get('/ss12000/v2/persons', kommun, null);
    expectContract(missing, 'GET', '/ss12000/v2/persons');
    expect(missing.status).toBe(200);
    expect(missing.body).toEqual((await get('/ss12000/v2/persons')).body);
    const anonymous = await request(t.server).get('/ss12000/v2/persons').set('X-Kommun', kommun);
    expectContract(anonymous, 'GET', '/ss12000/v2/persons');
    expectProblem(anonymous, 401, 'unauthenticated', 'AUTH.TOKEN_MISSING');
  });

  it('refuses requests with a bad X-Kommun, a bad id, a forged pageToken and unknown parameters', async () => {
    expectProblem(
      await get('/ss12000/v2/persons', kommun, '19800'),
      400,
      'validation-failed',
      'REQUEST.INVALID',
      {
        errors: [{ parameter: 'X-Kommun', detail: expect.any(String) }],
      },
    );
    expectProblem(await get('/ss12000/v2/organisations', kommun, '0001'), 403, 'forbidden', 'AUTH.FORBIDDEN');
    // A caller of a kommun this installation does not host (the identity provider may say anything).
    const unhosted = await request(t.server)
      .get('/ss12000/v2/organisations')
      .set(await headersAs({ role: 'admin', kommun: '0001' }))
      .set('X-Kommun', '0001');
    expectProblem(unhosted, 404, 'kommun-not-found', 'KOMMUN.NOT_FOUND');
    expectProblem(await get('/ss12000/v2/persons/123456789'), 400, 'validation-failed', 'REQUEST.INVALID', {
      errors: [{ parameter: 'id', detail: expect.any(String) }],
    });
    const forged = Buffer.from(JSON.stringify({ l: 'persons', c: 'not-a-cursor' })).toString('base64url');
    for (const list of ['persons', 'organisations', 'deletedEntities']) {
      expectProblem(
        await get(`/ss12000/v2/${list}?pageToken=${forged}`),
        400,
        'invalid-cursor',
        'SS12000.PAGE_TOKEN_INVALID',
        {
          errors: [{ parameter: 'pageToken', detail: expect.any(String) }],
        },
      );
    }
    // Tokens made by hand, with a time that is no time: the token's fault, not a failed query.
    for (const [list, state] of [
      ['persons', { m: 'garbage' }],
      ['organisations', { m: 'garbage' }],
      ['deletedEntities', { a: 'garbage' }],
    ] as const) {
      const crafted = Buffer.from(JSON.stringify({ l: list, ...state })).toString('base64url');
      expectProblem(
        await get(`/ss12000/v2/${list}?pageToken=${crafted}`),
        400,
        'invalid-cursor',
        'SS12000.PAGE_TOKEN_INVALID',
        { errors: [{ parameter: 'pageToken', detail: expect.any(String) }] },
      );
    }
    expectProblem(await get('/ss12000/v2/persons?limit=0'), 400, 'validation-failed', 'REQUEST.INVALID', {
      errors: [{ parameter: 'limit', detail: expect.any(String) }],
    });
    expectProblem(
      await get('/ss12000/v2/persons?meta.modified.after=yesterday'),
      400,
      'validation-failed',
      'REQUEST.INVALID',
      {
        errors: [{ parameter: 'meta.modified.after', detail: expect.any(String) }],
      },
    );
    expectProblem(
      await get('/ss12000/v2/persons?expand=duties'),
      400,
      'validation-failed',
      'REQUEST.INVALID',
      {
        errors: [{ parameter: 'expand', detail: expect.any(String) }],
      },
    );
  });
});
