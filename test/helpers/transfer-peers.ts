import {
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createNetServer } from 'node:net';
import request from 'supertest';
import { createApp, type RunningApp } from '../../src/bootstrap';
import { loadConfig } from '../../src/config/env.schema';
import type { LearnerRecord } from '../../src/records/learner-record.types';
import { authAs } from './auth';
import type { TestApp } from './create-test-app';
import { sampleRecord } from './sample-record';
import { freshEmbeddedDir, freshServerDatabase, removeDir, serverUrl } from './test-database';

/** A port free now (the OS picks it), so an instance can be restarted on the same one. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createNetServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

/**
 * One portabel instance of a federation test: its own database (an embedded directory, or a
 * database of its own on the server), listening on a real port, restartable on the same database
 * and port (a crash and a restart, as far as the data can tell).
 */
export class PeerInstance {
  t!: TestApp;
  private constructor(
    readonly label: string,
    readonly port: number,
    private readonly database: { dataDir?: string; url?: string },
    private readonly env: Record<string, string>,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  static async create(label: string, env: Record<string, string> = {}): Promise<PeerInstance> {
    const url = serverUrl();
    const database = url
      ? { url: await freshServerDatabase(url, label) }
      : { dataDir: freshEmbeddedDir(label) };
    const peer = new PeerInstance(label, await freePort(), database, env);
    await peer.start();
    return peer;
  }

  async start(): Promise<void> {
    const config = loadConfig({
      NODE_ENV: 'test',
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent',
      DB_POOL_SIZE: '4',
      AUTH_DEV_IDP: 'on',
      PORT: String(this.port),
      PUBLIC_BASE_URL: this.url,
      ...(this.database.url ? { DATABASE_URL: this.database.url } : { DATA_DIR: this.database.dataDir }),
      ...this.env,
    });
    const running: RunningApp = await createApp(config);
    await running.app.listen({ port: this.port, host: '127.0.0.1' });
    this.t = {
      app: running.app,
      running,
      server: running.app.getHttpServer(),
      config,
      close: () => running.close(),
    };
  }

  /** Stops serving and closes the database; the data stays for a restart. */
  async stop(): Promise<void> {
    await within(this.t.close(), 30_000, `instance ${this.label} closing`);
  }

  async destroy(): Promise<void> {
    await this.stop();
    if (this.database.dataDir) removeDir(this.database.dataDir);
  }
}

/**
 * A small HTTP proxy between two instances, to cut the line on demand: `pass` forwards; `refuse`
 * drops every connection (the peer looks down); `hold` forwards the request but never answers the
 * caller (the peer has it, the caller does not know).
 */
export class FaultProxy {
  mode: 'pass' | 'refuse' | 'hold' = 'pass';
  /** Paths of the requests the upstream answered while holding, with its status. */
  readonly held: Array<{ path: string; status: number }> = [];
  private heldWaiters: Array<() => void> = [];
  private server!: Server;
  private readonly open = new Set<ServerResponse>();

  private constructor(
    readonly port: number,
    private readonly targetPort: () => number,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  static async create(targetPort: () => number): Promise<FaultProxy> {
    const proxy = new FaultProxy(await freePort(), targetPort);
    proxy.server = createServer((req, res) => proxy.handle(req, res));
    await new Promise<void>((resolve) => proxy.server.listen(proxy.port, '127.0.0.1', resolve));
    return proxy;
  }

  /** Resolves once the upstream has answered a held request to a path starting with `prefix`. */
  async whenHeld(prefix: string, timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.held.some((h) => h.path.startsWith(prefix))) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no held request to ${prefix} answered within ${timeoutMs} ms`);
      // Woken by an answer, or by the clock so that a hang fails here, named, not as a test timeout.
      await new Promise<void>((resolve) => {
        this.heldWaiters.push(resolve);
        setTimeout(resolve, left).unref();
      });
    }
  }

  async close(): Promise<void> {
    for (const res of this.open) res.destroy();
    // Keep-alive connections from the instances (idle or mid-request) would hold close() open.
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await within(closed, 10_000, 'fault proxy closing');
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    if (this.mode === 'refuse') {
      req.socket.destroy();
      return;
    }
    const mode = this.mode;
    this.open.add(res);
    res.on('close', () => this.open.delete(res));
    const upstream = httpRequest(
      {
        host: '127.0.0.1',
        port: this.targetPort(),
        method: req.method,
        path: req.url,
        headers: req.headers,
        agent: false, // no idle connections left behind when the test ends
      },
      (up) => {
        if (mode === 'hold') {
          up.resume();
          up.on('end', () => {
            this.held.push({ path: req.url ?? '', status: up.statusCode ?? 0 });
            this.heldWaiters.splice(0).forEach((w) => w());
          });
          return; // the caller waits until it gives up
        }
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    upstream.on('error', () => req.socket.destroy());
    req.pipe(upstream);
  }
}

/** `promise`, or an error naming `label` once `ms` have passed: a hang fails where it happens. */
async function within<T>(promise: Promise<T>, ms: number, label: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${label} took longer than ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** Polls until `check` returns something truthy (or throws its last error after `timeoutMs`). */
export async function until<T>(
  check: () => Promise<T | undefined | false>,
  timeoutMs = 30_000,
  label = 'condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline)
      throw new Error(`${label} not reached${last instanceof Error ? `: ${last.message}` : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A valid personnummer (Luhn) born in 2012, numbered `n`. */
export function civicNo(n: number): string {
  const body = `20120315${String(100 + (n % 900)).padStart(3, '0')}`;
  const digits = body.slice(2);
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[i]) * (i % 2 === 0 ? 2 : 1);
    if (d > 9) d -= 9;
    sum += d;
  }
  return `${body}${(10 - (sum % 10)) % 10}`;
}

/** A pupil of `kommun`, enrolled at `schoolUnit`. */
export function pupil(
  kommun: string,
  schoolUnit: string,
  n: number,
  overrides: Partial<LearnerRecord> = {},
): LearnerRecord {
  const base = sampleRecord(`elev-${n}-${Math.random().toString(36).slice(2, 8)}`);
  return {
    ...base,
    pupil: { ...base.pupil, civicNo: { value: civicNo(n), nationality: 'SE' } },
    enrolments: [{ ...base.enrolments![0], organiserCode: kommun, schoolUnitCode: schoolUnit }],
    grades: base.grades!.map((g) => ({ ...g, schoolUnitCode: schoolUnit })),
    ...overrides,
  };
}

/** Makes `host` trust `peer` (its keys fetched from the peer's per-kommun JWKS at `baseUrl`). */
export async function trust(
  host: { t: TestApp; kommun: string },
  peer: { kommun: string; baseUrl: string; name?: string },
) {
  const res = await request(host.t.server)
    .put(`/v1/kommuner/${host.kommun}/trust/peers/${peer.kommun}`)
    .set(await authAs(host.t, { role: 'admin', kommun: host.kommun }))
    .send({ name: peer.name ?? `Kommun ${peer.kommun}`, baseUrl: peer.baseUrl });
  if (res.status >= 300) throw new Error(`trust failed: ${res.status} ${JSON.stringify(res.body)}`);
}
