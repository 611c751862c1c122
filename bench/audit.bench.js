// Audit benchmark (issue 4): appends per second through AuditService.record() (group commit per
// kommun, hash chain, advisory lock) with 1, 10 and 100 concurrent callers on one kommun and
// spread over ten, beside a same-run baseline: the same rows as plain single-row INSERTs into an
// unchained table, one autocommit INSERT per call, same pool, same callers.
//   node bench/audit.bench.js             PostgreSQL server (BENCH_DATABASE_URL, default local)
//   node bench/audit.bench.js --embedded  the embedded PGlite
const { randomBytes, randomUUID } = require('node:crypto');
const { mkdtempSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { Client } = require('pg');
const { createApp } = require('../dist/src/bootstrap');
const { loadConfig } = require('../dist/src/config/env.schema');
const { AuditService } = require('../dist/src/audit/audit.service');
const { TenantDb } = require('../dist/src/database/tenant-db');
const { sql } = require('../dist/src/database/sql');
const { runConcurrent, fmt, pct } = require('./lib/stats');

const embedded = process.argv.includes('--embedded');
const SERVER = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const CALLS = Number(process.env.BENCH_AUDIT_CALLS ?? (embedded ? 4000 : 10000));
const SOLO_CALLS = Number(process.env.BENCH_AUDIT_SOLO_CALLS ?? (embedded ? 1000 : 3000));
const POOL = 10;
const KOMMUNER = Array.from({ length: 10 }, (_, i) => String(1980 + i));

async function freshServerDatabase() {
  const admin = new Client({ connectionString: SERVER });
  await admin.connect();
  await admin.query('DROP DATABASE IF EXISTS portabel_bench_audit WITH (FORCE)');
  await admin.query('CREATE DATABASE portabel_bench_audit');
  await admin.end();
  const url = new URL(SERVER);
  url.pathname = '/portabel_bench_audit';
  return url.toString();
}

/** What the access guard will record for a GET of one record. */
const entryFor = (kommunCode, i) => ({
  kommunCode,
  actor: { kind: 'person', subject: `user-${i % 50}`, role: 'registrar' },
  action: 'records:read',
  outcome: 'allowed',
  pupilRecordIds: [randomUUID()],
  sections: ['enrolments', 'grades', 'pupil'],
  requestId: randomUUID(),
  detail: { route: 'GET /v1/kommuner/{kommunCode}/records/{recordId}', status: 200 },
});

/** The same row, unchained: no seq from a chain, no hash, no lock. */
const plainInsert = (db, e) =>
  db.once(
    e.kommunCode,
    sql`INSERT INTO audit_bench_plain (kommun_code, occurred_at, actor_kind, actor_subject, actor_role, action, outcome,
          pupil_record_ids, sections, request_id, detail)
        VALUES (${e.kommunCode}, ${new Date()}, ${e.actor.kind}, ${e.actor.subject}, ${e.actor.role}, ${e.action},
          ${e.outcome}, ${e.pupilRecordIds}::uuid[], ${e.sections}::text[], ${e.requestId}, ${JSON.stringify(e.detail)}::jsonb)`,
  );

(async () => {
  const dataDir = embedded ? mkdtempSync(join(tmpdir(), 'portabel-bench-audit-')) : undefined;
  const url = embedded ? undefined : await freshServerDatabase();
  const config = loadConfig({
    NODE_ENV: 'production',
    LOG_LEVEL: 'silent',
    DB_POOL_SIZE: String(POOL),
    JOBS_WORKER: 'off',
    MASTER_KEY: randomBytes(32).toString('base64'),
    ...(url ? { DATABASE_URL: url } : { DATA_DIR: dataDir }),
  });
  const running = await createApp(config);
  try {
    const audit = running.app.get(AuditService);
    const db = running.app.get(TenantDb);
    const ds = running.app.get(require('typeorm').DataSource);
    for (const code of KOMMUNER) await ds.query(`INSERT INTO kommuner (code, name) VALUES ($1, $2)`, [code, `Kommun ${code}`]);
    // The baseline table: the audit row's columns and indexes, without the chain.
    await ds.query(`CREATE TABLE audit_bench_plain (
      id bigserial PRIMARY KEY, kommun_code char(4) NOT NULL, occurred_at timestamptz NOT NULL,
      actor_kind text NOT NULL, actor_subject text, actor_role text, action text NOT NULL, outcome text NOT NULL,
      pupil_record_ids uuid[] NOT NULL, sections text[] NOT NULL, request_id text, detail jsonb NOT NULL)`);
    await ds.query(`CREATE INDEX ON audit_bench_plain USING gin (pupil_record_ids)`);
    await ds.query(`CREATE INDEX ON audit_bench_plain (kommun_code, occurred_at)`);
    await ds.query(`GRANT INSERT, SELECT ON audit_bench_plain TO portabel_app`);
    await ds.query(`GRANT USAGE ON SEQUENCE audit_bench_plain_id_seq TO portabel_app`);
    // Keys made before the clock starts (the first checkpoint of a kommun makes its signing key).
    for (const code of KOMMUNER) await audit.record(entryFor(code, 0));

    const runs = [
      { label: 'one kommun', callers: 1, spread: 1, calls: SOLO_CALLS },
      { label: 'one kommun', callers: 10, spread: 1, calls: CALLS },
      { label: 'one kommun', callers: 100, spread: 1, calls: CALLS },
      { label: '10 kommuner', callers: 10, spread: 10, calls: CALLS },
      { label: '10 kommuner', callers: 100, spread: 10, calls: CALLS },
    ];
    const rows = [];
    for (const run of runs) {
      const kommunOf = (i) => KOMMUNER[i % run.spread];
      const chained = await runConcurrent(run.calls, run.callers, (i) => audit.record(entryFor(kommunOf(i), i)));
      const plain = await runConcurrent(run.calls, run.callers, (i) => plainInsert(db, entryFor(kommunOf(i), i)));
      rows.push({ run, chained, plain });
      process.stderr.write(`${run.label} × ${run.callers}: ${fmt(run.calls / chained.seconds)}/s chained, ${fmt(run.calls / plain.seconds)}/s plain\n`);
    }
    for (const code of KOMMUNER) {
      const report = await audit.verify(code);
      if (!report.ok) throw new Error(`chain ${code} does not verify: ${JSON.stringify(report.firstBroken)}`);
    }
    const verifyStart = process.hrtime.bigint();
    const big = await audit.verify(KOMMUNER[0]);
    const verifySeconds = Number(process.hrtime.bigint() - verifyStart) / 1e9;

    const lines = [
      `### Audit appends, ${embedded ? 'embedded PGlite' : 'PostgreSQL server'} (pool ${POOL})`,
      '',
      '| callers | kommuner | chained appends/s | p50 / p99 ms | plain INSERTs/s | p50 / p99 ms | chained vs plain |',
      '| ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
      ...rows.map(
        ({ run, chained, plain }) =>
          `| ${run.callers} | ${run.spread} | ${fmt(run.calls / chained.seconds)} | ${fmt(chained.p50, 2)} / ${fmt(chained.p99, 2)} | ` +
          `${fmt(run.calls / plain.seconds)} | ${fmt(plain.p50, 2)} / ${fmt(plain.p99, 2)} | ${pct(plain.seconds, chained.seconds)} |`,
      ),
      '',
      `Verification of a ${fmt(big.head.seq)}-entry chain (every hash, link and checkpoint): ${fmt(verifySeconds, 2)} s ` +
        `(${fmt(big.head.seq / verifySeconds)} entries/s); every chain verified.`,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    await running.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  }
})().catch((err) => {
  console.error(err);
  process.exit(1);
});
