import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { loadConfig } from '../../src/config/env.schema';
import { connect, openDatabase } from '../../src/database/database-connection';
import { assertTestDatabase, serverUrl, TEMPLATE_DIR, TEST_DATA_ROOT } from './test-database';

/**
 * Once per jest run. On a server: wipe the test database and migrate it, so reruns start clean.
 * Embedded: build one migrated PGlite directory that each test file copies (a cold start costs
 * seconds; reopening a copy a fraction of that).
 */
const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/**
 * Copies left by interrupted runs: each is named `<label>-<pid>-…`; only those whose process is gone
 * are removed, so concurrent test runs in one checkout leave each other alone.
 */
function removeLeftovers(): void {
  for (const entry of readdirSync(TEST_DATA_ROOT)) {
    if (entry.startsWith('template-') && !entry.includes('.building-')) continue;
    const pid = Number(/^[a-z]+-(\d+)(-|$)/.exec(entry)?.[1] ?? /\.building-(\d+)$/.exec(entry)?.[1]);
    if (pid && !alive(pid)) rmSync(join(TEST_DATA_ROOT, entry), { recursive: true, force: true });
  }
}

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
  removeLeftovers();
  if (!existsSync(TEMPLATE_DIR)) {
    // Built aside and renamed into place, so a concurrent run never copies a half-made template.
    const building = `${TEMPLATE_DIR}.building-${process.pid}`;
    const handle = await openDatabase(loadConfig({ DATA_DIR: building, DB_POOL_SIZE: '2' }));
    const ds = await connect(handle);
    await ds.destroy();
    await handle.close();
    try {
      renameSync(building, TEMPLATE_DIR);
    } catch {
      rmSync(building, { recursive: true, force: true }); // another run got there first
    }
  }
}
