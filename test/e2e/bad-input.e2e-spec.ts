import request from 'supertest';
import { authAs } from '../helpers/auth';
import { expectContract } from '../helpers/contract';
import { createKommun, createTestApp, TestApp } from '../helpers/create-test-app';
import { expectProblem } from '../helpers/problem';
import { sampleRecord } from '../helpers/sample-record';

/** Every way a client can send something wrong gets a 4xx problem+json, never a 500, and writes nothing. */
describe('bad input', () => {
  let t: TestApp;
  let base: string;
  let registrar: Record<string, string>;

  beforeAll(async () => {
    t = await createTestApp({ BODY_LIMIT: String(64 * 1024) });
    const kommun = await createKommun(t);
    base = `/v1/kommuner/${kommun}`;
    registrar = await authAs(t, { role: 'registrar', kommun });
  });
  afterAll(() => t.close());

  const raw = (body: string | Buffer, contentType = 'application/json') =>
    request(t.server)
      .post(`${base}/records`)
      .set(registrar)
      .set('content-type', contentType)
      .serialize((b: unknown) => b as string) // send the bytes as they are, not JSON-encoded
      .send(body as string);

  const recordCount = async (): Promise<number> =>
    (await request(t.server).get(`${base}/records?limit=200`).set(registrar)).body.data.length;

  afterEach(async () => {
    expect(await recordCount()).toBe(0);
  });

  it('malformed JSON', async () => {
    const res = await raw('{"schemaVersion": "1.0",');
    expectProblem(res, 400, 'malformed-request', 'BODY.INVALID_JSON', {
      errors: [{ line: 1, column: 25, detail: expect.any(String) }],
    });
    expectContract(res, 'POST', `${base}/records`);
  });

  it('an empty body', async () => {
    const res = await raw('');
    expect(res.status).toBe(400);
    expect(res.body.type).toBe('urn:portabel:problem:malformed-request');
  });

  it('a wrong content type', async () => {
    const res = await raw('schemaVersion=1.0', 'application/x-www-form-urlencoded');
    expectProblem(res, 415, 'unsupported-media-type', 'HTTP.UNSUPPORTED_MEDIA_TYPE');
    expectContract(res, 'POST', `${base}/records`);
    const xml = await raw('<record/>', 'application/xml');
    expect(xml.status).toBe(415);
  });

  it('JSON sent as text/plain is refused, not read (a foreign page can post text/plain without asking)', async () => {
    const res = await raw(JSON.stringify(sampleRecord('plain')), 'text/plain');
    expectProblem(res, 415, 'unsupported-media-type', 'HTTP.UNSUPPORTED_MEDIA_TYPE');
    expectContract(res, 'POST', `${base}/records`);
  });

  it('headers too large are a problem, not a bare status', async () => {
    const res = await request(t.server).get(`${base}/records`).set(registrar).set('x-pad', 'x'.repeat(20_000));
    expect(res.status).toBe(431);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ status: 431, type: expect.stringMatching(/^urn:portabel:problem:/) });
  });

  it('a body over the limit', async () => {
    const res = await raw(JSON.stringify({ pad: 'x'.repeat(70 * 1024) }));
    expectProblem(res, 413, 'payload-too-large', 'HTTP.PAYLOAD_TOO_LARGE');
    expectContract(res, 'POST', `${base}/records`);
  });

  it('numbers too large to hold', async () => {
    const infinite = await raw('{"schemaVersion": 1e400}');
    expectProblem(infinite, 400, 'malformed-request', 'BODY.NUMBER_RANGE', {
      errors: [{ pointer: '/schemaVersion', detail: expect.any(String) }],
    });
    const imprecise = await raw('{"n": 123456789012345678901234567890}');
    expectProblem(imprecise, 400, 'malformed-request', 'BODY.NUMBER_PRECISION', {
      errors: [{ pointer: '/n', detail: expect.any(String) }],
    });
    const year = sampleRecord('huge') as any;
    year.enrolments[0].schoolYear = 9007199254740991;
    const big = await raw(JSON.stringify(year));
    expect(big.status).toBe(400);
    expect(big.body.errors).toContainEqual({
      pointer: '/enrolments/0/schoolYear',
      detail: expect.any(String),
    });
  });

  it('deep nesting', async () => {
    const deep = '['.repeat(20_000) + ']'.repeat(20_000);
    const res = await raw(deep);
    expect(res.status).toBe(400);
    expect(res.body.code).toMatch(/^BODY\.(TOO_DEEP|INVALID_JSON)$/);
    const moderately = '{"a":'.repeat(70) + '1' + '}'.repeat(70);
    const res2 = await raw(moderately);
    expectProblem(res2, 400, 'malformed-request', 'BODY.TOO_DEEP', {
      errors: [{ pointer: expect.any(String), detail: expect.any(String) }],
    });
  });

  it('bad unicode: invalid UTF-8, a lone surrogate, a NUL', async () => {
    const invalidUtf8 = Buffer.concat([Buffer.from('{"a":"'), Buffer.from([0xc3, 0x28]), Buffer.from('"}')]);
    expectProblem(await raw(invalidUtf8), 400, 'malformed-request', 'BODY.INVALID_UTF8', {
      errors: [{ line: 1, column: 7, detail: expect.any(String) }],
    });

    const surrogate = sampleRecord('s') as any;
    const text = JSON.stringify(surrogate).replace('"Märta"', '"M\\ud800rta"');
    expectProblem(await raw(text), 400, 'malformed-request', 'BODY.BAD_UNICODE', {
      errors: [{ pointer: '/pupil/givenName', detail: expect.any(String) }],
    });
    const nul = JSON.stringify(surrogate).replace('"Märta"', '"M\\u0000rta"');
    expectProblem(await raw(nul), 400, 'malformed-request', 'BODY.NUL_CHARACTER', {
      errors: [{ pointer: '/pupil/givenName', detail: expect.any(String) }],
    });
  });

  it('prototype-poisoning keys', async () => {
    const res = await raw('{"__proto__": {"admin": true}}');
    expectProblem(res, 400, 'malformed-request', 'BODY.FORBIDDEN_KEY', {
      errors: [{ pointer: '/__proto__', detail: expect.any(String) }],
    });
  });

  it('unknown fields, each with a pointer', async () => {
    const body = sampleRecord('u') as any;
    body.nickname = 'x';
    body.pupil.shoeSize = 38;
    const res = await raw(JSON.stringify(body));
    expectProblem(res, 400, 'validation-failed', 'RECORD.INVALID', {
      errors: expect.arrayContaining([
        { pointer: '/nickname', detail: expect.any(String) },
        { pointer: '/pupil/shoeSize', detail: expect.any(String) },
      ]),
    });
    expectContract(res, 'POST', `${base}/records`);
  });

  it('missing and mistyped fields', async () => {
    const body = sampleRecord('m') as any;
    delete body.pupil.familyName;
    body.enrolments[0].schoolUnitCode = '123';
    body.grades[0].registeredDate = '2025-13-45';
    const res = await raw(JSON.stringify(body));
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual(
      expect.arrayContaining([
        { pointer: '/pupil/familyName', detail: expect.any(String) },
        { pointer: '/enrolments/0/schoolUnitCode', detail: expect.any(String) },
        { pointer: '/grades/0/registeredDate', detail: expect.any(String) },
      ]),
    );
  });

  it('a civic number that fails the Luhn check is a 422 pointing at it', async () => {
    const body = sampleRecord('luhn') as any;
    body.pupil.civicNo.value = '201203152381';
    const res = await raw(JSON.stringify(body));
    expectProblem(res, 422, 'record-rejected', 'RECORD.REJECTED', {
      errors: [{ pointer: '/pupil/civicNo/value', detail: expect.any(String) }],
    });
    expectContract(res, 'POST', `${base}/records`);
  });

  it('a body that is not an object', async () => {
    for (const body of ['[]', '"text"', '42', 'null']) {
      const res = await raw(body);
      expect(res.status).toBe(400);
      expect(res.body.type).toBe('urn:portabel:problem:validation-failed');
    }
  });

  it('bad path parameters', async () => {
    const id = await request(t.server).get(`${base}/records/not-a-uuid`).set(registrar);
    expectProblem(id, 400, 'validation-failed', 'REQUEST.INVALID', {
      errors: [{ parameter: 'recordId', detail: expect.any(String) }],
    });
    const kommun = await request(t.server).get('/v1/kommuner/19800/records').set(registrar);
    expectProblem(kommun, 400, 'validation-failed', 'REQUEST.INVALID', {
      errors: [{ parameter: 'kommunCode', detail: expect.any(String) }],
    });
    const longParam = await request(t.server)
      .get(`${base}/records/${'a'.repeat(5000)}`)
      .set(registrar);
    expect(longParam.status).toBeGreaterThanOrEqual(400);
    expect(longParam.status).toBeLessThan(500);
  });

  it('an unknown kommun and an unknown route', async () => {
    // A registrar of a kommun this installation does not host (the identity provider may say anything).
    const kommun = await request(t.server)
      .post('/v1/kommuner/0000/records')
      .set(await authAs(t, { role: 'registrar', kommun: '0000' }))
      .send(sampleRecord('k'));
    expectProblem(kommun, 404, 'kommun-not-found', 'KOMMUN.NOT_FOUND');
    const route = await request(t.server).get('/v1/nothing-here');
    expectProblem(route, 404, 'not-found', 'HTTP.NOT_FOUND');
  });

  it('a malformed percent-encoding in the path', async () => {
    const res = await request(t.server).get(`${base}/records/%E0%A4%A`).set(registrar);
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toMatch(/problem\+json/);
  });
});
