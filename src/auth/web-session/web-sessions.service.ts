import { Inject, Injectable } from '@nestjs/common';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { EncryptJWT, jwtDecrypt } from 'jose';
import { APP_CONFIG } from '../../config/config.module';
import type { AppConfig } from '../../config/env.schema';
import { KeysService } from '../../keys/keys.service';
import type { Principal } from '../principal';

/** A signed-in person's session in the web pages: who, since when, and the token their forms carry. */
export interface WebSession {
  principal: Principal;
  /** Synchronizer token every POST form carries (CSRF); it lives only in the sealed cookie and the page. */
  csrf: string;
  /** Absolute end (ms): the session cannot be stretched past it. */
  expiresAt: number;
  /** Idle end (ms): renewed with each page while the session lasts. */
  idleUntil: number;
}

/** What the sign-in flow keeps between the redirect to the identity provider and its answer. */
export interface PendingSignIn {
  issuer: string;
  state: string;
  nonce: string;
  verifier: string;
  next: string;
}

const SESSION_MS = 8 * 3600_000;
const IDLE_MS = 30 * 60_000;
const PENDING_MS = 10 * 60_000;

export function parseCookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq < 1) continue;
    const name = part.slice(0, eq).trim();
    if (!(name in out)) out[name] = part.slice(eq + 1).trim();
  }
  return out;
}

/**
 * Sessions of the web pages, sealed into the cookie itself: a JWE (dir, A256GCM) under a key derived
 * from MASTER_KEY, so every instance opens it without a session table and nothing is stored that could
 * leak (the principal holds a guardian's civic number: sealed, never readable by the browser or a proxy).
 * The cookie is HttpOnly, SameSite=Strict and, behind HTTPS, Secure with the __Host- prefix. The
 * price of statelessness: signing out clears the cookie but cannot recall a copy; hence the short
 * idle (30 min) and absolute (8 h) lifetimes, checked from inside the sealed payload.
 */
@Injectable()
export class WebSessions {
  readonly secure: boolean;
  readonly cookieName: string;
  readonly pendingCookieName: string;
  readonly origin: string;
  private key?: Uint8Array;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly keys: KeysService,
  ) {
    this.secure = config.PUBLIC_BASE_URL.startsWith('https://');
    // The __Host- prefix makes the browser refuse the cookie unless Secure, path=/ and no Domain.
    this.cookieName = this.secure ? '__Host-portabel-session' : 'portabel-session';
    this.pendingCookieName = this.secure ? '__Host-portabel-signin' : 'portabel-signin';
    this.origin = new URL(config.PUBLIC_BASE_URL).origin;
  }

  private cookieKey(): Uint8Array {
    this.key ??= Buffer.from(this.keys.mac('web-session v1', 'cookie sealing key'), 'base64url');
    return this.key;
  }

  async start(principal: Principal, now = Date.now()): Promise<{ cookie: string; session: WebSession }> {
    const session: WebSession = {
      principal,
      csrf: randomBytes(32).toString('base64url'),
      expiresAt: now + SESSION_MS,
      idleUntil: now + IDLE_MS,
    };
    return { cookie: await this.sessionCookie(session), session };
  }

  /** The session of a request, or undefined (no cookie, tampered, expired or idle too long). */
  async open(cookieHeader: string | undefined, now = Date.now()): Promise<WebSession | undefined> {
    const sealed = parseCookies(cookieHeader)[this.cookieName];
    if (!sealed) return undefined;
    const session = await this.unseal<WebSession>(sealed, 'web-session');
    if (!session || session.expiresAt <= now || session.idleUntil <= now) return undefined;
    return session;
  }

  /** The same session, its idle time renewed (sent back with each page). */
  renew(session: WebSession, now = Date.now()): Promise<string> {
    return this.sessionCookie({ ...session, idleUntil: Math.min(now + IDLE_MS, session.expiresAt) });
  }

  /** Constant-time comparison of a form's token with the session's. */
  csrfMatches(session: WebSession, token: unknown): boolean {
    if (typeof token !== 'string') return false;
    const a = Buffer.from(token);
    const b = Buffer.from(session.csrf);
    return a.length === b.length && timingSafeEqual(a, b);
  }

  clearCookie(): string {
    return this.cookie(this.cookieName, '', 0, 'Strict');
  }

  async pendingCookie(pending: PendingSignIn): Promise<string> {
    const sealed = await this.seal(pending, 'web-signin', PENDING_MS);
    // Lax, not Strict: the identity provider sends the browser back with a top-level GET from its site.
    return this.cookie(this.pendingCookieName, sealed, PENDING_MS / 1000, 'Lax');
  }

  async openPending(cookieHeader: string | undefined): Promise<PendingSignIn | undefined> {
    const sealed = parseCookies(cookieHeader)[this.pendingCookieName];
    return sealed ? this.unseal<PendingSignIn>(sealed, 'web-signin') : undefined;
  }

  clearPendingCookie(): string {
    return this.cookie(this.pendingCookieName, '', 0, 'Lax');
  }

  private async sessionCookie(session: WebSession): Promise<string> {
    const sealed = await this.seal(session, 'web-session', session.expiresAt - Date.now());
    return this.cookie(this.cookieName, sealed, Math.ceil((session.expiresAt - Date.now()) / 1000), 'Strict');
  }

  private cookie(name: string, value: string, maxAge: number, sameSite: 'Strict' | 'Lax'): string {
    return [
      `${name}=${value}`,
      'Path=/',
      `Max-Age=${Math.max(0, maxAge)}`,
      'HttpOnly',
      `SameSite=${sameSite}`,
      ...(this.secure ? ['Secure'] : []),
    ].join('; ');
  }

  private async seal(payload: object, typ: string, ttlMs: number): Promise<string> {
    return new EncryptJWT({ v: payload })
      .setProtectedHeader({ alg: 'dir', enc: 'A256GCM', typ })
      .setIssuedAt()
      .setExpirationTime(Math.floor((Date.now() + ttlMs) / 1000))
      .encrypt(this.cookieKey());
  }

  private async unseal<T>(sealed: string, typ: string): Promise<T | undefined> {
    try {
      const { payload } = await jwtDecrypt(sealed, this.cookieKey(), {
        keyManagementAlgorithms: ['dir'],
        contentEncryptionAlgorithms: ['A256GCM'],
        typ,
      });
      return payload.v as T;
    } catch {
      return undefined;
    }
  }
}
