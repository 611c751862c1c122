// The operator's command line (`portabel import`, `portabel export`), run as a program of its own:
// against a running instance (--url), and on a database of its own.
import { spawn } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { join } from 'node:path';
import { createServer, type AddressInfo } from 'node:net';
import { authAs } from '../helpers/auth';
import { createKommun, createTestApp, type TestApp } from '../helpers/create-test-app';
import { freshEmbeddedDir, removeDir, serverUrl } from '../helpers/test-database';

const ROOT = join(__dirname, '..', '..');
const ONEROSTER = join(ROOT, 'src/adapters/oneroster-1.2/fixtures');
const SS12000 = join(ROOT, 'src/adapters/ss12000/fixtures');

interface Run {
  code: number | null;
  stdout: Buffer;
  stderr: string;
}

/** Runs `portabel ARGS`; `stopReadingAfter` closes its standard output after that many bytes. */
function portabel(args: string[], env: Record<string, string>, stopReadingAfter?: number): Promise<Run> {
  // From the source, compiled as it loads (as the conversion threads are under jest): another test
  // file rebuilds dist/ meanwhile, and the commands must not depend on a build's timing.
  const child = spawn(process.execPath, ['-r', '@swc-node/register', 'src/cli/portabel.ts', ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
  });
  const out: Buffer[] = [];
  let read = 0;
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => {
    out.push(d);
    read += d.length;
    if (stopReadingAfter !== undefined && read >= stopReadingAfter) child.stdout.destroy();
  });
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) =>
    child.on('close', (code) => resolve({ code, stdout: Buffer.concat(out), stderr })),
  );
}

/** A port nothing listens on (taken, then given back). */
function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

describe('portabel import and export on a running instance (--url)', () => {
  let t: TestApp;
  let url: string;
  let kommun: string;
  let token: string;

  beforeAll(async () => {
    t = await createTestApp();
    await t.app.listen(0, '127.0.0.1');
    url = `http://127.0.0.1:${(t.server.address() as AddressInfo).port}`;
    kommun = await createKommun(t);
    token = (await authAs(t, { role: 'registrar', kommun })).authorization.replace(/^Bearer /, '');
  });
  afterAll(() => t.close());

  it('imports, and names each rejected pupil with the places and reasons, the summary alone on stdout', async () => {
    const run = await portabel(
      [
        'import',
        join(ONEROSTER, 'not-ok/rejected-bad-birthdate.zip'),
        '--kommun',
        kommun,
        '--dry-run',
        '--url',
        url,
      ],
      { PORTABEL_TOKEN: token },
    );
    expect(run.stderr).toMatch(
      /Rejected pupils, not written:\n {2}\S+\n {4}demographics\.csv line 2 column 4 \/pupil\/birthDate: /,
    );
    expect(run.code).toBe(0);
    expect(run.stdout.toString()).toMatch(
      /^import +[0-9a-f-]{36}\nstate +succeeded \(dry run: nothing written\)\n/,
    );
    expect(run.stdout.toString()).toMatch(/pupils rejected +1\n/);
  }, 60_000);

  it('exports to standard output, the file and nothing else', async () => {
    const imported = await portabel(
      ['import', join(SS12000, 'ok/bundle.json'), '--kommun', kommun, '--url', url, '--token', token],
      {},
    );
    expect(imported.code).toBe(0);
    const run = await portabel(['export', '--kommun', kommun, '--format', 'ss12000', '--url', url], {
      PORTABEL_TOKEN: token,
    });
    expect(run.stderr).toMatch(/^exported \d+ pupils as ss12000 \(\d+ bytes, sha256 [0-9a-f]{64}\)/);
    expect(run.code).toBe(0);
    expect(() => JSON.parse(run.stdout.toString())).not.toThrow();
  }, 60_000);

  it('says why when the instance cannot be reached or refuses the token, and exits 1', async () => {
    const closed = await closedPort();
    const unreachable = await portabel(
      ['export', '--kommun', kommun, '--url', `http://127.0.0.1:${closed}`],
      {},
    );
    expect(unreachable.stderr).toContain(`could not reach http://127.0.0.1:${closed}: ECONNREFUSED`);
    expect(unreachable.code).toBe(1);
    const refused = await portabel(
      ['import', join(SS12000, 'ok/bundle.json'), '--kommun', kommun, '--url', url, '--token', 'not-a-token'],
      {},
    );
    expect(refused.stderr).not.toContain('portabel: Cannot read');
    expect(refused.stderr.trim().length).toBeGreaterThan(0);
    expect(refused.code).toBe(1);
    expect(refused.stdout.length).toBe(0);
  }, 60_000);

  it('refuses an unknown --mode before it starts', async () => {
    const run = await portabel(
      ['import', join(SS12000, 'ok/bundle.json'), '--kommun', kommun, '--mode', 'bogus', '--url', url],
      { PORTABEL_TOKEN: token },
    );
    expect(run.stderr).toContain('Allowed choices are delta, snapshot');
    expect(run.code).not.toBe(0);
  });
});

describe('portabel export on a database of its own', () => {
  const dataDir = serverUrl() ? undefined : freshEmbeddedDir('cli');
  const env: Record<string, string> = serverUrl() ? { DATABASE_URL: serverUrl()! } : { DATA_DIR: dataDir! };
  // 5000–9999, as createKommun: no real kommun, and other test files' kommuner seldom the same.
  const kommun = String(5000 + randomInt(5000));
  afterAll(() => dataDir && removeDir(dataDir));

  it('writes only the file to stdout, and a reader that stops early is no failure', async () => {
    const seeded = await portabel(['seed', '--kommun', kommun, '--pupils', '3', '--seed', '7'], env);
    expect(seeded.code).toBe(0);
    const whole = await portabel(['export', '--kommun', kommun, '--format', 'oneroster-1.2'], env);
    expect(whole.code).toBe(0);
    // A zip and only a zip: local file header first, end of central directory last.
    expect(whole.stdout.subarray(0, 4).toString('latin1')).toBe('PK\u0003\u0004');
    expect(whole.stdout.subarray(-22, -18).toString('latin1')).toBe('PK\u0005\u0006');
    // The consent rules decide who goes (these pupils are under the consent age): the count says so.
    expect(whole.stderr).toMatch(
      /^exported \d+ pupils as oneroster-1.2 .*; \d+ withheld by the consent rules;/,
    );

    const cut = await portabel(['export', '--kommun', kommun, '--format', 'ss12000'], env, 10);
    expect(cut.stderr).not.toContain('EPIPE');
    expect(cut.code).toBe(0);
  }, 120_000);

  it('imports in this process, naming each rejected pupil, and points a refusal at its place', async () => {
    const dry = await portabel(
      ['import', join(ONEROSTER, 'not-ok/rejected-bad-birthdate.zip'), '--kommun', kommun, '--dry-run'],
      env,
    );
    expect(dry.stderr).toMatch(/demographics\.csv line 2 column 4 \/pupil\/birthDate: /);
    expect(dry.stdout.toString()).toMatch(/pupils rejected +1\n/);
    expect(dry.code).toBe(0);
    const broken = await portabel(
      ['import', join(ONEROSTER, 'not-ok/bad-status.zip'), '--kommun', kommun],
      env,
    );
    expect(broken.stdout.toString()).toMatch(/state +failed\n/);
    expect(broken.stderr).toMatch(/\.csv line \d+/);
    expect(broken.code).toBe(1);
  }, 120_000);
});
