import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Client } from 'pg';
import { MIGRATIONS } from '../../migrations';

/** Test databases live here (git-ignored); the template is a migrated embedded database to copy. */
export const TEST_DATA_ROOT = resolve(__dirname, '..', '..', '.test-data');
/** Named after the migrations it holds, so a new migration gets a new template. */
export const TEMPLATE_DIR = join(
  TEST_DATA_ROOT,
  `template-${createHash('sha256')
    .update(MIGRATIONS.map((m) => m.name).join(','))
    .digest('hex')
    .slice(0, 12)}`,
);

export const serverUrl = (): string | undefined => process.env.DATABASE_URL || undefined;

/**
 * Tests may wipe what they create, so they refuse a database whose name does not say it is for
 * tests (the habit Sairyss's boilerplate keeps).
 */
export function assertTestDatabase(url: string): void {
  const name = new URL(url).pathname.replace(/^\//, '');
  if (!/test/i.test(name)) {
    throw new Error(`Refusing to run tests against database "${name}": its name must contain "test".`);
  }
}

/** A fresh copy of the migrated template, for one test file's embedded database. */
export function freshEmbeddedDir(label: string): string {
  if (!existsSync(TEMPLATE_DIR))
    throw new Error('The test template database is missing: run jest (its globalSetup makes it).');
  const dir = join(
    TEST_DATA_ROOT,
    `${label}-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`,
  );
  mkdirSync(dir, { recursive: true });
  cpSync(TEMPLATE_DIR, dir, { recursive: true, filter: (src) => !src.endsWith('portabel.lock') });
  return dir;
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/**
 * A database of its own on the server, `<test database>_<label>`, made empty (the app migrates it at
 * start): for an instance whose jobs must not be run by the other test files' instances, which share
 * the test database and so its job queue.
 */
export async function freshServerDatabase(url: string, label: string): Promise<string> {
  const target = new URL(url);
  const name = `${target.pathname.slice(1)}_${label}`.replace(/[^a-z0-9_]/gi, '_').toLowerCase();
  await onServer(url, [`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`, `CREATE DATABASE ${name}`]);
  target.pathname = `/${name}`;
  return target.toString();
}

/** Drops a database freshServerDatabase made, connected to the test database `url` it was made from. */
export async function dropServerDatabase(url: string, own: string): Promise<void> {
  await onServer(url, [`DROP DATABASE IF EXISTS ${new URL(own).pathname.slice(1)} WITH (FORCE)`]);
}

async function onServer(url: string, statements: string[]): Promise<void> {
  const admin = new Client({ connectionString: url });
  await admin.connect();
  try {
    for (const sql of statements) await admin.query(sql);
  } finally {
    await admin.end();
  }
}
