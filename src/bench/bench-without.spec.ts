import { APP_INTERCEPTOR } from '@nestjs/core';
import { AccessAuditInterceptor } from '../auth/access-audit';
import { Authenticator } from '../auth/authenticator';
import { loadConfig } from '../config/env.schema';
import { TenantDb } from '../database/tenant-db';
import {
  accessProviders,
  layersOff,
  layersOffWarning,
  TenantDbWithoutRls,
  tenantDbProvider,
  UnauditedInterceptor,
  UncheckedAuthenticator,
} from './bench-without';

describe('BENCH_WITHOUT, the benchmark-only switch', () => {
  it('is refused when NODE_ENV=production, whatever it names', () => {
    for (const value of ['auth', 'rls', 'audit', 'auth,rls,audit']) {
      expect(() => loadConfig({ NODE_ENV: 'production', BENCH_WITHOUT: value })).toThrow(
        /BENCH_WITHOUT: a benchmark switch, refused when NODE_ENV=production/,
      );
    }
  });

  it('names only known layers', () => {
    for (const value of ['tls', 'auth;rls', 'auth,', 'AUDIT']) {
      expect(() => loadConfig({ BENCH_WITHOUT: value })).toThrow(/BENCH_WITHOUT/);
    }
    expect([...layersOff(loadConfig({ BENCH_WITHOUT: 'rls,audit' }))]).toEqual(['rls', 'audit']);
  });

  it('leaves every layer in place when unset, and says nothing', () => {
    const config = loadConfig({ NODE_ENV: 'production', DATA_DIR: '/tmp/x' });
    expect(layersOff(config).size).toBe(0);
    expect(layersOffWarning(config)).toBeUndefined();
    expect(accessProviders(config)).toEqual([
      { provide: Authenticator, useClass: Authenticator },
      { provide: APP_INTERCEPTOR, useClass: AccessAuditInterceptor },
    ]);
    expect(tenantDbProvider(config)).toEqual({ provide: TenantDb, useClass: TenantDb });
  });

  it('puts in the stand-ins it names, and warns at start', () => {
    const config = loadConfig({ BENCH_WITHOUT: 'auth,rls,audit' });
    expect(accessProviders(config)).toEqual([
      { provide: Authenticator, useClass: UncheckedAuthenticator },
      { provide: APP_INTERCEPTOR, useClass: UnauditedInterceptor },
    ]);
    expect(tenantDbProvider(config)).toEqual({ provide: TenantDb, useClass: TenantDbWithoutRls });
    expect(layersOffWarning(config)).toMatch(/auth, rls, audit switched OFF/);
  });
});
