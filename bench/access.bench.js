// Access-control benchmark (issue 4): what authentication, row-level security and the audit log
// cost on GET one record and on the API upsert, with and without each, in one run.
//
// Five services run side by side, each on a database of its own, with layers switched off through
// the benchmark-only BENCH_WITHOUT (src/bench/bench-without.ts; refused when NODE_ENV=production,
// so every service here runs with NODE_ENV=development, which changes nothing on the request path):
//   all on | without audit | without RLS | without authentication | without all three
// They are measured in short interleaved slices (slice k: every configuration once, in an order
// rotated by k), so that load from other work on a shared machine falls on all of them alike.
//   node bench/access.bench.js             PostgreSQL server (BENCH_DATABASE_URL, default local)
//   node bench/access.bench.js --embedded  the embedded PGlite
//   BENCH_CPU_PROF=DIR                     writes a CPU profile of each service into DIR
const http = require('node:http');
const { mkdtempSync, readFileSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const autocannon = require('autocannon');
const { Client } = require('pg');
const { seededPupils } = require('./lib/data');
const { startService, stopService } = require('./lib/service');
const { percentile, fmt } = require('./lib/stats');

const embedded = process.argv.includes('--embedded');
const SERVER = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const DB_PREFIX = process.env.BENCH_ACCESS_DB ?? 'portabel_bench_access';
const SLICES = Number(process.env.BENCH_SLICES ?? 4);
const UPSERTS = Number(process.env.BENCH_ACCESS_UPSERTS ?? (embedded ? 800 : 2000));
const SOLO = Number(process.env.BENCH_ACCESS_SOLO ?? (embedded ? 200 : 400));
const UPSERT_CONCURRENCY = 32;
const GET_CONNECTIONS = 100;
const GET_SECONDS = Number(process.env.BENCH_GET_SECONDS ?? (embedded ? 12 : 20));
/** Distinct people (tokens) the requests rotate through: the authenticator sees more than one caller. */
const PEOPLE = 20;
const KOMMUN = '1981';

const CONFIGS = [
  { key: 'all', label: 'all on (token auth, RLS, audit)', without: '' },
  { key: 'audit', label: 'without audit', without: 'audit' },
  { key: 'rls', label: 'without RLS', without: 'rls' },
  { key: 'auth', label: 'without authentication', without: 'auth' },
  { key: 'none', label: 'without all three', without: 'auth,rls,audit' },
];

const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });

function request(method, url, headers, body) {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, agent, headers }, (res) => {
      let data = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (data += d));
      res.on('end', () => resolve({ status: res.statusCode, body: data }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Runs task(i) for i in [from, to) with `concurrency` in flight; the latencies (ms) and the seconds. */
async function timed(from, to, concurrency, task) {
  const latencies = [];
  let next = from;
  const t0 = process.hrtime.bigint();
  const worker = async () => {
    for (let i = next++; i < to; i = next++) {
      const s = process.hrtime.bigint();
      await task(i);
      latencies.push(Number(process.hrtime.bigint() - s) / 1e6);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { latencies, seconds: Number(process.hrtime.bigint() - t0) / 1e9 };
}

/** CPU seconds (user + system) a process has used so far; 0 once it is gone. */
function cpuSeconds(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (CLK_TCK 100)
  } catch {
    return 0;
  }
}

/**
 * The CPU a configuration uses: its service process and, on a server, the database backends serving
 * it (pg_stat_activity by database). On a busy shared machine wall-clock figures move with the
 * neighbours' load; CPU per request does much less.
 */
async function cpuSnapshot(s) {
  const pids = [s.service.child.pid];
  if (s.admin) {
    const rows = await s.admin.query('SELECT pid FROM pg_stat_activity WHERE datname = $1', [s.dbName]);
    pids.push(...rows.rows.map((r) => r.pid));
  }
  return new Map(pids.map((pid) => [pid, cpuSeconds(pid)]));
}
const cpuSince = (before, after) =>
  [...after].reduce((sum, [pid, cpu]) => sum + cpu - (before.get(pid) ?? 0), 0);

/**
 * What one durable commit costs on this server, alone: a one-row INSERT (its WAL flush) against a
 * bare SELECT (a round trip). An audited request waits for one such commit before it answers.
 */
async function commitFloor(name) {
  const url = new URL(SERVER);
  url.pathname = `/${name}`;
  const client = new Client({ connectionString: url.toString() });
  await client.connect();
  await client.query('CREATE TABLE bench_commit_floor (n int)');
  const p50 = async (text) => {
    const { latencies } = await timed(0, 2 * SOLO, 1, () => client.query(text));
    return percentile(
      latencies.sort((a, b) => a - b),
      50,
    );
  };
  const result = {
    select: await p50('SELECT 1'),
    insert: await p50('INSERT INTO bench_commit_floor VALUES (1)'),
  };
  await client.query('DROP TABLE bench_commit_floor');
  await client.end();
  return result;
}

async function freshServerDatabase(name) {
  const admin = new Client({ connectionString: SERVER });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(SERVER);
  url.pathname = `/${name}`;
  return url.toString();
}

async function dropServerDatabase(name) {
  const admin = new Client({ connectionString: SERVER });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.end();
}

/** One configuration's service, on a fresh database, with its kommun and its registrars. */
async function setUp(config) {
  const dbName = `${DB_PREFIX}_${config.key}`;
  const dataDir = embedded ? mkdtempSync(join(tmpdir(), 'portabel-bench-access-')) : undefined;
  const db = embedded
    ? { DATA_DIR: dataDir }
    : { DATABASE_URL: await freshServerDatabase(dbName), DB_POOL_SIZE: '20' };
  const prof = process.env.BENCH_CPU_PROF;
  const service = await startService(
    // No job worker: five idle queues polling would be load of their own, and no request here needs one.
    { ...db, NODE_ENV: 'development', BENCH_WITHOUT: config.without, JOBS_WORKER: 'off' },
    {
      // Five services start on a machine that may be busy: a cold embedded database can take a while.
      readySeconds: 300,
      nodeFlags: prof
        ? ['--cpu-prof', `--cpu-prof-dir=${prof}`, `--cpu-prof-name=${config.key}.cpuprofile`]
        : [],
    },
  );
  const operator = await service.signIn({ roles: ['operator'] });
  const made = await request(
    'POST',
    `${service.url}/v1/kommuner`,
    { 'content-type': 'application/json', ...operator },
    JSON.stringify({ code: KOMMUN, name: 'Åtkomstkommun' }),
  );
  if (made.status !== 201) throw new Error(`kommun: ${made.status} ${made.body}`);
  const people = [];
  for (let i = 0; i < PEOPLE; i++)
    people.push(await service.signIn({ roles: ['registrar'], kommun: KOMMUN }));
  const admin = embedded ? undefined : new Client({ connectionString: SERVER });
  await admin?.connect();
  const tearDown = async () => {
    await admin?.end();
    await stopService(service);
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    else await dropServerDatabase(dbName);
  };
  return { config, service, people, ids: [], tearDown, samples: {}, admin, dbName };
}

function upsertTask(s, lines) {
  return async (i) => {
    const res = await request(
      'POST',
      `${s.service.url}/v1/kommuner/${KOMMUN}/records`,
      { 'content-type': 'application/json', ...s.people[i % PEOPLE] },
      lines[i],
    );
    if (res.status !== 201) throw new Error(`upsert ${i}: ${res.status} ${res.body.slice(0, 300)}`);
    s.ids.push(JSON.parse(res.body).id);
  };
}

function getTask(s) {
  return async (i) => {
    const path = `/v1/kommuner/${KOMMUN}/records/${s.ids[i % s.ids.length]}`;
    const res = await request('GET', `${s.service.url}${path}`, s.people[i % PEOPLE]);
    if (res.status !== 200) throw new Error(`GET: ${res.status} ${res.body.slice(0, 300)}`);
  };
}

async function getLoad(s, seconds) {
  let n = 0;
  const r = await autocannon({
    url: s.service.url,
    connections: GET_CONNECTIONS,
    duration: seconds,
    requests: [
      {
        method: 'GET',
        setupRequest: (req) => {
          const i = n++;
          return {
            ...req,
            path: `/v1/kommuner/${KOMMUN}/records/${s.ids[i % s.ids.length]}`,
            headers: { ...req.headers, ...s.people[i % PEOPLE] },
          };
        },
      },
    ],
  });
  if (r.errors + r.non2xx > 0) throw new Error(`GET load: ${r.errors} errors, ${r.non2xx} non-2xx`);
  return { requests: r.requests.total, seconds: r.duration, p50: r.latency.p50, p99: r.latency.p99 };
}

/** Slice by slice, every configuration once per slice, in an order rotated by the slice. */
async function interleaved(services, name, work) {
  for (let k = 0; k < SLICES; k++) {
    for (let j = 0; j < services.length; j++) {
      const s = services[(j + k) % services.length];
      const before = await cpuSnapshot(s);
      const sample = await work(s, k);
      sample.cpu = cpuSince(before, await cpuSnapshot(s));
      (s.samples[name] ??= []).push(sample);
    }
    console.error(`  ${name}: slice ${k + 1}/${SLICES}`);
  }
}

const sum = (slices, f) => slices.reduce((a, x) => a + f(x), 0);
const pooled = (slices) => {
  const latencies = slices.flatMap((x) => x.latencies).sort((a, b) => a - b);
  return {
    rps: latencies.length / sum(slices, (x) => x.seconds),
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    cpuMs: (1000 * sum(slices, (x) => x.cpu)) / latencies.length,
  };
};
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function main() {
  const label = embedded ? 'embedded PGlite' : 'PostgreSQL server';
  console.error(`# access benchmark, ${label}, ${SLICES} interleaved slices`);
  const { lines } = seededPupils(KOMMUN, UPSERTS + SOLO);
  const services = [];
  let floor;
  try {
    for (const config of CONFIGS) {
      console.error(`starting: ${config.label}`);
      services.push(await setUp(config));
    }
    const per = (n) => Math.ceil(n / SLICES);
    await interleaved(services, 'upsert', (s, k) =>
      timed(
        k * per(UPSERTS),
        Math.min(UPSERTS, (k + 1) * per(UPSERTS)),
        UPSERT_CONCURRENCY,
        upsertTask(s, lines),
      ),
    );
    await interleaved(services, 'upsertSolo', (s, k) =>
      timed(UPSERTS + k * per(SOLO), UPSERTS + Math.min(SOLO, (k + 1) * per(SOLO)), 1, upsertTask(s, lines)),
    );
    for (const s of services) await timed(0, 300, 8, getTask(s)); // warm-up
    await interleaved(services, 'getSolo', (s, k) =>
      timed(k * per(2 * SOLO), (k + 1) * per(2 * SOLO), 1, getTask(s)),
    );
    await interleaved(services, 'get', (s) => getLoad(s, Math.max(1, Math.round(GET_SECONDS / SLICES))));
    if (!embedded) floor = await commitFloor(services[0].dbName);
  } finally {
    for (const s of services) await s.tearDown();
    agent.destroy();
  }
  const results = {};
  for (const s of services) {
    const get = s.samples.get;
    results[s.config.key] = {
      upsert: pooled(s.samples.upsert),
      upsertSolo: pooled(s.samples.upsertSolo),
      getSolo: pooled(s.samples.getSolo),
      get: {
        rps: sum(get, (x) => x.requests) / sum(get, (x) => x.seconds),
        p50: median(get.map((x) => x.p50)),
        p99: median(get.map((x) => x.p99)),
        cpuMs: (1000 * sum(get, (x) => x.cpu)) / sum(get, (x) => x.requests),
      },
    };
  }
  report(label, results, floor);
}

function report(label, r, floor) {
  const ms = (v) => fmt(v, v < 10 ? 2 : 1);
  const share = (part, layer) => (r.all[part].p50 - r[layer][part].p50) / r.all[part].p50;
  const pctOf = (x) => `${(100 * x).toFixed(0)}%`;
  const mark = (ok) => (ok ? 'met' : 'not met');
  const out = [];
  out.push(`### Access control, RLS and audit: ${label}`);
  out.push('');
  out.push(
    `Five services side by side, measured in ${SLICES} interleaved slices. Alone: one request at a time ` +
      `(${fmt(SOLO)} upserts, ${fmt(2 * SOLO)} GETs), the request's own time. Under load: ${fmt(UPSERTS)} upserts ` +
      `${UPSERT_CONCURRENCY} at a time; GET with ${GET_CONNECTIONS} connections for ${GET_SECONDS} s (autocannon). ` +
      `${PEOPLE} registrars' tokens in rotation.`,
  );
  out.push('');
  out.push(
    '| configuration | GET req/s | GET p50 / p99 under load | GET p50 / p99 alone | upsert req/s | upsert p50 / p99 under load | upsert p50 / p99 alone |',
  );
  out.push('| --- | --- | --- | --- | --- | --- | --- |');
  for (const c of CONFIGS) {
    const x = r[c.key];
    out.push(
      `| ${c.label} | ${fmt(x.get.rps)} | ${x.get.p50} / ${x.get.p99} ms | ${ms(x.getSolo.p50)} / ${ms(x.getSolo.p99)} ms | ` +
        `${fmt(x.upsert.rps)} | ${ms(x.upsert.p50)} / ${ms(x.upsert.p99)} ms | ${ms(x.upsertSolo.p50)} / ${ms(x.upsertSolo.p99)} ms |`,
    );
  }
  out.push('');
  out.push(
    `CPU per request under load (the service${embedded ? ', which holds the embedded database' : ' and its database backends'}), ` +
      'the figure least moved by other work on a shared machine:',
  );
  out.push('');
  out.push(
    '| configuration | GET: CPU ms per request | against without all three | upsert: CPU ms per request | against without all three |',
  );
  out.push('| --- | --- | --- | --- | --- |');
  for (const c of CONFIGS) {
    const x = r[c.key];
    out.push(
      `| ${c.label} | ${fmt(x.get.cpuMs, 2)} | ${pctOf(x.get.cpuMs / r.none.get.cpuMs)} | ${fmt(x.upsert.cpuMs, 2)} | ${pctOf(x.upsert.cpuMs / r.none.upsert.cpuMs)} |`,
    );
  }
  out.push('');
  out.push(
    "| share of the request's p50 (all on against without the layer) | GET alone | GET under load | upsert alone | upsert under load |",
  );
  out.push('| --- | --- | --- | --- | --- |');
  const row = (name, layer) =>
    `| ${name} | ${['getSolo', 'get', 'upsertSolo', 'upsert'].map((p) => pctOf(share(p, layer))).join(' | ')} |`;
  out.push(row('authentication', 'auth'));
  out.push(row('row-level security', 'rls'));
  out.push(row('audit log', 'audit'));
  out.push(row('**all three** (against without all three; target < 30%)', 'none'));
  out.push('');
  const getRatio = r.all.get.rps / r.none.get.rps;
  const upsertRatio = r.all.upsert.rps / r.none.upsert.rps;
  out.push(
    `GET req/s with all three: **${pctOf(getRatio)}** of without (target ≥ 70%: ${mark(getRatio >= 0.7)}). ` +
      `Upsert req/s with all three: ${pctOf(upsertRatio)} of without. ` +
      `All three at p50: GET alone ${pctOf(share('getSolo', 'none'))} (${mark(share('getSolo', 'none') < 0.3)}), ` +
      `GET under load ${pctOf(share('get', 'none'))} (${mark(share('get', 'none') < 0.3)}), ` +
      `upsert alone ${pctOf(share('upsertSolo', 'none'))} (${mark(share('upsertSolo', 'none') < 0.3)}), ` +
      `upsert under load ${pctOf(share('upsert', 'none'))} (${mark(share('upsert', 'none') < 0.3)}).`,
  );
  out.push(
    `CPU: all three are ${pctOf(1 - r.none.get.cpuMs / r.all.get.cpuMs)} of a GET's CPU and ${pctOf(1 - r.none.upsert.cpuMs / r.all.upsert.cpuMs)} of an upsert's; ` +
      `on a machine the service had to itself, GET req/s with all three would be about ${pctOf(r.none.get.cpuMs / r.all.get.cpuMs)} of without.`,
  );
  if (floor) {
    out.push(
      `On this server one durable commit alone (a one-row INSERT) takes ${ms(floor.insert)} ms at p50, a bare ` +
        `round trip (SELECT 1) ${ms(floor.select)} ms: an audited request waits for one such commit (shared ` +
        'with the requests around it under load, by the group commit).',
    );
  }
  console.log(out.join('\n'));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
