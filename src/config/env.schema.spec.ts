import { loadConfig } from './env.schema';

describe('the environment schema', () => {
  it('refuses the development identity provider when NODE_ENV=production', () => {
    expect(() => loadConfig({ NODE_ENV: 'production', AUTH_DEV_IDP: 'on' })).toThrow(
      /AUTH_DEV_IDP=on: refused when NODE_ENV=production/,
    );
    expect(loadConfig({ NODE_ENV: 'production', AUTH_DEV_IDP: 'off' }).AUTH_DEV_IDP).toBe('off');
    expect(loadConfig({ NODE_ENV: 'development', AUTH_DEV_IDP: 'on' }).AUTH_DEV_IDP).toBe('on');
  });

  it('keeps CORS closed and bodies capped unless configured', () => {
    const config = loadConfig({});
    expect(config.CORS_ORIGINS).toBe('');
    expect(config.BODY_LIMIT).toBe(2 * 1024 * 1024);
    expect(() => loadConfig({ CORS_ORIGINS: '*' })).toThrow(/CORS_ORIGINS/);
  });

  it('names a bad value as it was written, and never echoes a secret', () => {
    expect(() => loadConfig({ PORT: 'abc', DB_POOL_SIZE: '1.5', DELETION_THRESHOLD: '50%' })).toThrow(
      /PORT="abc":[\s\S]*DB_POOL_SIZE="1.5":[\s\S]*DELETION_THRESHOLD="50%":/,
    );
    const secret = 'postgres://portabel:hunter2@db:notaport/x';
    let message = '';
    try {
      loadConfig({ DATABASE_URL: secret, MASTER_KEY: 'short' });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain('MASTER_KEY=(hidden)');
    expect(message).not.toContain('hunter2');
    expect(message).not.toContain('short');
  });
});
