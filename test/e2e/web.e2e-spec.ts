import request from 'supertest';
import { decide } from '../../src/auth/policy';
import { RoutePolicyCheck } from '../../src/auth/route-policy.check';
import { WEB_CSP } from '../../src/configure-app';
import { as } from '../helpers/auth';
import { createKommun, createTestApp, TestApp } from '../helpers/create-test-app';
import { sampleRecord } from '../helpers/sample-record';
import { csrfOf, webSignIn, type WebPerson } from '../helpers/web';

const GUARDIAN = '198002032384'; // the custodian in sampleRecord
const YOUNG = '201803032380'; // a pupil under the consent age, in custody of GUARDIAN
const CHILD = /Märta|Öberg|Lilla|201203152382|201803032380/;

/** The web pages' own rules: session cookie, CSRF, CSP, sign-in, the policy table, nothing of a child in URLs or titles. */
describe('web pages: session, CSRF, CSP and access', () => {
  let t: TestApp;
  let kommun: string;
  let recordId: string;
  let youngId: string;

  beforeAll(async () => {
    t = await createTestApp();
    kommun = await createKommun(t);
    const registrar = await as(t, { role: 'registrar', kommun });
    const created = await registrar.post(`/v1/kommuner/${kommun}/records`).send(sampleRecord('web-1'));
    expect(created.status).toBe(201);
    recordId = created.body.id;
    const base = sampleRecord('web-2');
    const young = await registrar.post(`/v1/kommuner/${kommun}/records`).send({
      ...base,
      pupil: {
        ...base.pupil,
        givenName: 'Lilla',
        civicNo: { value: YOUNG, nationality: 'SE' },
        birthDate: '2018-03-03',
      },
    });
    expect(young.status).toBe(201);
    youngId = young.body.id;
  });
  afterAll(() => t.close());

  it('sets an HttpOnly, SameSite=Strict session cookie (Secure behind HTTPS) and shows the guardian only their children', async () => {
    const s = await webSignIn(t, { role: 'guardian', kommun, civicNo: GUARDIAN });
    expect(s.setCookie).toMatch(/; HttpOnly/);
    expect(s.setCookie).toMatch(/; SameSite=Strict/);
    expect(s.setCookie).toMatch(/; Path=\//);
    expect(s.setCookie).not.toMatch(/; Secure/); // http://127.0.0.1 in tests: the browser would drop a Secure cookie
    expect(s.cookie).not.toMatch(/198002032384|Märta/); // sealed: nothing readable in it
    const home = await s.get('/app/home');
    expect(home.status).toBe(200);
    expect(home.text).toContain(`/app/children/${recordId}`);
    expect(home.text).toContain(`/app/children/${youngId}`);
  });

  it('marks the cookie Secure with the __Host- prefix behind HTTPS', async () => {
    // Its own database on the server: with another base URL (the issuer and key ids of what it signs),
    // it must not take other test files' jobs from the shared queue.
    const https = await createTestApp(
      { PUBLIC_BASE_URL: 'https://portabel.example.se' },
      { ownDatabase: 'https' },
    );
    try {
      const start = await request(https.server).get('/app/sign-in?idp=0');
      const pending = [start.headers['set-cookie']].flat()[0];
      expect(pending).toMatch(
        /^__Host-portabel-signin=[^;]+; Path=\/; Max-Age=600; HttpOnly; SameSite=Lax; Secure$/,
      );
      expect(start.headers.location).toMatch(/^https:\/\/portabel\.example\.se\/dev-idp\/authorize\?/);
      expect(new URL(start.headers.location).searchParams.get('code_challenge_method')).toBe('S256');
    } finally {
      await https.close();
    }
  });

  it('sends a person without a session to sign in, and refuses a forged or expired cookie', async () => {
    const res = await request(t.server).get('/app/home');
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/app');
    const forged = await request(t.server)
      .get('/app/home')
      .set('cookie', 'portabel-session=eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIn0..x.y.z');
    expect(forged.status).toBe(303);
  });

  it('refuses a sign-in whose state does not match, and a code used twice', async () => {
    const start = await request(t.server).get('/app/sign-in?idp=0');
    const pending = [start.headers['set-cookie']].flat()[0].split(';')[0];
    const params = Object.fromEntries(new URL(start.headers.location).searchParams);
    const chosen = await request(t.server)
      .post('/dev-idp/authorize')
      .type('form')
      .send({ ...params, role: 'guardian', kommun, civicNo: GUARDIAN });
    const cb = new URL(chosen.headers.location);
    const wrongState = await request(t.server)
      .get(`/app/callback?code=${cb.searchParams.get('code')}&state=forged-state-forged-state`)
      .set('cookie', pending);
    expect(wrongState.status).toBe(400);
    expect([wrongState.headers['set-cookie'] ?? []].flat().join()).not.toMatch(/portabel-session=[^;]/);
    // The code was spent by nobody yet; the real callback works once, and not twice.
    const ok = await request(t.server).get(`${cb.pathname}${cb.search}`).set('cookie', pending);
    expect(ok.status).toBe(200);
    const again = await request(t.server).get(`${cb.pathname}${cb.search}`).set('cookie', pending);
    expect(again.status).toBe(400);
    // The code without the PKCE verifier is refused by the provider's token endpoint.
    const token = await request(t.server).post('/dev-idp/oauth2/token').type('form').send({
      grant_type: 'authorization_code',
      code: 'x',
      redirect_uri: params.redirect_uri,
      client_id: params.client_id,
    });
    expect(token.status).toBe(400);
    expect(token.body.error).toBe('invalid_grant');
  });

  it("refuses a state change without the CSRF token, with another session's token, or from another origin", async () => {
    const s = await webSignIn(t, { role: 'guardian', kommun, civicNo: GUARDIAN });
    const other = await webSignIn(t, { role: 'guardian', kommun, civicNo: GUARDIAN });
    const path = `/app/children/${youngId}/consents`;
    const form = { purpose: 'thirdParty', act: 'grant' };
    const none = await request(t.server).post(path).set('cookie', s.cookie).type('form').send(form);
    expect(none.status).toBe(403);
    expect(none.text).toContain('Formuläret gick ut');
    const wrong = await request(t.server)
      .post(path)
      .set('cookie', s.cookie)
      .type('form')
      .send({ ...form, _csrf: other.csrf });
    expect(wrong.status).toBe(403);
    const foreign = await s.post(path, form).set('origin', 'https://evil.example');
    expect(foreign.status).toBe(403);
    const crossSite = await s.post(path, form).set('sec-fetch-site', 'cross-site');
    expect(crossSite.status).toBe(403);
    const history = await (
      await as(t, { role: 'guardian', kommun, civicNo: GUARDIAN })
    ).get(`/v1/me/children/${youngId}/consents`);
    expect(history.body.history).toEqual([]);
    // With the token, from our own origin: given, then withdrawn with the same effort.
    const given = await s
      .post(path, form)
      .set('origin', t.config.PUBLIC_BASE_URL)
      .set('sec-fetch-site', 'same-origin');
    expect(given.status).toBe(303);
    expect(given.headers.location).toBe(`/app/children/${youngId}?done=granted`);
    const withdrawn = await s.post(path, { ...form, act: 'withdraw' });
    expect(withdrawn.status).toBe(303);
    const after = await (
      await as(t, { role: 'guardian', kommun, civicNo: GUARDIAN })
    ).get(`/v1/me/children/${youngId}/consents`);
    expect(after.body.history.map((e: { action: string }) => e.action)).toEqual(['grant', 'withdraw']);
    // The receipt downloads from the page.
    const receipt = await s.get(`/app/children/${youngId}/receipts/${after.body.history[0].id}`);
    expect(receipt.status).toBe(200);
    expect(receipt.headers['content-type']).toMatch(/^application\/jwt/);
  });

  it("refuses a multipart upload without the session's CSRF token before reading the file", async () => {
    const s = await webSignIn(t, { role: 'registrar', kommun });
    const res = await request(t.server)
      .post('/app/imports')
      .set('cookie', s.cookie)
      .field('_csrf', 'not-the-token')
      .attach('file', Buffer.from('{}'), 'x.json');
    expect(res.status).toBe(403);
    const list = await (await as(t, { role: 'registrar', kommun })).get(`/v1/kommuner/${kommun}/imports`);
    expect(list.body.data).toEqual([]);
  });

  it("sends the strict CSP on the pages and keeps the API's own", async () => {
    for (const path of ['/app', '/app/static/app.css', '/app/home']) {
      const res = await request(t.server).get(path);
      expect(res.headers['content-security-policy']).toBe(WEB_CSP);
    }
    expect(WEB_CSP).toMatch(/default-src 'self'; script-src 'self';/);
    expect(WEB_CSP).toMatch(/object-src 'none'/);
    expect(WEB_CSP).toMatch(/frame-ancestors 'none'/);
    expect(WEB_CSP).not.toMatch(/unsafe/);
    const api = await request(t.server).get('/health/live');
    // The API's own policy is untouched: nothing may load from a JSON answer.
    expect(api.headers['content-security-policy']).toMatch(/^default-src 'none';/);
    expect(api.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    const page = await request(t.server).get('/app');
    expect(page.text).not.toMatch(/<script>|<script [^>]*>[^<]|\sstyle=|\son[a-z]+="/); // no inline script, style or handler
  });

  it('puts nothing about a child in a URL or a page title, in Swedish and English', async () => {
    const s = await webSignIn(t, { role: 'guardian', kommun, civicNo: GUARDIAN });
    const pages = [
      '/app/home',
      `/app/children/${recordId}`,
      `/app/children/${youngId}/disclosures`,
      '/app/requests',
    ];
    for (const path of pages) {
      for (const lang of ['sv', 'en']) {
        const res = await s.get(`${path}?lang=${lang}`);
        expect(res.status).toBe(200);
        const title = /<title>([^<]*)<\/title>/.exec(res.text)![1];
        expect(title).not.toMatch(CHILD);
        for (const href of res.text.matchAll(/(?:href|action)="([^"]*)"/g))
          expect(href[1]).not.toMatch(CHILD);
        expect(res.text).toContain(`<html lang="${lang}">`);
      }
    }
    const exp = await s.post(`/app/children/${recordId}/export`, {});
    expect(exp.headers.location).toBe('/app/requests?done=export');
    const req = await s.post(`/app/children/${recordId}/requests`, {
      kind: 'rectification',
      description: '',
    });
    expect(req.status).toBe(400); // the form again, with its error summary
    expect(req.text).toContain('class="error-summary"');
    expect(req.text).toContain('aria-invalid="true"');
  });

  it('allows each page exactly where the policy table allows its action', async () => {
    const routes = t.app
      .get(RoutePolicyCheck)
      .routes()
      .filter(
        (r) =>
          r.path.startsWith('/app/') && r.method === 'GET' && r.action !== 'public' && !r.path.includes('{'),
      );
    expect(routes.length).toBeGreaterThan(8);
    const people: WebPerson[] = [
      { role: 'guardian', kommun, civicNo: GUARDIAN },
      { role: 'registrar', kommun },
      { role: 'dpo', kommun },
      { role: 'admin', kommun },
    ];
    for (const person of people) {
      const s = await webSignIn(t, person);
      for (const route of routes) {
        const res = await s.get(route.path);
        const principal = {
          kind: 'person' as const,
          subject: 'x',
          kommunCode: kommun,
          roles: [person.role],
          scopes: [],
          civicNo: person.civicNo,
        };
        const allowed = decide(principal, route.action as never, undefined).allowed;
        expect(`${person.role} ${route.path} ${res.status}`).toBe(
          `${person.role} ${route.path} ${allowed ? 200 : 403}`,
        );
      }
    }
  });

  it('signs out with the token only, and the cookie is cleared', async () => {
    const s = await webSignIn(t, { role: 'dpo', kommun });
    const home = await s.get('/app/home');
    expect(csrfOf(home.text)).toBe(s.csrf);
    const out = await s.post('/app/sign-out', {});
    expect(out.status).toBe(303);
    expect([out.headers['set-cookie']].flat().join()).toMatch(
      /portabel-session=; Path=\/; Max-Age=0; HttpOnly; SameSite=Strict/,
    );
  });
});
