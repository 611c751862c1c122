import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { Client } from 'pg';
import { loadConfig } from '../../src/config/env.schema';
import { connect, openDatabase } from '../../src/database/database-connection';
import { assertTestDatabase, serverUrl, TEMPLATE_DIR, TEST_DATA_ROOT } from './test-database';

/**
 * Once per jest run. On a server: wipe the test database and migrate it, so reruns start clean.
 * Embedded: build one migrated PGlite directory that each test file copies (a cold start costs
 * seconds; reopening a copy a fraction of that).
 */
export default async function globalSetup(): Promise<void> {
  const url = serverUrl();
  if (url) {
    assertTestDatabase(url);
    const client = new Client({ connectionString: url });
    await client.connect();
    await client.query('DROP SCHEMA IF EXISTS public CASCADE');
    await client.query('CREATE SCHEMA public');
    await client.end();
    const handle = await openDatabase(loadConfig({ ...process.env, DATABASE_URL: url }));
    const ds = await connect(handle);
    await ds.destroy();
    await handle.close();
    return;
  }
  mkdirSync(TEST_DATA_ROOT, { recursive: true });
  // Copies left by an interrupted run.
  for (const entry of readdirSync(TEST_DATA_ROOT))
    rmSync(`${TEST_DATA_ROOT}/${entry}`, { recursive: true, force: true });
  if (!existsSync(TEMPLATE_DIR)) {
    const handle = await openDatabase(loadConfig({ DATA_DIR: TEMPLATE_DIR, DB_POOL_SIZE: '2' }));
    const ds = await connect(handle);
    await ds.destroy();
    await handle.close();
  }
}
