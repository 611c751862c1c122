// Transfers end to end (issue 6): two portabel instances as their own processes (two kommuner, two
// databases, real HTTP), a class of 30 and a closing school of 2,000 pupils each sent in one batch:
// from the sending registrar's request until the sender holds every receiver's signed
// acknowledgement (the receiving registrar accepting each package in between).
//   node bench/transfer-flow.bench.js             PostgreSQL server (BENCH_DATABASE_URL, default local)
//   node bench/transfer-flow.bench.js --embedded  the embedded PGlite
const { mkdtempSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { Client } = require('pg');
const { generatePupils, generateSchoolUnits } = require('../dist/src/seed/pupil-generator');
const { startService, stopService } = require('./lib/service');
const { fmt, runConcurrent } = require('./lib/stats');

const embedded = process.argv.includes('--embedded');
const SCHOOL = Number(process.env.BENCH_SCHOOL_PUPILS ?? 2000);
const CLASS = 30;
const SERVER = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const SENDER = '1980'; // Västerås
const RECEIVER = '1280'; // Malmö

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

async function call(method, url, headers, body) {
  const res = await fetch(url, {
    method,
    headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (res.status >= 300) throw new Error(`${method} ${url}: ${res.status} ${text.slice(0, 500)}`);
  return text ? JSON.parse(text) : undefined;
}

async function until(check, seconds = 600) {
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function setUp(service, kommun, name) {
  const operator = await service.signIn({ roles: ['operator'] });
  await call('POST', `${service.url}/v1/kommuner`, operator, { code: kommun, name });
  return {
    admin: await service.signIn({ roles: ['admin'], kommun }),
    registrar: await service.signIn({ roles: ['registrar'], kommun }),
  };
}

/** One batch, from the request until the sender holds every acknowledgement. */
async function sendBatch(a, b, selection) {
  const t0 = process.hrtime.bigint();
  const since = () => Number(process.hrtime.bigint() - t0) / 1e9;
  const batch = await call(
    'POST',
    `${a.service.url}/v1/kommuner/${SENDER}/transfers/batch`,
    a.who.registrar,
    {
      ...selection,
      receiverKommun: RECEIVER,
    },
  );
  const path = `${a.service.url}/v1/kommuner/${SENDER}/transfers/batches/${batch.id}`;
  const total = await until(async () => {
    const s = await call('GET', path, a.who.registrar);
    return s.state === 'created' && s.pupils;
  });
  const phases = { created: since() };
  await until(async () => (await call('GET', path, a.who.registrar)).counts.delivered === total);
  phases.allDelivered = since();
  // The receiving registrar accepts every package (eight at a time).
  const received = [];
  let cursor = '';
  do {
    const page = await call(
      'GET',
      `${b.service.url}/v1/kommuner/${RECEIVER}/transfers/inbox?state=received&limit=500${cursor ? `&cursor=${cursor}` : ''}`,
      b.who.registrar,
    );
    received.push(...page.data.map((i) => i.id));
    cursor = page.nextCursor ?? '';
  } while (cursor);
  if (received.length !== total) throw new Error(`${received.length} packages in the inbox, not ${total}`);
  // A class one by one (eight at a time), as a registrar clicks through it; a school in one call per 500.
  if (received.length <= CLASS) {
    await runConcurrent(received.length, 8, (i) =>
      call(
        'POST',
        `${b.service.url}/v1/kommuner/${RECEIVER}/transfers/inbox/${received[i]}/accept`,
        b.who.registrar,
      ),
    );
  } else {
    for (let i = 0; i < received.length; i += 500)
      await call('POST', `${b.service.url}/v1/kommuner/${RECEIVER}/transfers/inbox/accept`, b.who.registrar, {
        ids: received.slice(i, i + 500),
      });
  }
  phases.allAccepted = since();
  await until(async () => (await call('GET', path, a.who.registrar)).counts.accepted === total);
  phases.allAcknowledged = since();
  console.error(
    `  ${total} pupils: ${Object.entries(phases)
      .map(([k, v]) => `${k} ${v.toFixed(2)} s`)
      .join(', ')}`,
  );
  return { pupils: total, seconds: since(), phases };
}

async function main() {
  const label = embedded ? 'embedded PGlite' : 'PostgreSQL server';
  console.error(`# transfer flow benchmark, ${label}: a class of ${CLASS}, a school of ${SCHOOL}`);
  const dir = mkdtempSync(join(tmpdir(), 'portabel-bench-tflow-'));
  const r = {};
  let sender;
  let receiver;
  try {
    const dbA = embedded
      ? { DATA_DIR: join(dir, 'a') }
      : { DATABASE_URL: await freshServerDatabase('portabel_bench_tflow_a'), DB_POOL_SIZE: '20' };
    const dbB = embedded
      ? { DATA_DIR: join(dir, 'b') }
      : { DATABASE_URL: await freshServerDatabase('portabel_bench_tflow_b'), DB_POOL_SIZE: '20' };
    // One address delivers thousands of packages a minute: the per-address peer limit is per instance.
    const env = {
      RATE_LIMIT_PERSON: '1000000000',
      RATE_LIMIT_PEER: '1000000',
      ...(process.env.BENCH_NODE_OPTIONS ? { NODE_OPTIONS: process.env.BENCH_NODE_OPTIONS } : {}),
    };
    sender = await startService({ ...dbA, ...env });
    receiver = await startService({ ...dbB, ...env });
    const a = { service: sender, who: await setUp(sender, SENDER, 'Västerås') };
    const b = { service: receiver, who: await setUp(receiver, RECEIVER, 'Malmö') };
    await call('PUT', `${sender.url}/v1/kommuner/${SENDER}/trust/peers/${RECEIVER}`, a.who.admin, {
      name: 'Malmö',
      baseUrl: receiver.url,
    });
    await call('PUT', `${receiver.url}/v1/kommuner/${RECEIVER}/trust/peers/${SENDER}`, b.who.admin, {
      name: 'Västerås',
      baseUrl: sender.url,
    });

    console.error('seeding the sending kommun…');
    const [school] = generateSchoolUnits({ kommunCode: SENDER, seed: 2026, count: 1 });
    const [other] = generateSchoolUnits({ kommunCode: SENDER, seed: 2027, count: 1 });
    const lines = [];
    for (const p of generatePupils({ kommunCode: SENDER, count: SCHOOL, seed: 2026, schoolUnits: [school] }))
      lines.push(JSON.stringify(p));
    for (const p of generatePupils({
      kommunCode: SENDER,
      count: CLASS,
      seed: 2027,
      schoolUnits: [other],
      startIndex: SCHOOL,
    }))
      lines.push(JSON.stringify(p));
    const bulk = await fetch(`${sender.url}/v1/kommuner/${SENDER}/records/bulk`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-ndjson', ...a.who.registrar },
      body: lines.join('\n'),
    });
    if (bulk.status >= 300) throw new Error(`bulk: ${bulk.status} ${await bulk.text()}`);
    const classIds = [];
    let cursor = '';
    do {
      const page = await call(
        'GET',
        `${sender.url}/v1/kommuner/${SENDER}/records?schoolUnit=${other.code}&limit=200${cursor ? `&cursor=${cursor}` : ''}`,
        a.who.registrar,
      );
      classIds.push(...page.data.map((x) => x.id));
      cursor = page.nextCursor ?? '';
    } while (cursor);

    console.error('a class…');
    r.klass = await sendBatch(a, b, { recordIds: classIds.slice(0, CLASS) });
    console.error('a closing school…');
    r.school = await sendBatch(a, b, { schoolUnit: school.code });
  } finally {
    if (sender) await stopService(sender);
    if (receiver) await stopService(receiver);
    rmSync(dir, { recursive: true, force: true });
  }
  const lines = [
    `### Transfers end to end: ${label}, two instances over HTTP, acknowledgements included`,
    '',
    '| batch | pupils | request → every acknowledgement at the sender | packages per second | target |',
    '| --- | --- | --- | --- | --- |',
    `| a class | ${fmt(r.klass.pupils)} | ${fmt(r.klass.seconds, 2)} s | ${fmt(r.klass.pupils / r.klass.seconds, 1)} | < 2 s |`,
    `| a school closing | ${fmt(r.school.pupils)} | ${fmt(r.school.seconds, 1)} s | ${fmt(r.school.pupils / r.school.seconds, 1)} | < 30 s |`,
  ];
  console.log(lines.join('\n'));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
