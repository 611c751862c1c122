import { readFileSync, writeFileSync, mkdtempSync, rmSync, createReadStream, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ImportItem } from '../vendor-adapter.port';
import { googleClassroomAdapter } from './google-classroom.adapter';
import {
  classroomBundleBytes,
  fetchClassroomBundle,
  type ClassroomClientOptions,
} from './google-classroom.client';
import { ClassroomApiError } from './google-classroom.errors';
import type { ClassroomBundle } from './google-classroom.types';

// A stand-in for classroom.googleapis.com on 127.0.0.1, serving the fixture export page by page. The tests
// never reach the network.
const BUNDLE: ClassroomBundle = JSON.parse(
  readFileSync(join(__dirname, 'fixtures', 'ok', 'bundle.json'), 'utf8'),
);
const TOKEN = 'ya29.test-token-not-a-secret';

type Handler = (req: IncomingMessage, res: ServerResponse, url: URL) => void;

let server: Server;
let baseUrl: string;
let handler: Handler;
const requests: URL[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    requests.push(url);
    handler(req, res, url);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});
beforeEach(() => {
  requests.length = 0;
  handler = classroom(2);
});

const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
  res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8', ...headers });
  res.end(JSON.stringify(body));
};

/** The Classroom API over the fixture data: pages of `pageSize` items, tokens that say where to go on. */
function classroom(maxPageSize: number): Handler {
  const page = (res: ServerResponse, url: URL, key: string, items: unknown[]) => {
    const size = Math.min(Number(url.searchParams.get('pageSize') ?? 30), maxPageSize);
    const start = Number(url.searchParams.get('pageToken') ?? 0);
    const next = start + size < items.length ? { nextPageToken: String(start + size) } : {};
    const slice = items.slice(start, start + size);
    // Like the API, an empty list is left out of the answer.
    json(res, 200, { ...(slice.length > 0 ? { [key]: slice } : {}), ...next });
  };
  return (req, res, url) => {
    if (req.headers.authorization !== `Bearer ${TOKEN}`) {
      json(res, 401, {
        error: {
          code: 401,
          message: 'Request had invalid authentication credentials.',
          status: 'UNAUTHENTICATED',
        },
      });
      return;
    }
    const parts = url.pathname.split('/').filter(Boolean); // v1 courses {id} students | courseWork - studentSubmissions
    if (parts.length === 2 && parts[1] === 'courses') {
      const states = url.searchParams.getAll('courseStates');
      page(
        res,
        url,
        'courses',
        BUNDLE.courses.filter((c) => states.length === 0 || states.includes(c.courseState ?? '')),
      );
      return;
    }
    const courseId = decodeURIComponent(parts[2] ?? '');
    if (parts[3] === 'students')
      return page(
        res,
        url,
        'students',
        BUNDLE.students.filter((s) => s.courseId === courseId),
      );
    if (parts[3] === 'courseWork' && parts.length === 4) {
      return page(
        res,
        url,
        'courseWork',
        BUNDLE.courseWork.filter((w) => w.courseId === courseId),
      );
    }
    if (parts[3] === 'courseWork' && parts[4] === '-' && parts[5] === 'studentSubmissions') {
      return page(
        res,
        url,
        'studentSubmissions',
        BUNDLE.studentSubmissions.filter((s) => s.courseId === courseId),
      );
    }
    json(res, 404, { error: { code: 404, message: 'Requested entity was not found.', status: 'NOT_FOUND' } });
  };
}

const options = (extra: Partial<ClassroomClientOptions> = {}): ClassroomClientOptions => ({
  accessToken: TOKEN,
  baseUrl,
  pageSize: 2,
  timeoutMs: 2000,
  ...extra,
});

async function fetchError(extra: Partial<ClassroomClientOptions> = {}): Promise<ClassroomApiError> {
  try {
    await fetchClassroomBundle(options(extra));
  } catch (err) {
    if (err instanceof ClassroomApiError) return err;
    throw err;
  }
  throw new Error('expected a ClassroomApiError');
}

describe('google-classroom client', () => {
  it('pages through the four lists and gives the bundle the adapter reads', async () => {
    const bundle = await fetchClassroomBundle(options());
    expect(bundle).toEqual(BUNDLE);
    // Courses in pages of 2, and Matematik's five students over three pages.
    const paths = requests.map((url) => `${url.pathname}?${url.searchParams.get('pageToken') ?? ''}`);
    expect(paths.filter((p) => p.startsWith('/v1/courses/658913224431/students'))).toEqual([
      '/v1/courses/658913224431/students?',
      '/v1/courses/658913224431/students?2',
      '/v1/courses/658913224431/students?4',
    ]);
    expect(requests[0].searchParams.getAll('courseStates')).toEqual(['ACTIVE']);
    expect(requests.every((url) => url.searchParams.get('pageSize') === '2')).toBe(true);

    const dir = mkdtempSync(join(tmpdir(), 'gc-client-'));
    try {
      const path = join(dir, 'classroom.json');
      writeFileSync(path, classroomBundleBytes(bundle));
      const items: ImportItem[] = [];
      const input = {
        open: () => createReadStream(path),
        path,
        size: statSync(path).size,
        fileName: 'classroom.json',
      };
      const ctx = {
        platformId: 'gc',
        options: {},
        kommunCode: '1980',
        now: new Date('2026-01-15T10:00:00Z'),
      };
      for await (const item of googleClassroomAdapter.import!(input, ctx, {})) items.push(item);
      expect(items.map((item) => item.kind)).toEqual(['record', 'record', 'record', 'record', 'record']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('says the token was not accepted, without repeating it', async () => {
    const error = await fetchError({ accessToken: 'expired' });
    expect(error.problem.status).toBe(502);
    expect(error.code).toBe('GOOGLE_CLASSROOM.TOKEN_REJECTED');
    expect(error.detail).toBe(
      "/v1/courses: the platform's access token was not accepted (401 UNAUTHENTICATED).",
    );
    expect(error.detail).not.toContain('expired');
  });

  it.each([
    [403, 'PERMISSION_DENIED', 'GOOGLE_CLASSROOM.PERMISSION_DENIED', 502],
    [404, 'NOT_FOUND', 'GOOGLE_CLASSROOM.NOT_FOUND', 502],
    [400, 'INVALID_ARGUMENT', 'GOOGLE_CLASSROOM.REQUEST_REFUSED', 502],
    [500, 'INTERNAL', 'GOOGLE_CLASSROOM.UPSTREAM_ERROR', 502],
  ])('maps a %i from the API to a problem of its own', async (status, googleStatus, code, problemStatus) => {
    handler = (_req, res) =>
      json(res, status, {
        error: { code: status, message: 'Ingen åtkomst för anna@skolan.se', status: googleStatus },
      });
    const error = await fetchError();
    expect([error.code, error.problem.status]).toEqual([code, problemStatus]);
    expect(error.detail).toContain(`${status} ${googleStatus}`);
    expect(error.detail).not.toContain('anna@skolan.se');
  });

  it("passes the API's Retry-After on when the quota is used up", async () => {
    handler = (_req, res) =>
      json(res, 429, { error: { code: 429, status: 'RESOURCE_EXHAUSTED' } }, { 'retry-after': '30' });
    const error = await fetchError();
    expect([error.code, error.problem.status, error.headers]).toEqual([
      'GOOGLE_CLASSROOM.RATE_LIMITED',
      503,
      { 'Retry-After': '30' },
    ]);
  });

  it('gives up on an API that does not answer in time', async () => {
    handler = () => undefined; // never answers
    const started = Date.now();
    const error = await fetchError({ timeoutMs: 200 });
    expect([error.code, error.problem.status]).toEqual(['GOOGLE_CLASSROOM.TIMEOUT', 504]);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('gives up on an answer that stalls halfway', async () => {
    handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"courses": [');
    };
    const error = await fetchError({ timeoutMs: 200 });
    expect(error.code).toBe('GOOGLE_CLASSROOM.TIMEOUT');
  });

  it('stops following pages that never end', async () => {
    handler = (_req, res, url) =>
      json(res, 200, {
        courses: [],
        nextPageToken: `t${Number(url.searchParams.get('pageToken')?.slice(1) ?? 0) + 1}`,
      });
    const error = await fetchError({ maxPagesPerList: 5 });
    expect(error.code).toBe('GOOGLE_CLASSROOM.TOO_MANY_PAGES');
    expect(requests).toHaveLength(5);
  });

  it('stops when the API hands out the same page token twice', async () => {
    handler = (_req, res) => json(res, 200, { courses: [], nextPageToken: 'again' });
    expect((await fetchError()).code).toBe('GOOGLE_CLASSROOM.PAGE_LOOP');
  });

  it('refuses an answer larger than allowed, or one that is not JSON', async () => {
    handler = (_req, res) => json(res, 200, { courses: [{ id: '1', name: 'x'.repeat(5000) }] });
    expect((await fetchError({ maxResponseBytes: 1000 })).code).toBe('GOOGLE_CLASSROOM.BAD_RESPONSE');
    handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<html>Sign in</html>');
    };
    expect((await fetchError()).code).toBe('GOOGLE_CLASSROOM.BAD_RESPONSE');
  });

  it('says when the API cannot be reached', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const error = await fetchError({ baseUrl: `http://127.0.0.1:${port}` });
    expect([error.code, error.problem.status]).toEqual(['GOOGLE_CLASSROOM.UNREACHABLE', 502]);
  });

  it('asks for the submissions of all course work at once, with the course states given', async () => {
    const urls: string[] = [];
    const fakeFetch = ((input: string | URL | Request) => {
      const url = new URL(input instanceof Request ? input.url : input);
      urls.push(`${url.pathname}${url.search}`);
      const body =
        url.pathname === '/v1/courses' ? { courses: [{ id: 'c/1', courseState: 'ARCHIVED' }] } : {};
      const response = new Response(JSON.stringify(body), {
        status: 200,
        headers: { 'content-type': 'application/json' },
      });
      return Promise.resolve(response);
    }) as typeof fetch;
    const bundle = await fetchClassroomBundle({
      accessToken: TOKEN,
      fetch: fakeFetch,
      courseStates: ['ACTIVE', 'ARCHIVED'],
    });
    expect(bundle).toEqual({
      courses: [{ id: 'c/1', courseState: 'ARCHIVED' }],
      students: [],
      courseWork: [],
      studentSubmissions: [],
    });
    expect(urls).toEqual([
      '/v1/courses?courseStates=ACTIVE&courseStates=ARCHIVED&pageSize=100',
      '/v1/courses/c%2F1/students?pageSize=100',
      '/v1/courses/c%2F1/courseWork?pageSize=100',
      '/v1/courses/c%2F1/courseWork/-/studentSubmissions?pageSize=100',
    ]);
  });
});
