// Access-control benchmark (issue 4): what authentication, row-level security and the audit log
// cost on GET one record and on the API upsert. One run starts the service five times, on a fresh
// database each time, with the layers switched off one by one through the benchmark-only
// BENCH_WITHOUT (src/bench/bench-without.ts; refused when NODE_ENV=production, so every
// configuration here runs with NODE_ENV=development, which changes nothing else on the request path):
//   all on | without audit | without RLS | without authentication | without all three
// Configurations alternate in rounds (a b c d e, a b c d e, …) so that a noisy neighbour on a shared
// machine hits them alike; each figure is the best of its rounds (interference only slows).
//   node bench/access.bench.js             PostgreSQL server (BENCH_DATABASE_URL, default local)
//   node bench/access.bench.js --embedded  the embedded PGlite
const http = require('node:http');
const { mkdtempSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const autocannon = require('autocannon');
const { Client } = require('pg');
const { seededPupils } = require('./lib/data');
const { startService, stopService } = require('./lib/service');
const { runConcurrent, fmt } = require('./lib/stats');

const embedded = process.argv.includes('--embedded');
const SERVER = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const DB_NAME = process.env.BENCH_ACCESS_DB ?? 'portabel_bench_access';
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? (embedded ? 1 : 2));
const UPSERTS = Number(process.env.BENCH_ACCESS_UPSERTS ?? (embedded ? 1000 : 3000));
const SOLO = Number(process.env.BENCH_ACCESS_SOLO ?? (embedded ? 300 : 600));
const UPSERT_CONCURRENCY = 32;
const GET_CONNECTIONS = 100;
const GET_SECONDS = Number(process.env.BENCH_GET_SECONDS ?? (embedded ? 5 : 8));
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

async function freshServerDatabase() {
  const admin = new Client({ connectionString: SERVER });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${DB_NAME} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${DB_NAME}`);
  await admin.end();
  const url = new URL(SERVER);
  url.pathname = `/${DB_NAME}`;
  return url.toString();
}

/** One configuration: a fresh service on a fresh database, upserts under load and alone, then GETs. */
async function measure(config, lines) {
  const dataDir = embedded ? mkdtempSync(join(tmpdir(), 'portabel-bench-access-')) : undefined;
  const db = embedded
    ? { DATA_DIR: dataDir }
    : { DATABASE_URL: await freshServerDatabase(), DB_POOL_SIZE: '20' };
  const service = await startService({ ...db, NODE_ENV: 'development', BENCH_WITHOUT: config.without });
  try {
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
    const ids = [];
    const upsert = async (i) => {
      const res = await request(
        'POST',
        `${service.url}/v1/kommuner/${KOMMUN}/records`,
        { 'content-type': 'application/json', ...people[i % PEOPLE] },
        lines[i],
      );
      if (res.status !== 201) throw new Error(`upsert ${i}: ${res.status} ${res.body.slice(0, 300)}`);
      ids.push(JSON.parse(res.body).id);
    };
    const upsertLoad = await runConcurrent(UPSERTS, UPSERT_CONCURRENCY, upsert);
    const upsertSolo = await runConcurrent(SOLO, 1, (i) => upsert(UPSERTS + i));
    const paths = ids.map((id) => `/v1/kommuner/${KOMMUN}/records/${id}`);
    const get = async (i) => {
      const res = await request('GET', `${service.url}${paths[i % paths.length]}`, people[i % PEOPLE]);
      if (res.status !== 200) throw new Error(`GET: ${res.status} ${res.body.slice(0, 300)}`);
    };
    await runConcurrent(200, 8, get); // warm-up
    const getSolo = await runConcurrent(SOLO * 2, 1, get);
    let n = 0;
    const cannon = await autocannon({
      url: service.url,
      connections: GET_CONNECTIONS,
      duration: GET_SECONDS,
      requests: [
        {
          method: 'GET',
          setupRequest: (req) => {
            const i = n++;
            return {
              ...req,
              path: paths[i % paths.length],
              headers: { ...req.headers, ...people[i % PEOPLE] },
            };
          },
        },
      ],
    });
    if (cannon.errors + cannon.non2xx > 0)
      throw new Error(`GET load: ${cannon.errors} errors, ${cannon.non2xx} non-2xx`);
    return {
      upsert: { rps: UPSERTS / upsertLoad.seconds, p50: upsertLoad.p50, p99: upsertLoad.p99 },
      upsertSolo: { p50: upsertSolo.p50, p99: upsertSolo.p99 },
      get: { rps: cannon.requests.average, p50: cannon.latency.p50, p99: cannon.latency.p99 },
      getSolo: { p50: getSolo.p50, p99: getSolo.p99 },
    };
  } finally {
    await stopService(service);
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  }
}

/** The best of the rounds, figure by figure: more is better for req/s, less for latencies. */
function best(runs) {
  const out = {};
  for (const part of Object.keys(runs[0])) {
    out[part] = {};
    for (const figure of Object.keys(runs[0][part])) {
      const values = runs.map((r) => r[part][figure]);
      out[part][figure] = figure === 'rps' ? Math.max(...values) : Math.min(...values);
    }
  }
  return out;
}

async function main() {
  const label = embedded ? 'embedded PGlite' : 'PostgreSQL server';
  console.error(`# access benchmark, ${label}, ${ROUNDS} round(s)`);
  const { lines } = seededPupils(KOMMUN, UPSERTS + SOLO);
  const runs = Object.fromEntries(CONFIGS.map((c) => [c.key, []]));
  for (let round = 1; round <= ROUNDS; round++) {
    for (const config of CONFIGS) {
      console.error(`round ${round}: ${config.label}…`);
      const result = await measure(config, lines);
      console.error(`  ${JSON.stringify(result)}`);
      runs[config.key].push(result);
    }
  }
  agent.destroy();
  report(label, Object.fromEntries(CONFIGS.map((c) => [c.key, best(runs[c.key])])));
}

function report(label, r) {
  const ms = (v) => fmt(v, v < 10 ? 2 : 1);
  const share = (part, layer) => (r.all[part].p50 - r[layer][part].p50) / r.all[part].p50;
  const pctOf = (x) => `${(100 * x).toFixed(0)}%`;
  const out = [];
  out.push(`### Access control, RLS and audit: ${label}`);
  out.push('');
  out.push(
    `Alone: one request at a time (${fmt(SOLO)} upserts, ${fmt(SOLO * 2)} GETs), the request's own time. ` +
      `Under load: ${fmt(UPSERTS)} upserts ${UPSERT_CONCURRENCY} at a time; GET ${GET_CONNECTIONS} connections for ${GET_SECONDS} s ` +
      `(autocannon). ${PEOPLE} registrars' tokens in rotation; best of ${ROUNDS} round(s).`,
  );
  out.push('');
  out.push(
    '| configuration | GET req/s | GET p50 / p99 (load) | GET p50 / p99 (alone) | upsert req/s | upsert p50 / p99 (load) | upsert p50 / p99 (alone) |',
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
  out.push("| each layer's share of p50 (alone) | GET | upsert |");
  out.push('| --- | --- | --- |');
  for (const [layer, name] of [
    ['auth', 'authentication'],
    ['rls', 'row-level security'],
    ['audit', 'audit log'],
  ]) {
    out.push(`| ${name} | ${pctOf(share('getSolo', layer))} | ${pctOf(share('upsertSolo', layer))} |`);
  }
  const together = (part) => share(part, 'none');
  out.push(
    `| all three together (all on against without all three; target < 30%) | ${pctOf(together('getSolo'))} ${together('getSolo') < 0.3 ? '✓' : '✗'} | ${pctOf(together('upsertSolo'))} ${together('upsertSolo') < 0.3 ? '✓' : '✗'} |`,
  );
  out.push('');
  const getRatio = r.all.get.rps / r.none.get.rps;
  const upsertRatio = r.all.upsert.rps / r.none.upsert.rps;
  out.push(
    `GET req/s with all three: **${pctOf(getRatio)}** of without (target ≥ 70%: ${getRatio >= 0.7 ? 'met' : 'not met'}); ` +
      `upsert req/s: ${pctOf(upsertRatio)} of without. Under load, GET p50 with all three is ${pctOf(r.all.get.p50 / r.none.get.p50)} of without's.`,
  );
  console.log(out.join('\n'));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
