import { randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { AppConfig } from '../config/env.schema';

export const MASTER_KEY_FILE = 'master.key';

export interface MasterKey {
  key: Buffer;
  origin: 'environment' | 'file';
  /** The key file, when the key came from one. */
  path?: string;
}

interface Warner {
  warn(message: string): void;
}

function decode(text: string, where: string): Buffer {
  const trimmed = text.trim();
  const key = Buffer.from(trimmed, 'base64');
  if (!/^[A-Za-z0-9+/]{43}=$/.test(trimmed) || key.length !== 32) {
    throw new Error(`${where} does not hold a master key (the base64 of 32 random bytes)`);
  }
  return key;
}

/**
 * Creates the key file unless one exists, atomically: written whole under a temporary name and
 * linked into place, so that two processes starting at once agree on one key and neither reads a
 * half-written file. Returns whether this call made it.
 */
function createKeyFile(path: string): boolean {
  const temporary = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  writeFileSync(temporary, `${randomBytes(32).toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  try {
    linkSync(temporary, path);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  } finally {
    unlinkSync(temporary);
  }
}

/**
 * The master key that seals the kommuner's private keys: MASTER_KEY from the environment, else the
 * file DATA_DIR/master.key, made on first start. The file suits the embedded default, where the
 * database lives in the same directory anyway; elsewhere it is said loudly. (Production with
 * DATABASE_URL and no MASTER_KEY never gets here: loadConfig refuses it, since several instances
 * with a key file each could not open each other's keys.)
 */
export function loadMasterKey(config: AppConfig, log: Warner): MasterKey {
  if (config.MASTER_KEY) return { key: decode(config.MASTER_KEY, 'MASTER_KEY'), origin: 'environment' };

  const dir = resolve(config.DATA_DIR);
  const path = join(dir, MASTER_KEY_FILE);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const created = createKeyFile(path);
  const key = decode(readFileSync(path, 'utf8'), path);
  if (created)
    log.warn(`Generated a new master key in ${path}. Back it up: without it no private key opens.`);
  if ((statSync(path).mode & 0o077) !== 0) {
    log.warn(`${path} can be read by other users of this machine: chmod 600 it.`);
  }
  if (config.NODE_ENV === 'production') {
    log.warn(
      `!!! PRODUCTION WITHOUT MASTER_KEY: the kommuner's private keys are sealed with ${path}, which lies ` +
        'beside the data it protects (a copy of DATA_DIR is a copy of the keys). Set MASTER_KEY from a ' +
        'secret store, with the value of that file, and remove the file.',
    );
  } else if (config.DATABASE_URL) {
    log.warn(
      `The master key comes from ${path}: every instance on this database must use the same one. ` +
        'Set MASTER_KEY instead.',
    );
  }
  return { key, origin: 'file', path };
}
