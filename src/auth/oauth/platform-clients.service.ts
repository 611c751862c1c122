import { Injectable } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import type { JWTVerifyGetKey } from 'jose';
import { DomainError } from '../../common/problem/domain-error';
import { sql } from '../../database/sql';
import { TenantDb } from '../../database/tenant-db';
import { PlatformsService } from '../../adapters/platforms/platforms.service';
import { AUTH_PROBLEMS, clientNotFound } from '../auth.errors';
import { AccessTokensService } from '../tokens/access-tokens.service';
import { checkClientJwks, clientKeySet } from './client-keys';
import { clientIdOf } from './client-id';
import { PlatformClientResource, PutPlatformClientDto } from './platform-clients.dto';

interface ClientRow {
  platformId: string;
  platformName: string;
  kommunCode: string;
  jwks: { keys: Record<string, unknown>[] } | null;
  jwksUri: string | null;
  scopes: string[];
  createdAt: Date;
  updatedAt: Date;
}

const COLUMNS = sql`c.platform_id AS "platformId", p.name AS "platformName", c.kommun_code AS "kommunCode",
  c.jwks, c.jwks_uri AS "jwksUri", c.scopes, c.created_at AS "createdAt", c.updated_at AS "updatedAt"`;
const FROM = sql`platform_clients c JOIN platforms p ON p.id = c.platform_id`;

/** A platform's OAuth client: the keys it signs client assertions with, and the scopes it is granted. */
export interface PlatformClient {
  clientId: string;
  kommunCode: string;
  platformId: string;
  /** The platform registration's name: the `source.platform` of the records it writes. */
  platformName: string;
  scopes: string[];
  keys: JWTVerifyGetKey;
}

/** What a platform's client is granted now: its tokens carry no more than this, whenever issued. */
export interface PlatformGrant {
  platformName: string;
  scopes: readonly string[];
}

/**
 * How long a grant read for a token's request is trusted on this instance. A client or platform
 * removed or narrowed here takes effect at once (the entry is dropped); on other instances within this.
 */
const GRANT_CACHE_MS = 5_000;

/**
 * The OAuth clients of platforms (RFC 7523 private_key_jwt): one per platform registration, set by
 * the kommun's administrator with the platform's public keys and the scopes it is granted.
 */
@Injectable()
export class PlatformClientsService {
  // A remote JWKS is fetched and cached by jose inside its key set: keep the sets, not only rows.
  private readonly keySets = new LRUCache<string, { updatedAt: number; keys: JWTVerifyGetKey }>({
    max: 1000,
  });
  // A removed client is remembered too (no grant), so a revoked token costs no query either.
  private readonly grants = new LRUCache<string, { grant?: PlatformGrant }>({
    max: 10_000,
    ttl: GRANT_CACHE_MS,
  });

  constructor(
    private readonly db: TenantDb,
    private readonly platforms: PlatformsService,
    private readonly tokens: AccessTokensService,
  ) {
    platforms.onRemoved((kommunCode, platformId) => this.forget(kommunCode, platformId));
  }

  /** The client's grant now, or undefined when the client (or its platform) is gone. */
  async currentGrant(kommunCode: string, platformId: string): Promise<PlatformGrant | undefined> {
    const clientId = clientIdOf(kommunCode, platformId);
    const cached = this.grants.get(clientId);
    if (cached) return cached.grant;
    const row = await this.row(kommunCode, platformId);
    const grant = row ? { platformName: row.platformName, scopes: row.scopes } : undefined;
    this.grants.set(clientId, { grant });
    return grant;
  }

  private forget(kommunCode: string, platformId: string): void {
    const clientId = clientIdOf(kommunCode, platformId);
    this.keySets.delete(clientId);
    this.grants.delete(clientId);
  }

  async put(
    kommunCode: string,
    platformId: string,
    dto: PutPlatformClientDto,
  ): Promise<PlatformClientResource> {
    await this.platforms.get(kommunCode, platformId);
    if ((dto.jwks === undefined) === (dto.jwksUri === undefined)) {
      throw new DomainError(
        AUTH_PROBLEMS.invalidClientKeys,
        'PLATFORM_CLIENT.KEYS',
        'Give either jwks or jwksUri.',
        [{ pointer: '/jwks', detail: 'exactly one of jwks and jwksUri is required' }],
      );
    }
    if (dto.jwks) {
      const errors = await checkClientJwks(dto.jwks);
      if (errors.length) {
        throw new DomainError(
          AUTH_PROBLEMS.invalidClientKeys,
          'PLATFORM_CLIENT.KEYS',
          'The client keys cannot be used.',
          errors,
        );
      }
    }
    await this.db.once(
      kommunCode,
      sql`INSERT INTO platform_clients (platform_id, kommun_code, jwks, jwks_uri, scopes)
          VALUES (${platformId}::uuid, ${kommunCode}, ${dto.jwks ? JSON.stringify(dto.jwks) : null}::jsonb,
                  ${dto.jwksUri ?? null}, ${dto.scopes}::text[])
          ON CONFLICT (platform_id) DO UPDATE SET jwks = EXCLUDED.jwks, jwks_uri = EXCLUDED.jwks_uri,
            scopes = EXCLUDED.scopes, updated_at = now()`,
    );
    this.forget(kommunCode, platformId);
    return this.get(kommunCode, platformId);
  }

  async get(kommunCode: string, platformId: string): Promise<PlatformClientResource> {
    await this.platforms.get(kommunCode, platformId);
    const row = await this.row(kommunCode, platformId);
    if (!row) throw clientNotFound(platformId);
    return this.toResource(row);
  }

  async remove(kommunCode: string, platformId: string): Promise<void> {
    await this.get(kommunCode, platformId);
    await this.db.once(kommunCode, sql`DELETE FROM platform_clients WHERE platform_id = ${platformId}::uuid`);
    this.forget(kommunCode, platformId);
  }

  /** The client for the token endpoint, or undefined when there is none. */
  async find(kommunCode: string, platformId: string): Promise<PlatformClient | undefined> {
    const row = await this.row(kommunCode, platformId);
    if (!row) return undefined;
    const clientId = clientIdOf(kommunCode, platformId);
    let cached = this.keySets.get(clientId);
    if (!cached || cached.updatedAt !== row.updatedAt.getTime()) {
      cached = { updatedAt: row.updatedAt.getTime(), keys: clientKeySet(row) };
      this.keySets.set(clientId, cached);
    }
    return {
      clientId,
      kommunCode,
      platformId,
      platformName: row.platformName,
      scopes: row.scopes,
      keys: cached.keys,
    };
  }

  /**
   * Marks a client assertion's jti as used until it expires (RFC 7523 §3, item 7). False when it
   * was used before: the assertion is a replay. Expired entries of the kommun are swept on the way.
   */
  async useAssertion(kommunCode: string, clientId: string, jti: string, expiresAt: Date): Promise<boolean> {
    const rows = await this.db.once(
      kommunCode,
      sql`DELETE FROM client_assertion_jtis WHERE kommun_code = ${kommunCode} AND expires_at < now() - interval '5 minutes'`,
      sql`INSERT INTO client_assertion_jtis (kommun_code, client_id, jti, expires_at)
          VALUES (${kommunCode}, ${clientId}, ${jti}, ${expiresAt})
          ON CONFLICT DO NOTHING RETURNING jti`,
    );
    return rows.length === 1;
  }

  private async row(kommunCode: string, platformId: string): Promise<ClientRow | undefined> {
    const [row] = await this.db.once<ClientRow>(
      kommunCode,
      sql`SELECT ${COLUMNS} FROM ${FROM} WHERE c.platform_id = ${platformId}::uuid`,
    );
    return row;
  }

  private toResource(row: ClientRow): PlatformClientResource {
    return {
      clientId: clientIdOf(row.kommunCode, row.platformId),
      platformId: row.platformId,
      platformName: row.platformName,
      kommunCode: row.kommunCode,
      jwks: row.jwks,
      jwksUri: row.jwksUri,
      scopes: row.scopes,
      tokenEndpoint: this.tokens.tokenEndpoint,
      createdAt: row.createdAt.toISOString(),
      updatedAt: row.updatedAt.toISOString(),
    };
  }
}
