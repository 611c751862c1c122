import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { removeDir, serverUrl, TEST_DATA_ROOT } from '../helpers/test-database';
import { sampleRecord } from '../helpers/sample-record';

const ROOT = join(__dirname, '..', '..');

interface Started {
  child: ChildProcess;
  url: string;
  output: () => string;
}

/** Starts the built service as `npm start` does, and waits for its "listening" log line. */
function start(env: Record<string, string>): Promise<Started> {
  const child = spawn(process.execPath, ['dist/src/main.js'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', PORT: '0', LOG_LEVEL: 'info', ...env },
  });
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

/** The service as a process: start, log, shut down gracefully, keep its data, refuse bad config. */
describe('the service process', () => {
  const dataDir = join(TEST_DATA_ROOT, `process-${process.pid}`);
  const dbEnv = (): Record<string, string> => {
    const url = serverUrl();
    return url ? { DATABASE_URL: url } : { DATA_DIR: dataDir };
  };

  beforeAll(() => {
    execFileSync(
      process.execPath,
      [join(ROOT, 'node_modules', '@nestjs', 'cli', 'bin', 'nest.js'), 'build'],
      { cwd: ROOT, stdio: 'pipe' },
    );
    mkdirSync(TEST_DATA_ROOT, { recursive: true });
  }, 120_000);
  afterAll(() => removeDir(dataDir));

  it('serves, logs JSON without personal data, stops cleanly on SIGTERM, and keeps its data', async () => {
    const first = await start(dbEnv());
    const code = String(1000 + Math.floor(Math.random() * 9000));
    await json(`${first.url}/v1/kommuner`, {
      method: 'POST',
      body: JSON.stringify({ code, name: 'Processkommun' }),
    });
    const created = await json(`${first.url}/v1/kommuner/${code}/records?q=201203152382`, {
      method: 'POST',
      body: JSON.stringify(sampleRecord('proc-1')),
    });
    expect(created.status).toBe(201);
    const bad = sampleRecord('proc-2') as any;
    bad.pupil.civicNo.value = '201203152381';
    expect(
      (await json(`${first.url}/v1/kommuner/${code}/records`, { method: 'POST', body: JSON.stringify(bad) }))
        .status,
    ).toBe(422);

    expect(await stop(first.child)).toBe(0);
    const logs = first.output();
    const lines = logs.trim().split('\n');
    for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
    expect(logs).toContain('"reqId"');
    expect(logs).not.toMatch(/20120315238|Märta|Öberg|201203152381/);

    const second = await start(dbEnv());
    const again = await json(`${second.url}/v1/kommuner/${code}/records/${created.body.id}`);
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
    expect(stderr).toContain('PORT');
  });

  if (!serverUrl()) {
    it('refuses a second process on the same embedded data directory', async () => {
      const first = await start({ DATA_DIR: dataDir });
      await expect(start({ DATA_DIR: dataDir })).rejects.toThrow(/in use by another portabel process/);
      expect(await stop(first.child)).toBe(0);
    }, 200_000);
  }
});
