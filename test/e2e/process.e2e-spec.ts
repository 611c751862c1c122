import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { removeDir, serverUrl, TEST_DATA_ROOT } from '../helpers/test-database';
import { sampleRecord } from '../helpers/sample-record';
import { ss12000Adapter } from '../../src/adapters/ss12000/ss12000.adapter';
import { generatePupils } from '../../src/seed/pupil-generator';

const ROOT = join(__dirname, '..', '..');

interface Started {
  child: ChildProcess;
  url: string;
  output: () => string;
}

/** Every process started here, so that one a failed test left running is stopped at the end. */
const children = new Set<ChildProcess>();

/** Starts the built service as `npm start` does, and waits for its "listening" log line. */
function start(env: Record<string, string>): Promise<Started> {
  const child = spawn(process.execPath, ['dist/src/main.js'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', PORT: '0', LOG_LEVEL: 'info', ...env },
  });
  children.add(child);
  child.once('exit', () => children.delete(child));
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  return new Promise((resolve, reject) => {
    // A cold start (a new embedded database, migrations, the job queue's schema) on a busy 2-core machine.
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`no start within 90 s:\n${out}`));
    }, 90_000);
    child.stdout.on('data', () => {
      const m = /listening on (http:\/\/[^ ]+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ child, url: m[1].replace('[::1]', '127.0.0.1'), output: () => out });
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code}:\n${out}`));
    });
  });
}

const stop = (child: ChildProcess): Promise<number | null> =>
  new Promise((resolve) => {
    child.once('exit', (code) => resolve(code));
    child.kill('SIGTERM');
  });

async function json(url: string, init?: RequestInit): Promise<{ status: number; body: any }> {
  const res = await fetch(url, {
    ...init,
    headers: { 'content-type': 'application/json', ...(init?.headers ?? {}) },
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

/** A bearer token from the service's development identity provider (AUTH_DEV_IDP=on), as headers. */
async function signIn(
  url: string,
  user: { roles: string[]; kommun?: string },
): Promise<Record<string, string>> {
  const res = await json(`${url}/dev-idp/token`, { method: 'POST', body: JSON.stringify(user) });
  if (res.status !== 200) throw new Error(`no token: ${res.status} ${JSON.stringify(res.body)}`);
  return { authorization: `Bearer ${res.body.access_token}` };
}

/** The service as a process: start, log, shut down gracefully, keep its data, refuse bad config. */
describe('the service process', () => {
  const dataDir = join(TEST_DATA_ROOT, `process-${process.pid}`);
  // On a server, a database of this file's own: every other test file's app on the test database
  // works the same job queue, and would take the import this file kills midway from its process.
  const scratchName = `test_process_${randomBytes(4).toString('hex')}`;
  const onServer = async (sql: string): Promise<void> => {
    const admin = new Client({ connectionString: serverUrl() });
    await admin.connect();
    await admin.query(sql).finally(() => admin.end());
  };
  // Every request needs a token: the service signs people in itself (its development identity provider).
  const dbEnv = (): Record<string, string> => {
    const url = serverUrl();
    if (!url) return { AUTH_DEV_IDP: 'on', DATA_DIR: dataDir };
    const scratch = new URL(url);
    scratch.pathname = `/${scratchName}`;
    return { AUTH_DEV_IDP: 'on', DATABASE_URL: scratch.toString() };
  };

  beforeAll(async () => {
    execFileSync(
      process.execPath,
      [join(ROOT, 'node_modules', '@nestjs', 'cli', 'bin', 'nest.js'), 'build'],
      { cwd: ROOT, stdio: 'pipe' },
    );
    mkdirSync(TEST_DATA_ROOT, { recursive: true });
    if (serverUrl()) await onServer(`CREATE DATABASE ${scratchName}`);
  }, 120_000);
  afterAll(async () => {
    for (const child of children) child.kill('SIGKILL');
    removeDir(dataDir);
    if (serverUrl()) await onServer(`DROP DATABASE IF EXISTS ${scratchName} WITH (FORCE)`);
  });

  it('serves, logs JSON without personal data, stops cleanly on SIGTERM, and keeps its data', async () => {
    const first = await start(dbEnv());
    const code = String(1000 + Math.floor(Math.random() * 9000));
    await json(`${first.url}/v1/kommuner`, {
      method: 'POST',
      headers: await signIn(first.url, { roles: ['operator'] }),
      body: JSON.stringify({ code, name: 'Processkommun' }),
    });
    const registrar = await signIn(first.url, { roles: ['registrar'], kommun: code });
    const created = await json(`${first.url}/v1/kommuner/${code}/records?q=201203152382`, {
      method: 'POST',
      headers: registrar,
      body: JSON.stringify(sampleRecord('proc-1')),
    });
    expect(created.status).toBe(201);
    const bad = sampleRecord('proc-2') as any;
    bad.pupil.civicNo.value = '201203152381';
    expect(
      (
        await json(`${first.url}/v1/kommuner/${code}/records`, {
          method: 'POST',
          headers: registrar,
          body: JSON.stringify(bad),
        })
      ).status,
    ).toBe(422);

    expect(await stop(first.child)).toBe(0);
    const logs = first.output();
    const lines = logs.trim().split('\n');
    for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
    expect(logs).toContain('"reqId"');
    expect(logs).not.toMatch(/20120315238|Märta|Öberg|201203152381/);

    const second = await start(dbEnv());
    // The development identity provider makes a new key at each start: sign in again.
    const again = await json(`${second.url}/v1/kommuner/${code}/records/${created.body.id}`, {
      headers: await signIn(second.url, { roles: ['registrar'], kommun: code }),
    });
    expect(again.status).toBe(200);
    expect(again.body.record.pupil.givenName).toBe('Märta');
    expect(await stop(second.child)).toBe(0);
  }, 240_000);

  it('names the bad variable and exits when the configuration is wrong', () => {
    let stderr = '';
    try {
      execFileSync(process.execPath, ['dist/src/main.js'], {
        cwd: ROOT,
        env: { PORT: 'eighty', PATH: process.env.PATH ?? '' },
        stdio: 'pipe',
      });
    } catch (err) {
      stderr = String((err as { stderr: Buffer }).stderr);
      expect((err as { status: number }).status).toBe(2);
    }
    expect(stderr).toContain('PORT="eighty"'); // as written, not as converted (null)
  });

  it('finishes an import killed midway once restarted, with every pupil once and none half-written', async () => {
    // An SS 12000 bundle of 1,200 generated pupils, written by the adapter itself.
    const kommunCode = String(5000 + Math.floor(Math.random() * 5000));
    const records = generatePupils({ kommunCode: '1980', count: 1200, seed: 11 });
    const chunks: Buffer[] = [];
    const ctx = {
      kommunCode,
      platformId: 'resume-test',
      options: {},
      now: new Date('2026-09-01T00:00:00Z'),
      loss: () => undefined,
    };
    const asAsync = async function* () {
      await Promise.resolve();
      yield* records;
    };
    for await (const piece of ss12000Adapter.export!(asAsync(), ctx)) {
      chunks.push(typeof piece === 'string' ? Buffer.from(piece) : piece);
    }
    const env = { ...dbEnv(), JOB_STALL_SECONDS: '1' };
    const first = await start(env);
    await json(`${first.url}/v1/kommuner`, {
      method: 'POST',
      headers: await signIn(first.url, { roles: ['operator'] }),
      body: JSON.stringify({ code: kommunCode, name: 'Avbrottskommun' }),
    });
    const registrar = await signIn(first.url, { roles: ['registrar'], kommun: kommunCode });
    const started = await fetch(`${first.url}/v1/kommuner/${kommunCode}/imports?format=ss12000`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...registrar },
      body: Buffer.concat(chunks),
    });
    const job = (await started.json()) as { id: string };
    if (started.status !== 202)
      throw new Error(`import not accepted: ${started.status} ${JSON.stringify(job)}`);
    const jobUrl = `${first.url}/v1/kommuner/${kommunCode}/imports/${job.id}`;
    for (let i = 0; i < 600; i++) {
      const state = (await json(jobUrl, { headers: registrar })).body;
      if (state.state === 'running' && state.progress.processed > 0) break;
      if (state.state !== 'queued' && state.state !== 'running')
        throw new Error(`finished before it could be killed: ${state.state}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    first.child.kill('SIGKILL');
    await new Promise((r) => first.child.once('exit', r));

    const second = await start(env);
    const registrarAgain = await signIn(second.url, { roles: ['registrar'], kommun: kommunCode });
    const url = `${second.url}/v1/kommuner/${kommunCode}/imports/${job.id}`;
    let done: any;
    for (let i = 0; i < 900; i++) {
      done = (await json(url, { headers: registrarAgain })).body;
      if (done.state !== 'queued' && done.state !== 'running') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(done).toMatchObject({ state: 'succeeded', counts: { created: 1200, rejected: 0 } });
    expect(done.attempts).toBeGreaterThanOrEqual(2);
    const scratch = dbEnv().DATABASE_URL;
    if (scratch) {
      // A bulk import refreshes the planner's statistics itself (autovacuum may be off, or minutes
      // away): ANALYZE, counted apart from autovacuum's, once the job has succeeded.
      const client = new Client({ connectionString: scratch });
      await client.connect();
      try {
        let analyzed = 0;
        for (let i = 0; i < 100 && analyzed === 0; i++) {
          const { rows } = await client.query<{ n: string }>(
            `SELECT analyze_count AS n FROM pg_stat_user_tables WHERE relname = 'learner_records'`,
          );
          analyzed = Number(rows[0]?.n ?? 0);
          if (analyzed === 0) await new Promise((r) => setTimeout(r, 100));
        }
        expect(analyzed).toBeGreaterThan(0);
      } finally {
        await client.end();
      }
    }
    let count = 0;
    const ids = new Set<string>();
    for (let cursor: string | null = ''; cursor !== null;) {
      const page: any = (
        await json(
          `${second.url}/v1/kommuner/${kommunCode}/records?limit=200${cursor ? `&cursor=${cursor}` : ''}`,
          { headers: registrarAgain },
        )
      ).body;
      for (const r of page.data) {
        ids.add(r.record.source.id);
        count++;
        expect(r.version).toBe(1);
      }
      cursor = page.nextCursor;
    }
    expect(count).toBe(1200);
    expect(ids.size).toBe(1200);
    expect(await stop(second.child)).toBe(0);
  }, 400_000);

  if (!serverUrl()) {
    it('refuses a second process on the same embedded data directory', async () => {
      const first = await start({ DATA_DIR: dataDir });
      await expect(start({ DATA_DIR: dataDir })).rejects.toThrow(/in use by another portabel process/);
      expect(await stop(first.child)).toBe(0);
    }, 200_000);
  }
});
