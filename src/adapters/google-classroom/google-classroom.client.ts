// Fetches the four Classroom lists with a platform's OAuth access token and returns them as the bundle the
// adapter reads. Production uses it to pull a kommun's Classroom; tests give it a local server or a fetch.
// Bounded everywhere: pages per list, bytes per response, time per request.
import {
  ClassroomApiError,
  PLATFORM_REQUEST_FAILED,
  PLATFORM_TIMEOUT,
  PLATFORM_UNAVAILABLE,
} from './google-classroom.errors';
import type {
  ClassroomBundle,
  ClassroomCourse,
  ClassroomCourseWork,
  ClassroomStudent,
  ClassroomStudentSubmission,
} from './google-classroom.types';

export const CLASSROOM_API = 'https://classroom.googleapis.com';

export interface ClassroomClientOptions {
  /** The platform's OAuth 2.0 access token (scopes classroom.courses.readonly, .rosters.readonly, .coursework.students.readonly). */
  accessToken: string;
  baseUrl?: string;
  /** Defaults to the global fetch. */
  fetch?: typeof fetch;
  /** Items per page asked for (the API may return fewer). Default 100. */
  pageSize?: number;
  /** More pages than this in one list is refused rather than followed for ever. Default 500. */
  maxPagesPerList?: number;
  /** Per request, body included. Default 30 s. */
  timeoutMs?: number;
  /** Per response. Default 16 MB. */
  maxResponseBytes?: number;
  /** Which courses: default ACTIVE only (archived courses keep their rosters but are no teaching now). */
  courseStates?: string[];
  signal?: AbortSignal;
}

/** All courses the token can see, and their students, course work and student submissions. */
export async function fetchClassroomBundle(options: ClassroomClientOptions): Promise<ClassroomBundle> {
  const client = new ClassroomClient(options);
  const courses = await client.list<ClassroomCourse>('courses', '/v1/courses', {
    courseStates: options.courseStates ?? ['ACTIVE'],
  });
  const bundle: ClassroomBundle = { courses, students: [], courseWork: [], studentSubmissions: [] };
  // One course at a time: a kommun's Classroom has thousands of courses, and the API's quota is per project.
  for (const course of courses) {
    if (typeof course.id !== 'string' || course.id === '') continue;
    const base = `/v1/courses/${encodeURIComponent(course.id)}`;
    bundle.students.push(...(await client.list<ClassroomStudent>('students', `${base}/students`)));
    bundle.courseWork.push(...(await client.list<ClassroomCourseWork>('courseWork', `${base}/courseWork`)));
    // "-" asks for the submissions of all the course's work in one list (courses.courseWork.studentSubmissions.list).
    bundle.studentSubmissions.push(
      ...(await client.list<ClassroomStudentSubmission>(
        'studentSubmissions',
        `${base}/courseWork/-/studentSubmissions`,
      )),
    );
  }
  return bundle;
}

/** The bundle as the bytes the adapter imports. */
export function classroomBundleBytes(bundle: ClassroomBundle): Buffer {
  return Buffer.from(JSON.stringify(bundle), 'utf8');
}

class ClassroomClient {
  private readonly fetch: typeof fetch;
  private readonly base: string;
  private readonly pageSize: number;
  private readonly maxPages: number;
  private readonly timeoutMs: number;
  private readonly maxBytes: number;

  constructor(private readonly options: ClassroomClientOptions) {
    this.fetch = options.fetch ?? globalThis.fetch;
    this.base = (options.baseUrl ?? CLASSROOM_API).replace(/\/+$/, '');
    this.pageSize = options.pageSize ?? 100;
    this.maxPages = options.maxPagesPerList ?? 500;
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.maxBytes = options.maxResponseBytes ?? 16 * 1024 * 1024;
  }

  /** Every page of one list, following nextPageToken. */
  async list<T>(key: string, path: string, params: Record<string, string[]> = {}): Promise<T[]> {
    const items: T[] = [];
    const tokens = new Set<string>();
    let pageToken: string | undefined;
    for (let page = 1; ; page++) {
      if (page > this.maxPages) {
        throw new ClassroomApiError(
          PLATFORM_REQUEST_FAILED,
          'TOO_MANY_PAGES',
          `${path} has more than ${this.maxPages} pages; the fetch stopped rather than follow it further.`,
        );
      }
      const url = new URL(`${this.base}${path}`);
      for (const [name, values] of Object.entries(params))
        for (const value of values) url.searchParams.append(name, value);
      url.searchParams.set('pageSize', String(this.pageSize));
      if (pageToken) url.searchParams.set('pageToken', pageToken);
      const body = await this.get(url, path);
      const list = body[key];
      if (list !== undefined && !Array.isArray(list)) {
        throw new ClassroomApiError(
          PLATFORM_REQUEST_FAILED,
          'BAD_RESPONSE',
          `${path}: "${key}" in the answer is not a list.`,
        );
      }
      items.push(...((list as T[] | undefined) ?? []));
      const next = body.nextPageToken;
      if (typeof next !== 'string' || next === '') return items;
      if (tokens.has(next)) {
        throw new ClassroomApiError(
          PLATFORM_REQUEST_FAILED,
          'PAGE_LOOP',
          `${path} handed out the same page token twice.`,
        );
      }
      tokens.add(next);
      pageToken = next;
    }
  }

  private async get(url: URL, path: string): Promise<Record<string, unknown>> {
    const timeout = AbortSignal.timeout(this.timeoutMs);
    const signal = this.options.signal ? AbortSignal.any([timeout, this.options.signal]) : timeout;
    const timedOut = () =>
      new ClassroomApiError(
        PLATFORM_TIMEOUT,
        'TIMEOUT',
        `${path} did not answer within ${this.timeoutMs} ms.`,
      );
    let response: Response;
    try {
      response = await this.fetch(url, {
        headers: { authorization: `Bearer ${this.options.accessToken}`, accept: 'application/json' },
        signal,
        redirect: 'error',
      });
    } catch (err) {
      if (timeout.aborted) throw timedOut();
      if (this.options.signal?.aborted) throw err;
      throw new ClassroomApiError(
        PLATFORM_REQUEST_FAILED,
        'UNREACHABLE',
        `${path}: the Classroom API cannot be reached.`,
      );
    }
    let text: string;
    try {
      text = await this.readBody(response, path);
    } catch (err) {
      if (err instanceof ClassroomApiError) throw err;
      if (timeout.aborted) throw timedOut();
      if (this.options.signal?.aborted) throw err;
      throw new ClassroomApiError(PLATFORM_REQUEST_FAILED, 'BAD_RESPONSE', `${path}: the answer broke off.`);
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    if (!response.ok) throw this.statusError(response, body, path);
    if (!body || typeof body !== 'object' || Array.isArray(body)) {
      throw new ClassroomApiError(
        PLATFORM_REQUEST_FAILED,
        'BAD_RESPONSE',
        `${path}: the answer is not a JSON object.`,
      );
    }
    return body as Record<string, unknown>;
  }

  private async readBody(response: Response, path: string): Promise<string> {
    const declared = Number(response.headers.get('content-length') ?? NaN);
    const tooLarge = () =>
      new ClassroomApiError(
        PLATFORM_REQUEST_FAILED,
        'BAD_RESPONSE',
        `${path}: the answer is larger than ${this.maxBytes} bytes.`,
      );
    if (declared > this.maxBytes) {
      await response.body?.cancel();
      throw tooLarge();
    }
    if (!response.body) return '';
    const reader = response.body.getReader();
    const chunks: Uint8Array[] = [];
    let size = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > this.maxBytes) {
        await reader.cancel();
        throw tooLarge();
      }
      chunks.push(value);
    }
    return Buffer.concat(chunks).toString('utf8');
  }

  private statusError(response: Response, body: unknown, path: string): ClassroomApiError {
    // Google's errors say {"error": {"code", "message", "status"}}; the message may name people, the status not.
    const status = (body as { error?: { status?: unknown } } | undefined)?.error?.status;
    const reason = `${response.status}${typeof status === 'string' ? ` ${status}` : ''}`;
    const retryAfter = response.headers.get('retry-after');
    const headers =
      retryAfter && /^[0-9]{1,6}$/.test(retryAfter.trim()) ? { 'Retry-After': retryAfter.trim() } : undefined;
    switch (true) {
      case response.status === 401:
        return new ClassroomApiError(
          PLATFORM_REQUEST_FAILED,
          'TOKEN_REJECTED',
          `${path}: the platform's access token was not accepted (${reason}).`,
        );
      case response.status === 403:
        return new ClassroomApiError(
          PLATFORM_REQUEST_FAILED,
          'PERMISSION_DENIED',
          `${path}: the platform's token may not read this (${reason}).`,
        );
      case response.status === 404:
        return new ClassroomApiError(
          PLATFORM_REQUEST_FAILED,
          'NOT_FOUND',
          `${path} does not exist (${reason}).`,
        );
      case response.status === 429:
        return new ClassroomApiError(
          PLATFORM_UNAVAILABLE,
          'RATE_LIMITED',
          `${path}: the Classroom API's quota is used up for now (${reason}).`,
          headers,
        );
      case response.status === 503:
        return new ClassroomApiError(
          PLATFORM_UNAVAILABLE,
          'UNAVAILABLE',
          `${path}: the Classroom API is unavailable (${reason}).`,
          headers,
        );
      case response.status >= 500:
        return new ClassroomApiError(
          PLATFORM_REQUEST_FAILED,
          'UPSTREAM_ERROR',
          `${path}: the Classroom API failed (${reason}).`,
        );
      default:
        return new ClassroomApiError(
          PLATFORM_REQUEST_FAILED,
          'REQUEST_REFUSED',
          `${path}: the Classroom API refused the request (${reason}).`,
        );
    }
  }
}
