import { CallHandler, ExecutionContext, Injectable, NestInterceptor, Provider, Type } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { decodeJwt } from 'jose';
import type { Observable } from 'rxjs';
import { AccessAuditInterceptor } from '../auth/access-audit';
import { unauthenticated } from '../auth/auth.errors';
import { Authenticator } from '../auth/authenticator';
import type { Principal } from '../auth/principal';
import { ROLES, type Role } from '../auth/roles';
import type { AppConfig } from '../config/env.schema';
import { TenantDb } from '../database/tenant-db';

/**
 * BENCHMARK ONLY. `BENCH_WITHOUT=auth,rls,audit` (any of them) switches layers of access control off,
 * so that bench/access.bench.js can measure what each costs in one run. Everything that does so is in
 * this file: the three stand-ins below, put in place by the modules through the providers at the end.
 * The environment schema refuses the variable when NODE_ENV=production, and the service says loudly
 * at start that it is on. A service running with it is open to anyone who can write a JWT.
 */
export const BENCH_LAYERS = ['auth', 'rls', 'audit'] as const;
export type BenchLayer = (typeof BENCH_LAYERS)[number];

export function layersOff(config: Pick<AppConfig, 'BENCH_WITHOUT'>): ReadonlySet<BenchLayer> {
  return new Set(config.BENCH_WITHOUT.split(',').filter(Boolean) as BenchLayer[]);
}

/** What the service says at start when any layer is off (undefined when none is). */
export function layersOffWarning(config: AppConfig): string | undefined {
  const off = [...layersOff(config)];
  if (off.length === 0) return undefined;
  return `BENCH_WITHOUT=${off.join(',')}: ${off.join(', ')} switched OFF for a benchmark; never serve real data like this`;
}

/** `auth` off: the caller is whoever the token's claims say, unchecked (no signature, issuer, expiry). */
@Injectable()
export class UncheckedAuthenticator {
  authenticate(authorization: string | undefined): Promise<Principal> {
    const token = /^Bearer (\S+)$/.exec(authorization ?? '')?.[1];
    if (!token)
      return Promise.reject(unauthenticated('AUTH.TOKEN_MISSING', 'This request needs a bearer token.'));
    const claims = decodeJwt(token);
    const roles = (Array.isArray(claims.roles) ? claims.roles : []).filter((r): r is Role =>
      (ROLES as readonly string[]).includes(r as string),
    );
    return Promise.resolve({
      kind: 'person',
      subject: String(claims.sub),
      issuer: claims.iss,
      kommunCode: typeof claims.kommun === 'string' ? claims.kommun : undefined,
      roles,
      scopes: [],
      tokenId: claims.jti,
    });
  }
}

/**
 * `rls` off: tenant transactions stay in the connecting role (the schema owner, or a superuser, which
 * row-level security does not apply to) and set no kommun: the application's own checks remain.
 */
@Injectable()
export class TenantDbWithoutRls extends TenantDb {
  protected override enter(): string {
    return '';
  }
}

/** `audit` off: requests are served without entering them in the audit log. */
@Injectable()
export class UnauditedInterceptor implements NestInterceptor {
  intercept(_context: ExecutionContext, next: CallHandler): Observable<unknown> {
    return next.handle();
  }
}

const instead = (off: boolean, real: Type, standIn: Type, provide: unknown = real): Provider => ({
  provide: provide as Type,
  useClass: off ? standIn : real,
});

/** The authenticator and the access audit for AuthModule: the real ones unless switched off. */
export function accessProviders(config: AppConfig): Provider[] {
  const off = layersOff(config);
  return [
    instead(off.has('auth'), Authenticator, UncheckedAuthenticator),
    instead(off.has('audit'), AccessAuditInterceptor, UnauditedInterceptor, APP_INTERCEPTOR),
  ];
}

/** TenantDb for DatabaseModule: with row-level security unless switched off. */
export function tenantDbProvider(config: AppConfig): Provider {
  return instead(layersOff(config).has('rls'), TenantDb, TenantDbWithoutRls);
}
