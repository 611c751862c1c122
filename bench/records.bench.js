// Foundation benchmark (issue 2): ingest through the API and the bulk path against a raw COPY
// ceiling, then GET latency against a bare Fastify handler, all in one run on this machine.
//   node bench/records.bench.js            PostgreSQL server (BENCH_DATABASE_URL, default local)
//   node bench/records.bench.js --embedded the embedded PGlite
const http = require('node:http');
const { mkdtempSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { Readable } = require('node:stream');
const { pipeline } = require('node:stream/promises');
const autocannon = require('autocannon');
const { Client } = require('pg');
const { from: copyFrom } = require('pg-copy-streams');
const { seededPupils, storedRows } = require('./lib/data');
const { startService, stopService, peakRssMb, resetPeak } = require('./lib/service');
const { runConcurrent, fmt, pct } = require('./lib/stats');

const embedded = process.argv.includes('--embedded');
const N = Number(process.env.BENCH_PUPILS ?? (embedded ? 5000 : 25000));
const API_CONCURRENCY = Number(process.env.BENCH_API_CONCURRENCY ?? 32);
const GET_SECONDS = Number(process.env.BENCH_GET_SECONDS ?? 10);
const GET_SAMPLE = Number(process.env.BENCH_GET_SAMPLE ?? 2000);
const SERVER = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });

function post(url, auth, body, contentType = 'application/json') {
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      { method: 'POST', agent, headers: { 'content-type': contentType, ...auth } },
      (res) => {
        let data = '';
        res.setEncoding('utf8');
        res.on('data', (d) => (data += d));
        res.on('end', () => resolve({ status: res.statusCode, body: data }));
      },
    );
    req.on('error', reject);
    if (typeof body === 'string') req.end(body);
    else pipeline(body, req).catch(reject);
  });
}

async function freshServerDatabase() {
  const admin = new Client({ connectionString: SERVER });
  await admin.connect();
  await admin.query('DROP DATABASE IF EXISTS portabel_bench WITH (FORCE)');
  await admin.query('CREATE DATABASE portabel_bench');
  await admin.end();
  const url = new URL(SERVER);
  url.pathname = '/portabel_bench';
  return url.toString();
}

/** The ceiling: COPY of the very rows portabel stores into a table of the same design. */
async function rawCopy(databaseUrl, rows) {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  await client.query('CREATE TABLE bench_copy (LIKE learner_records INCLUDING ALL)');
  const csv = (s) => `"${s.replace(/"/g, '""')}"`;
  const t0 = process.hrtime.bigint();
  const stream = client.query(
    copyFrom(
      'COPY bench_copy (kommun_code, source_platform, source_id, content_hash, record) FROM STDIN (FORMAT csv)',
    ),
  );
  await pipeline(
    Readable.from(
      (function* () {
        for (const r of rows)
          yield `9999,${csv(r.sourcePlatform)},${csv(r.sourceId)},${r.contentHash},${csv(r.recordJson)}\n`;
      })(),
    ),
    stream,
  );
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  await client.end();
  return { seconds, rate: rows.length / seconds };
}

function getBytes(url, auth) {
  return new Promise((resolve, reject) =>
    http
      .get(url, { agent, headers: auth }, (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => resolve(Buffer.concat(chunks)));
      })
      .on('error', reject),
  );
}

function bareFastify(bodies) {
  // The same framework, no Nest, no database: the ceiling for serving these bytes.
  const fastify = require('fastify')({ logger: false });
  fastify.get('/record/:i', (req, reply) =>
    reply.type('application/json').send(bodies[Number(req.params.i)]),
  );
  return fastify.listen({ port: 0, host: '127.0.0.1' }).then((url) => ({ fastify, url }));
}

function cannon(url, paths, auth = {}) {
  let i = 0;
  return autocannon({
    url,
    connections: 100,
    duration: GET_SECONDS,
    headers: auth,
    requests: [{ method: 'GET', setupRequest: (req) => ({ ...req, path: paths[i++ % paths.length] }) }],
  }).then((r) => ({
    rps: r.requests.average,
    p50: r.latency.p50,
    p99: r.latency.p99,
    errors: r.errors + r.non2xx,
  }));
}

async function main() {
  const label = embedded ? 'embedded PGlite' : 'PostgreSQL server';
  console.error(`# records benchmark, ${label}, ${N} pupils`);
  const dataDir = embedded ? mkdtempSync(join(tmpdir(), 'portabel-bench-')) : undefined;
  const databaseUrl = embedded ? undefined : await freshServerDatabase();
  const service = await startService(
    embedded ? { DATA_DIR: dataDir } : { DATABASE_URL: databaseUrl, DB_POOL_SIZE: '20' },
  );
  const results = { label, pupils: N };
  try {
    const operator = await service.signIn({ roles: ['operator'] });
    for (const [code, name] of [
      ['1980', 'Västerås'],
      ['1981', 'API-kommun'],
    ]) {
      await post(`${service.url}/v1/kommuner`, operator, JSON.stringify({ code, name }));
    }
    // The registrars who send the pupils and read them back, one per kommun.
    const bulkRegistrar = await service.signIn({ roles: ['registrar'], kommun: '1980' });
    const apiRegistrar = await service.signIn({ roles: ['registrar'], kommun: '1981' });
    console.error('generating pupils…');
    const { lines } = seededPupils('1980', N);
    results.avgInputBytes = Math.round(lines.reduce((a, l) => a + Buffer.byteLength(l), 0) / N);
    const rows = storedRows(lines);
    results.avgStoredBytes = Math.round(rows.reduce((a, r) => a + Buffer.byteLength(r.recordJson), 0) / N);

    if (!embedded) {
      console.error('raw COPY…');
      results.copy = await rawCopy(databaseUrl, rows);
    }

    console.error('bulk NDJSON…');
    let t0 = process.hrtime.bigint();
    const bulk = await post(
      `${service.url}/v1/kommuner/1980/records/bulk`,
      bulkRegistrar,
      Readable.from(lines.map((l) => `${l}\n`)),
      'application/x-ndjson',
    );
    let seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    const summary = JSON.parse(bulk.body);
    if (summary.created !== N)
      throw new Error(`bulk created ${summary.created} of ${N}: ${bulk.body.slice(0, 500)}`);
    results.bulk = { seconds, rate: N / seconds, peakMb: peakRssMb(service.child.pid) };
    results.peakRssMb = results.bulk.peakMb;
    resetPeak(service.child.pid);

    console.error(`API upserts, ${API_CONCURRENCY} concurrent…`);
    const ids = new Array(N);
    const api = await runConcurrent(N, API_CONCURRENCY, async (i) => {
      const res = await post(`${service.url}/v1/kommuner/1981/records`, apiRegistrar, lines[i]);
      if (res.status !== 201) throw new Error(`upsert ${i}: ${res.status} ${res.body.slice(0, 300)}`);
      ids[i] = JSON.parse(res.body).id;
    });
    results.api = {
      seconds: api.seconds,
      rate: N / api.seconds,
      p50: api.p50,
      p99: api.p99,
      peakMb: peakRssMb(service.child.pid),
    };
    results.peakRssMb = Math.max(results.peakRssMb, results.api.peakMb);

    console.error('GET under 100 connections…');
    // A sample of the records, fetched once: the bare handler then serves these very bytes.
    const paths = ids.slice(0, GET_SAMPLE).map((id) => `/v1/kommuner/1981/records/${id}`);
    const bodies = [];
    for (const p of paths) bodies.push(await getBytes(`${service.url}${p}`, apiRegistrar));
    resetPeak(service.child.pid);
    results.get = await cannon(service.url, paths, apiRegistrar);
    results.get.peakMb = peakRssMb(service.child.pid);
    results.peakRssMb = Math.max(results.peakRssMb, results.get.peakMb);
    await stopService(service);

    console.error('bare Fastify, same responses…');
    const bare = await bareFastify(bodies);
    results.bare = await cannon(
      bare.url,
      paths.map((_, i) => `/record/${i}`),
    );
    await bare.fastify.close();
    results.getBytes = Math.round(bodies.reduce((a, b) => a + b.length, 0) / bodies.length);
  } finally {
    if (service.child.exitCode === null) await stopService(service);
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    agent.destroy();
  }
  report(results);
}

function report(r) {
  const lines = [];
  lines.push(
    `### Records: ${r.label}, ${fmt(r.pupils)} pupils (input ~${fmt(r.avgInputBytes / 1024, 1)} KB, stored ~${fmt(r.avgStoredBytes / 1024, 1)} KB each)`,
  );
  lines.push('');
  lines.push('| measure | result | against the baseline | target |');
  lines.push('| --- | --- | --- | --- |');
  if (r.copy) lines.push(`| raw COPY of the stored rows (ceiling) | ${fmt(r.copy.rate)} rows/s | 100% | |`);
  lines.push(
    `| bulk NDJSON (\`POST …/records/bulk\`), end to end | ${fmt(r.bulk.rate)} pupils/s (${fmt(r.bulk.seconds, 1)} s) | ${r.copy ? pct(r.bulk.rate, r.copy.rate) + ' of COPY' : 'n/a'} | ≥ 60% of COPY |`,
  );
  lines.push(
    `| API upsert (\`POST …/records\`, ${API_CONCURRENCY} concurrent) | ${fmt(r.api.rate)} pupils/s (p50 ${fmt(r.api.p50, 1)} ms, p99 ${fmt(r.api.p99, 1)} ms) | ${r.copy ? pct(r.api.rate, r.copy.rate) + ' of COPY' : 'n/a'} | ≥ 1,500/s |`,
  );
  lines.push(
    `| bare Fastify serving the same responses (${fmt(r.getBytes)} bytes on average), 100 connections | ${fmt(r.bare.rps)} req/s (p50 ${r.bare.p50} ms, p99 ${r.bare.p99} ms) | 100% | |`,
  );
  lines.push(
    `| GET one record, 100 connections | ${fmt(r.get.rps)} req/s (p50 ${r.get.p50} ms, p99 ${r.get.p99} ms, errors ${r.get.errors}) | ${pct(r.get.rps, r.bare.rps)} of bare | p99 < 25 ms, ≥ 25% of bare |`,
  );
  lines.push(
    `| peak RSS of the service | ${fmt(r.peakRssMb)} MB (peak during bulk ${fmt(r.bulk.peakMb)}, API upserts ${fmt(r.api.peakMb)}, GETs ${fmt(r.get.peakMb)}) | | < 400 MB |`,
  );
  console.log(lines.join('\n'));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
