import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { MIGRATIONS } from '../../migrations';
import { loadConfig } from '../../src/config/env.schema';
import { connect, DatabaseHandle, openDatabase } from '../../src/database/database-connection';
import { removeDir, serverUrl, TEST_DATA_ROOT } from '../helpers/test-database';

/**
 * Every migration applies to an empty database and reverts cleanly, on the embedded database or
 * on the server (in a throwaway database there).
 */
const EXPECTED_TABLES = [
  'audit_checkpoints',
  'audit_log',
  'client_assertion_jtis',
  'consent_policies',
  'consents',
  'export_file_chunks',
  'export_jobs',
  'idempotency_keys',
  'import_file_chunks',
  'import_jobs',
  'import_staging',
  'kommun_keys',
  'kommuner',
  'learner_records',
  'platform_clients',
  'platforms',
  'processing_restrictions',
  'record_changes',
  'school_units',
  'subject_request_events',
  'subject_request_files',
  'subject_requests',
  'transfer_batches',
  'transfer_inbox',
  'transfers',
  'trust_lists',
  'trust_peers',
  'trust_revoked_keys',
];

describe('migrations', () => {
  let handle: DatabaseHandle;
  let ds: DataSource;
  let cleanup: () => Promise<void>;

  beforeAll(async () => {
    const url = serverUrl();
    if (url) {
      const name = `test_migrations_${randomBytes(4).toString('hex')}`;
      const admin = new Client({ connectionString: url });
      await admin.connect();
      await admin.query(`CREATE DATABASE ${name}`);
      const scratch = new URL(url);
      scratch.pathname = `/${name}`;
      handle = await openDatabase(loadConfig({ DATABASE_URL: scratch.toString(), DB_POOL_SIZE: '2' }));
      cleanup = async () => {
        await admin.query(`DROP DATABASE IF EXISTS ${name}`);
        await admin.end();
      };
    } else {
      const dir = `${TEST_DATA_ROOT}/migrations-${process.pid}-${Date.now()}`;
      handle = await openDatabase(loadConfig({ DATA_DIR: dir, DB_POOL_SIZE: '2' }));
      cleanup = () => Promise.resolve(removeDir(dir));
    }
    ds = await connect(handle, false);
  });

  afterAll(async () => {
    await ds?.destroy();
    await handle?.close();
    await cleanup?.();
  });

  const tables = async (): Promise<string[]> =>
    (
      await ds.query(
        `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_name <> 'migrations' ORDER BY 1`,
      )
    ).map((r: { table_name: string }) => r.table_name);

  it('starts from an empty database', async () => {
    expect(await tables()).toEqual([]);
  });

  it('applies every migration', async () => {
    const applied = await ds.runMigrations({ transaction: 'each' });
    expect(applied.map((m) => m.name)).toEqual(MIGRATIONS.map((m) => new m().name));
    expect(await tables()).toEqual(EXPECTED_TABLES);
    const rls = await ds.query(
      `SELECT relname FROM pg_class WHERE relrowsecurity AND relforcerowsecurity ORDER BY 1`,
    );
    expect(rls.map((r: { relname: string }) => r.relname)).toEqual(
      expect.arrayContaining(EXPECTED_TABLES.filter((t) => t !== 'kommuner')),
    );
  });

  it('reverts every migration, leaving the database empty again', async () => {
    for (let i = 0; i < MIGRATIONS.length; i++) await ds.undoLastMigration({ transaction: 'each' });
    expect(await tables()).toEqual([]);
    const functions = await ds.query(`SELECT proname FROM pg_proc WHERE proname LIKE 'learner_record_%'`);
    expect(functions).toEqual([]);
  });

  it('applies again after a revert', async () => {
    await ds.runMigrations({ transaction: 'each' });
    expect(await tables()).toEqual(EXPECTED_TABLES);
  });
});
