// Adapters benchmark (issue 3): a 25,000-pupil OneRoster 1.2 bundle with grades (about Västerås),
// imported through the service's import job end to end; the same as a dry run; exports of the
// kommun to OneRoster and SS 12000; and a raw COPY of the resulting rows as the ceiling, in one run.
//   node bench/imports.bench.js             PostgreSQL server (BENCH_DATABASE_URL, default local)
//   node bench/imports.bench.js --embedded  the embedded PGlite
const { mkdtempSync, rmSync, writeFileSync, readFileSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { Readable } = require('node:stream');
const { pipeline } = require('node:stream/promises');
const { Client } = require('pg');
const { from: copyFrom } = require('pg-copy-streams');
const { generatePupils, generateSchoolUnits } = require('../dist/src/seed/pupil-generator');
const { oneRosterAdapter } = require('../dist/src/adapters/oneroster-1.2/oneroster-1.2.adapter');
const { startService, stopService, peakRssMb, resetPeak, cpuSeconds, postgresCpuSeconds } = require('./lib/service');
const { fmt, pct } = require('./lib/stats');

const embedded = process.argv.includes('--embedded');
const N = Number(process.env.BENCH_PUPILS ?? (embedded ? 5000 : 25000));
const SERVER = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const KOMMUN = '1980';
// BENCH_SKIP=dry,exports,copy leaves phases out (to profile one of them); import too, with the server's
// database of the previous run.
const skip = new Set((process.env.BENCH_SKIP ?? '').split(',').filter(Boolean));

async function freshServerDatabase() {
  // BENCH_SKIP=import reuses the database of the last run (to measure the exports alone).
  if (skip.has('import')) {
    const url = new URL(SERVER);
    url.pathname = '/portabel_bench_imports';
    return url.toString();
  }
  const admin = new Client({ connectionString: SERVER });
  await admin.connect();
  await admin.query('DROP DATABASE IF EXISTS portabel_bench_imports WITH (FORCE)');
  await admin.query('CREATE DATABASE portabel_bench_imports');
  await admin.end();
  const url = new URL(SERVER);
  url.pathname = '/portabel_bench_imports';
  return url.toString();
}

async function bundle(dir) {
  const units = generateSchoolUnits({ kommunCode: KOMMUN, seed: 2026, count: 40 });
  const records = generatePupils({ kommunCode: KOMMUN, count: N, seed: 2026, schoolUnits: units });
  const chunks = [];
  const ctx = { kommunCode: KOMMUN, platformId: 'bench', options: {}, now: new Date('2026-09-01T00:00:00Z'), loss: () => undefined };
  for await (const piece of oneRosterAdapter.export((async function* () { yield* records; })(), ctx)) chunks.push(Buffer.from(piece));
  const path = join(dir, 'oneroster.zip');
  writeFileSync(path, Buffer.concat(chunks));
  return path;
}

/**
 * Wall-clock seconds of a phase, and the CPU seconds the service (`pid`) and the PostgreSQL server
 * used in it: on a shared machine the wall clock moves with the load, the CPU seconds much less.
 */
const timed = async (fn, pid) => {
  const cpu0 = pid ? cpuSeconds(pid) : 0;
  const pg0 = postgresCpuSeconds();
  const t0 = process.hrtime.bigint();
  const value = await fn();
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  return { seconds, value, serviceCpu: pid ? cpuSeconds(pid) - cpu0 : undefined, pgCpu: postgresCpuSeconds() - pg0 };
};
const cpu = (t) => (t.serviceCpu === undefined ? '' : `; CPU: service ${fmt(t.serviceCpu, 1)} s, PostgreSQL ${fmt(t.pgCpu, 1)} s`);

/** Polls a job to its end; `staged` is when an import's progress first reached every pupil. */
async function waitFor(url, auth, seconds = 900) {
  const t0 = process.hrtime.bigint();
  let staged;
  for (let i = 0; i < seconds * 5; i++) {
    const job = await (await fetch(url, { headers: auth })).json();
    if (staged === undefined && job.progress?.processed >= N) staged = Number(process.hrtime.bigint() - t0) / 1e9;
    if (!['queued', 'running'].includes(job.state)) return { ...job, stagedSeconds: staged };
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} did not finish`);
}

async function importOnce(service, auth, path, query, { kommun = KOMMUN, format = 'oneroster-1.2', body } = {}) {
  const res = await fetch(`${service.url}/v1/kommuner/${kommun}/imports?format=${format}&${query}`, {
    method: 'POST',
    headers: { 'content-type': format === 'ss12000' ? 'application/json' : 'application/zip', ...auth },
    body: body ?? readFileSync(path),
  });
  const job = await res.json();
  if (res.status !== 202) throw new Error(`import refused: ${JSON.stringify(job)}`);
  return waitFor(`${service.url}/v1/kommuner/${kommun}/imports/${job.id}`, auth);
}

async function exportOnce(service, auth, format) {
  const res = await fetch(`${service.url}/v1/kommuner/${KOMMUN}/exports`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...auth },
    body: JSON.stringify({ format }),
  });
  const job = await res.json();
  const done = await waitFor(`${service.url}/v1/kommuner/${KOMMUN}/exports/${job.id}`, auth);
  if (done.state !== 'succeeded') throw new Error(`export failed: ${JSON.stringify(done.problem)}`);
  const t0 = process.hrtime.bigint();
  const file = await fetch(`${service.url}${done.file.href}`, { headers: auth });
  const bytes = Buffer.from(await file.arrayBuffer());
  const downloadSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
  // The SS 12000 bundle is kept for the SS 12000 import that follows.
  return { ...done, downloadSeconds, bytes: format === 'ss12000' ? bytes : undefined };
}

/** The ceiling: COPY of the rows the import produced into a table of the same design. */
async function rawCopy(databaseUrl) {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  const { rows } = await client.query(`SELECT source_platform, source_id, content_hash, record::text AS record FROM learner_records WHERE kommun_code = '${KOMMUN}'`);
  await client.query('DROP TABLE IF EXISTS bench_copy');
  await client.query('CREATE TABLE bench_copy (LIKE learner_records INCLUDING ALL)');
  const csv = (s) => `"${s.replace(/"/g, '""')}"`;
  const t0 = process.hrtime.bigint();
  await pipeline(
    Readable.from((function* () {
      for (const r of rows) yield `9999,${csv(r.source_platform)},${csv(r.source_id)},${r.content_hash},${csv(r.record)}\n`;
    })()),
    client.query(copyFrom('COPY bench_copy (kommun_code, source_platform, source_id, content_hash, record) FROM STDIN (FORMAT csv)')),
  );
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  await client.end();
  return { rate: rows.length / seconds, seconds };
}

async function main() {
  const label = embedded ? 'embedded PGlite' : 'PostgreSQL server';
  console.error(`# imports benchmark, ${label}, ${N} pupils`);
  const dir = mkdtempSync(join(tmpdir(), 'portabel-bench-imports-'));
  const r = { label, pupils: N };
  try {
    const needsBundle = !(skip.has('import') && skip.has('dry'));
    if (needsBundle) console.error('generating the OneRoster bundle…');
    const path = needsBundle ? await bundle(dir) : '';
    r.bundleMb = needsBundle ? readFileSync(path).length / 2 ** 20 : 0;
    const databaseUrl = embedded ? undefined : await freshServerDatabase();
    // CONVERSION_WORKER_HEAP_MB passes through, to weigh the conversion thread's heap against RSS.
    const tuning = process.env.CONVERSION_WORKER_HEAP_MB ? { CONVERSION_WORKER_HEAP_MB: process.env.CONVERSION_WORKER_HEAP_MB } : {};
    const service = await startService(
      embedded ? { DATA_DIR: join(dir, 'data'), ...tuning } : { DATABASE_URL: databaseUrl, DB_POOL_SIZE: '20', ...tuning },
    );
    try {
      const operator = await service.signIn({ roles: ['operator'] });
      await fetch(`${service.url}/v1/kommuner`, { method: 'POST', headers: { 'content-type': 'application/json', ...operator }, body: JSON.stringify({ code: KOMMUN, name: 'Västerås' }) });
      const registrar = await service.signIn({ roles: ['registrar'], kommun: KOMMUN });
      // Every export asks the decision point; by default a pupil under 13 goes to a platform only with
      // a guardian's consent, which generated pupils lack. The benchmark measures the export of the
      // whole kommun, so its policy lets provisioning rest on public task at every age (support
      // measures still never go: they are loss entries).
      const admin = await service.signIn({ roles: ['admin'], kommun: KOMMUN });
      const policy = await (await fetch(`${service.url}/v1/kommuner/${KOMMUN}/policy`, { headers: admin })).json();
      policy.document.purposes.provisioning.guardianConsentUnderAge = false;
      const put = await fetch(`${service.url}/v1/kommuner/${KOMMUN}/policy`, { method: 'PUT', headers: { 'content-type': 'application/json', ...admin }, body: JSON.stringify(policy.document) });
      if (!put.ok) throw new Error(`policy refused: ${await put.text()}`);
      if (!skip.has('dry')) {
        console.error('dry run…');
        r.dry = await timed(() => importOnce(service, registrar, path, 'dryRun=true'), service.child.pid);
      }
      if (!skip.has('import')) {
        resetPeak(service.child.pid);
        console.error('import…');
        r.imp = await timed(() => importOnce(service, registrar, path, ''), service.child.pid);
        r.importPeakMb = peakRssMb(service.child.pid);
        if (r.imp.value.counts.created !== N) throw new Error(`import created ${JSON.stringify(r.imp.value.counts)}`);
      }
      if (!skip.has('exports')) {
        console.error('exports…');
        resetPeak(service.child.pid);
        r.exOneRoster = await timed(() => exportOnce(service, registrar, 'oneroster-1.2'), service.child.pid);
        r.exSs12000 = await timed(() => exportOnce(service, registrar, 'ss12000'), service.child.pid);
        r.exportPeakMb = peakRssMb(service.child.pid);
      }
      if (r.exSs12000 && !skip.has('ss12000')) {
        // The kommun's own SS 12000 bundle, imported whole into a second kommun: the streaming reader
        // and the spill file against the same heap.
        console.error('SS 12000 import of the exported bundle…');
        const other = '1984';
        await fetch(`${service.url}/v1/kommuner`, { method: 'POST', headers: { 'content-type': 'application/json', ...operator }, body: JSON.stringify({ code: other, name: 'Arboga' }) });
        const registrar2 = await service.signIn({ roles: ['registrar'], kommun: other });
        const body = r.exSs12000.value.bytes;
        r.ssBundleMb = body.length / 2 ** 20;
        delete r.exSs12000.value.bytes;
        resetPeak(service.child.pid);
        r.impSs = await timed(() => importOnce(service, registrar2, '', '', { kommun: other, format: 'ss12000', body }), service.child.pid);
        r.impSsPeakMb = peakRssMb(service.child.pid);
        if (r.impSs.value.counts?.created !== N) throw new Error(`SS 12000 import: ${JSON.stringify(r.impSs.value.counts ?? r.impSs.value.problem)}`);
      }
    } finally {
      await stopService(service);
    }
    if (!embedded && !skip.has('copy')) {
      console.error('raw COPY of the resulting rows…');
      r.copy = await rawCopy(databaseUrl);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const rate = r.imp ? N / r.imp.seconds : 0;
  const lines = [
    `### Imports: ${r.label}, a ${fmt(r.pupils)}-pupil OneRoster 1.2 bundle with grades (${fmt(r.bundleMb, 1)} MB zip)`,
    '',
    '| measure | result | against the baseline | target |',
    '| --- | --- | --- | --- |',
    r.copy ? `| raw COPY of the resulting rows (ceiling) | ${fmt(r.copy.rate)} rows/s | 100% | |` : '',
    r.imp && `| import, upload to succeeded | ${fmt(r.imp.seconds, 1)} s (${fmt(rate)} pupils/s; all staged at ${fmt(r.imp.value.stagedSeconds, 1)} s${cpu(r.imp)}) | ${r.copy ? pct(rate, r.copy.rate) + ' of COPY' : 'n/a'} | < 30 s, ≥ 50% of COPY |`,
    r.dry ? `| the same import as a dry run | ${fmt(r.dry.seconds, 1)} s (${cpu(r.dry).slice(2)}) | | |` : '',
    r.exOneRoster ? `| export to OneRoster 1.2 (job + download) | ${fmt(r.exOneRoster.seconds, 1)} s (${fmt(r.exOneRoster.value.recordCount)} pupils, ${fmt(r.exOneRoster.value.disclosure.withheld)} withheld, ${fmt(r.exOneRoster.value.loss.count)} loss entries, ${fmt(r.exOneRoster.value.file.size / 2 ** 20)} MB; download ${fmt(r.exOneRoster.value.downloadSeconds, 1)} s${cpu(r.exOneRoster)}) | | < 20 s |` : '',
    r.exSs12000 ? `| export to SS 12000 (job + download) | ${fmt(r.exSs12000.seconds, 1)} s (${fmt(r.exSs12000.value.recordCount)} pupils, ${fmt(r.exSs12000.value.disclosure.withheld)} withheld, ${fmt(r.exSs12000.value.loss.count)} loss entries, ${fmt(r.exSs12000.value.file.size / 2 ** 20)} MB; download ${fmt(r.exSs12000.value.downloadSeconds, 1)} s${cpu(r.exSs12000)}) | | < 20 s |` : '',
    r.impSs ? `| import of the SS 12000 export into another kommun (${fmt(r.ssBundleMb)} MB JSON) | ${fmt(r.impSs.seconds, 1)} s (${fmt(N / r.impSs.seconds)} pupils/s${cpu(r.impSs)}) | | (report) |` : '',
    `| peak RSS of the service | ${r.imp ? `import ${fmt(r.importPeakMb)} MB` : ''}${r.exportPeakMb ? `, exports ${fmt(r.exportPeakMb)} MB` : ''}${r.impSs ? `, SS 12000 import ${fmt(r.impSsPeakMb)} MB` : ''} | | < 512 MB |`,
  ].filter(Boolean);
  console.log(lines.join('\n'));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
