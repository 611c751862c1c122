import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../config/env.schema';
import { loadMasterKey } from './master-key';

describe('the master key', () => {
  let dir: string;
  let warnings: string[];
  const log = { warn: (m: string) => warnings.push(m) };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'portabel-master-key-'));
    warnings = [];
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('comes from MASTER_KEY when set, and no file is made', () => {
    const value = randomBytes(32).toString('base64');
    const key = loadMasterKey(loadConfig({ MASTER_KEY: value, DATA_DIR: dir }), log);
    expect(key).toEqual({ key: Buffer.from(value, 'base64'), origin: 'environment' });
    expect(() => statSync(join(dir, 'master.key'))).toThrow();
    expect(warnings).toEqual([]);
  });

  it('is generated once into DATA_DIR/master.key, readable by the owner only, and then reused', () => {
    const config = loadConfig({ DATA_DIR: join(dir, 'data') });
    const first = loadMasterKey(config, log);
    const path = join(dir, 'data', 'master.key');
    expect(first.origin).toBe('file');
    expect(first.path).toBe(path);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(Buffer.from(readFileSync(path, 'utf8').trim(), 'base64')).toEqual(first.key);
    expect(warnings).toEqual([expect.stringContaining('Generated a new master key')]);
    expect(loadMasterKey(config, log).key).toEqual(first.key);
    expect(warnings).toHaveLength(1);
  });

  it('warns loudly in production when the key comes from the file', () => {
    loadMasterKey(loadConfig({ DATA_DIR: dir, NODE_ENV: 'production' }), log);
    expect(warnings).toContainEqual(expect.stringContaining('PRODUCTION WITHOUT MASTER_KEY'));
  });

  it('warns that instances must share the file when it serves a database server', () => {
    loadMasterKey(loadConfig({ DATA_DIR: dir, DATABASE_URL: 'postgres://h/test' }), log);
    expect(warnings).toContainEqual(expect.stringContaining('every instance on this database'));
  });

  it('refuses a key file that holds no key, naming the file', () => {
    writeFileSync(join(dir, 'master.key'), 'not a key\n', { mode: 0o600 });
    expect(() => loadMasterKey(loadConfig({ DATA_DIR: dir }), log)).toThrow(
      `${join(dir, 'master.key')} does not hold a master key`,
    );
  });

  it('is validated in the environment: 32 bytes of base64, never echoed back', () => {
    const short = randomBytes(16).toString('base64');
    let message = '';
    try {
      loadConfig({ MASTER_KEY: short });
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      message = (err as Error).message;
    }
    expect(message).toContain('MASTER_KEY=(hidden): must be the base64 of 32 random bytes');
    expect(message).not.toContain(short);
  });

  it('is required in production on a database server', () => {
    expect(() => loadConfig({ NODE_ENV: 'production', DATABASE_URL: 'postgres://h/db' })).toThrow(
      /MASTER_KEY: required when NODE_ENV=production and DATABASE_URL is set/,
    );
    const value = randomBytes(32).toString('base64');
    expect(
      loadConfig({ NODE_ENV: 'production', DATABASE_URL: 'postgres://h/db', MASTER_KEY: value }).MASTER_KEY,
    ).toBe(value);
  });

  it('leaves PUBLIC_BASE_URL to default to the local port, without a trailing slash', () => {
    expect(loadConfig({ PORT: '8080' }).PUBLIC_BASE_URL).toBe('http://127.0.0.1:8080');
    expect(loadConfig({ PUBLIC_BASE_URL: 'https://portabel.example.se/' }).PUBLIC_BASE_URL).toBe(
      'https://portabel.example.se',
    );
    expect(() => loadConfig({ PUBLIC_BASE_URL: 'ftp://x' })).toThrow(/PUBLIC_BASE_URL/);
  });
});
