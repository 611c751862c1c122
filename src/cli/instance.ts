// A running portabel instance, for the commands' --url: every request with the token, a network
// failure said with the address and its cause, and an answer that is not OK thrown as its problem.

/** An RFC 9457 problem as the service writes it. */
export interface Problem {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  code?: string;
  errors?: Array<{ file?: string; line?: number; column?: number; pointer?: string; detail?: string }>;
}

export class ProblemError extends Error {
  constructor(readonly problem: Problem) {
    super(problem.detail ?? problem.title ?? 'the request failed');
  }
}

export class Instance {
  readonly base: string;

  constructor(
    url: string,
    private readonly token: string | undefined,
  ) {
    this.base = url.replace(/\/+$/, '');
  }

  async fetch(path: string, init: RequestInit & { duplex?: 'half' } = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.token) headers.set('authorization', `Bearer ${this.token}`);
    try {
      return await fetch(`${this.base}${path}`, { ...init, headers });
    } catch (err) {
      throw new Error(`could not reach ${this.base}: ${networkCause(err)}`);
    }
  }

  /** The answer's JSON; an answer that is not OK as a ProblemError (its own problem when it sent one). */
  async json<T>(path: string, init: RequestInit & { duplex?: 'half' } = {}): Promise<T> {
    const res = await this.fetch(path, init);
    await this.ensureOk(res);
    return (await res.json()) as T;
  }

  async ensureOk(res: Response): Promise<void> {
    if (res.ok) return;
    const text = await res.text();
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    const problem =
      typeof body === 'object' && body !== null && 'status' in body
        ? (body as Problem)
        : { status: res.status, detail: `${this.base} answered ${res.status} ${res.statusText}` };
    throw new ProblemError(problem);
  }
}

/** fetch says only "fetch failed": the cause (refused, unknown host, timeout) is what helps. */
function networkCause(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  if (cause?.code) return `${cause.code}${cause.message ? ` (${cause.message})` : ''}`;
  return cause?.message ?? (err instanceof Error ? err.message : String(err));
}
