// The web pages' cost: requests per second and latency of server-rendered pages (a session cookie
// opened, the guard, the services, the HTML) against the API's own JSON for the same data, same run.
// Starts the built service as `npm start` does (demo kommun, embedded database) on a free port.
// Usage: node bench/web-pages.bench.js [--seconds 10] [--connections 4]
const { spawn } = require('node:child_process');
const { mkdtempSync, rmSync } = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const { join } = require('node:path');
const autocannon = require('autocannon');

const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const SECONDS = arg('--seconds', 10);
const CONNECTIONS = arg('--connections', 4);

const freePort = () =>
  new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });

async function start() {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const dataDir = mkdtempSync(join(os.tmpdir(), 'portabel-bench-web-'));
  const child = spawn(process.execPath, ['--max-old-space-size=256', 'dist/src/main.js', '--demo'], {
    cwd: join(__dirname, '..'),
    env: {
      PATH: process.env.PATH,
      PORT: String(port),
      PUBLIC_BASE_URL: url,
      DATA_DIR: dataDir,
      LOG_LEVEL: 'warn',
      RATE_LIMIT_PERSON: '10000000',
      RATE_LIMIT_ANONYMOUS: '10000000',
    },
    stdio: 'ignore',
  });
  for (;;) {
    const ok = await fetch(`${url}/app`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  return {
    url,
    stop: () =>
      (child.kill('SIGTERM'), new Promise((r) => child.once('exit', r))).then(() =>
        rmSync(dataDir, { recursive: true, force: true }),
      ),
  };
}

/** The sign-in as a browser does it: pages → the development provider's page → callback → cookie. */
async function signIn(url, personKey) {
  const startRes = await fetch(`${url}/app/sign-in?idp=0`, { redirect: 'manual' });
  const pending = startRes.headers.get('set-cookie').split(';')[0];
  const params = Object.fromEntries(new URL(startRes.headers.get('location')).searchParams);
  const chosen = await fetch(`${url}/dev-idp/authorize`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ ...params, person: personKey }).toString(),
  });
  const cb = await fetch(chosen.headers.get('location'), {
    redirect: 'manual',
    headers: { cookie: pending },
  });
  return cb.headers
    .getSetCookie()
    .find((c) => c.startsWith('portabel-session='))
    .split(';')[0];
}

function measure(url, path, headers) {
  return new Promise((resolve, reject) => {
    autocannon({ url: `${url}${path}`, connections: CONNECTIONS, duration: SECONDS, headers }, (err, r) =>
      err
        ? reject(err)
        : resolve({
            rps: Math.round(r.requests.average),
            p50: r.latency.p50,
            p99: r.latency.p99,
            non2xx: r.non2xx,
          }),
    );
  });
}

(async () => {
  const app = await start();
  try {
    const guardian = await signIn(app.url, '1980-guardian');
    const registrar = await signIn(app.url, '1980-registrar');
    const home = await (await fetch(`${app.url}/app/home`, { headers: { cookie: guardian } })).text();
    const child = /\/app\/children\/([0-9a-f-]{36})/.exec(home)[1];
    const { demoPeople } = require('../dist/src/seed/demo-people');
    const person = demoPeople({ code: '1980', name: 'Västerås' }).find((p) => p.roles[0] === 'guardian');
    const bearer = async (user) =>
      `Bearer ${(await (await fetch(`${app.url}/dev-idp/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(user) })).json()).access_token}`;
    const guardianApi = {
      authorization: await bearer({ roles: ['guardian'], kommun: '1980', civicNo: person.civicNo }),
    };
    const registrarApi = { authorization: await bearer({ roles: ['registrar'], kommun: '1980' }) };
    const rows = [
      ['API, same data as the children page: `GET /v1/me`', '/v1/me', guardianApi],
      [
        'API, same data as the pupils page: `GET …/records?limit=25`',
        '/v1/kommuner/1980/records?limit=25',
        registrarApi,
      ],
      ['sign-in page (no session)', '/app', {}],
      ['guardian: children (`/app/home`)', '/app/home', { cookie: guardian }],
      ['guardian: one child, consents and history', `/app/children/${child}`, { cookie: guardian }],
      ['registrar: pupils, first page of 25', '/app/pupils', { cookie: registrar }],
      ['static CSS', '/app/static/app.css', {}],
    ];
    const out = [`| page | req/s | p50 ms | p99 ms |`, `| --- | ---: | ---: | ---: |`];
    for (const [label, path, headers] of rows) {
      const r = await measure(app.url, path, headers);
      if (r.non2xx) throw new Error(`${label}: ${r.non2xx} answers were not 2xx`);
      out.push(`| ${label} | ${r.rps} | ${r.p50} | ${r.p99} |`);
    }
    process.stdout.write(
      `### Web pages (embedded database, ${CONNECTIONS} connections, ${SECONDS} s each)\n\n${out.join('\n')}\n`,
    );
  } finally {
    await app.stop();
  }
})().catch((err) => {
  process.stderr.write(`${err.stack}\n`);
  process.exit(1);
});
