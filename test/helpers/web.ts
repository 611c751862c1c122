import request from 'supertest';
import type { TestApp } from './create-test-app';

/** Someone signing in to the web pages through the development identity provider's page. */
export interface WebPerson {
  role: 'guardian' | 'pupil' | 'registrar' | 'dpo' | 'admin';
  kommun: string;
  civicNo?: string;
  name?: string;
}

export interface WebSessionOf {
  cookie: string;
  csrf: string;
  /** Set-Cookie of the session as the server sent it (for the flags). */
  setCookie: string;
  get(path: string): request.Test;
  post(path: string, form: Record<string, string>): request.Test;
}

const cookiePair = (setCookie: string): string => setCookie.split(';')[0];

export const csrfOf = (htmlText: string): string => /name="_csrf" value="([^"]+)"/.exec(htmlText)?.[1] ?? '';

/**
 * The whole sign-in as a browser does it: the pages' sign-in → the provider's authorize page → the
 * person chosen → the callback with code and state → the session cookie.
 */
export async function webSignIn(t: TestApp, person: WebPerson): Promise<WebSessionOf> {
  const start = await request(t.server).get('/app/sign-in?idp=0');
  if (start.status !== 303) throw new Error(`sign-in did not redirect: ${start.status}`);
  const pending = cookiePair([start.headers['set-cookie']].flat()[0]);
  const authorize = new URL(start.headers.location);
  const params = Object.fromEntries(authorize.searchParams);
  const page = await request(t.server).get(`${authorize.pathname}${authorize.search}`);
  if (page.status !== 200) throw new Error(`authorize page: ${page.status}`);
  const chosen = await request(t.server)
    .post('/dev-idp/authorize')
    .type('form')
    .send({
      ...params,
      role: person.role,
      kommun: person.kommun,
      civicNo: person.civicNo ?? '',
      name: person.name ?? '',
    });
  if (chosen.status !== 303) throw new Error(`authorize: ${chosen.status} ${chosen.text}`);
  const callback = new URL(chosen.headers.location);
  const done = await request(t.server).get(`${callback.pathname}${callback.search}`).set('cookie', pending);
  if (done.status !== 200) throw new Error(`callback: ${done.status} ${done.text}`);
  const setCookie = [done.headers['set-cookie']]
    .flat()
    .find((c: string) => c.startsWith('portabel-session=')) as string;
  const cookie = cookiePair(setCookie);
  const home = await request(t.server).get('/app/home').set('cookie', cookie);
  const csrf = csrfOf(home.text);
  return {
    cookie,
    csrf,
    setCookie,
    get: (path) => request(t.server).get(path).set('cookie', cookie),
    post: (path, form) =>
      request(t.server)
        .post(path)
        .set('cookie', cookie)
        .type('form')
        .send({ _csrf: csrf, ...form }),
  };
}
