import { Injectable } from '@nestjs/common';
import type { JSONWebKeySet } from 'jose';
import { Sql, sql } from '../database/sql';
import { TenantDb } from '../database/tenant-db';

export type PeerSource = 'api' | 'trust-list';

export interface PeerRow {
  kommunCode: string;
  peerCode: string;
  name: string;
  baseUrl: string;
  jwksUri: string | null;
  /** Inline keys, or the last good copy fetched from jwksUri. */
  jwks: JSONWebKeySet | null;
  jwksFetchedAt: Date | null;
  jwksError: string | null;
  jwksErrorAt: Date | null;
  schoolUnits: string[];
  source: PeerSource;
  listIssuer: string | null;
  listSequence: number | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface RevokedKeyRow {
  peerCode: string;
  kid: string;
  reason: string;
  revokedBy: string;
  revokedAt: Date;
}

export interface TrustListRow {
  issuer: string;
  sequence: number;
  issuedAt: Date;
  appliedAt: Date;
  appliedBy: string;
  peerCount: number;
}

/** What a PUT or a trust list sets of a peer. */
export interface PeerFields {
  name: string;
  baseUrl: string;
  jwksUri: string | null;
  jwks: JSONWebKeySet | null;
  schoolUnits: string[];
}

const PEER_COLUMNS =
  new Sql(`kommun_code AS "kommunCode", peer_code AS "peerCode", name, base_url AS "baseUrl",
  jwks_uri AS "jwksUri", jwks, jwks_fetched_at AS "jwksFetchedAt", jwks_error AS "jwksError",
  jwks_error_at AS "jwksErrorAt", school_units AS "schoolUnits", source, list_issuer AS "listIssuer",
  list_sequence::float8 AS "listSequence", created_at AS "createdAt", updated_at AS "updatedAt"`);

const REVOKED_COLUMNS = new Sql(
  `peer_code AS "peerCode", kid, reason, revoked_by AS "revokedBy", revoked_at AS "revokedAt"`,
);

const json = (value: unknown): Sql => (value === null ? sql`NULL` : sql`${JSON.stringify(value)}::jsonb`);

/**
 * The trust tables of one hosting kommun, through TenantDb (row-level security). A peer's keys
 * change as a whole: inline keys replace the fetched copy and the other way round.
 */
@Injectable()
export class TrustPeersRepository {
  constructor(private readonly db: TenantDb) {}

  list(kommunCode: string): Promise<PeerRow[]> {
    return this.db.once<PeerRow>(
      kommunCode,
      sql`SELECT ${PEER_COLUMNS} FROM trust_peers WHERE kommun_code = ${kommunCode} ORDER BY peer_code`,
    );
  }

  async find(kommunCode: string, peerCode: string): Promise<PeerRow | undefined> {
    const [row] = await this.db.once<PeerRow>(
      kommunCode,
      sql`SELECT ${PEER_COLUMNS} FROM trust_peers WHERE kommun_code = ${kommunCode} AND peer_code = ${peerCode}`,
    );
    return row;
  }

  /** Adds or replaces a peer set through the API; `created` says which. Fetch state starts afresh. */
  async put(
    kommunCode: string,
    peerCode: string,
    f: PeerFields,
  ): Promise<{ row: PeerRow; created: boolean }> {
    const [row] = await this.db.once<PeerRow & { created: boolean }>(
      kommunCode,
      sql`INSERT INTO trust_peers (kommun_code, peer_code, name, base_url, jwks_uri, jwks, school_units, source)
          VALUES (${kommunCode}, ${peerCode}, ${f.name}, ${f.baseUrl}, ${f.jwksUri}, ${json(f.jwks)},
                  ${f.schoolUnits}::text[], 'api')
          ON CONFLICT (kommun_code, peer_code) DO UPDATE SET
            name = excluded.name, base_url = excluded.base_url, jwks_uri = excluded.jwks_uri,
            jwks = excluded.jwks, school_units = excluded.school_units, source = 'api',
            list_issuer = NULL, list_sequence = NULL, jwks_fetched_at = NULL, jwks_error = NULL,
            jwks_error_at = NULL, updated_at = now()
          RETURNING ${PEER_COLUMNS}, (xmax = 0) AS created`,
    );
    const { created, ...peer } = row;
    return { row: peer, created };
  }

  async remove(kommunCode: string, peerCode: string): Promise<boolean> {
    const rows = await this.db.once(
      kommunCode,
      sql`DELETE FROM trust_peers WHERE kommun_code = ${kommunCode} AND peer_code = ${peerCode} RETURNING peer_code`,
    );
    return rows.length > 0;
  }

  /** A good copy fetched from jwksUri, unless the peer's key source changed meanwhile. */
  async storeFetched(
    kommunCode: string,
    peerCode: string,
    jwksUri: string,
    jwks: JSONWebKeySet,
  ): Promise<void> {
    await this.db.once(
      kommunCode,
      sql`UPDATE trust_peers SET jwks = ${json(jwks)}, jwks_fetched_at = now(), jwks_error = NULL, jwks_error_at = NULL
           WHERE kommun_code = ${kommunCode} AND peer_code = ${peerCode} AND jwks_uri = ${jwksUri}`,
    );
  }

  /** A failed fetch: reported on the peer, the last good copy kept. */
  async storeFetchError(kommunCode: string, peerCode: string, jwksUri: string, error: string): Promise<void> {
    await this.db.once(
      kommunCode,
      sql`UPDATE trust_peers SET jwks_error = ${error.slice(0, 500)}, jwks_error_at = now()
           WHERE kommun_code = ${kommunCode} AND peer_code = ${peerCode} AND jwks_uri = ${jwksUri}`,
    );
  }

  revoked(kommunCode: string, peerCode?: string): Promise<RevokedKeyRow[]> {
    const onePeer = peerCode === undefined ? sql`` : sql` AND peer_code = ${peerCode}`;
    return this.db.once<RevokedKeyRow>(
      kommunCode,
      sql`SELECT ${REVOKED_COLUMNS} FROM trust_revoked_keys WHERE kommun_code = ${kommunCode}${onePeer}
           ORDER BY peer_code, revoked_at, kid`,
    );
  }

  /** Revokes a peer's key for good; revoking it again changes nothing and returns the first revocation. */
  async revoke(
    kommunCode: string,
    peerCode: string,
    kid: string,
    reason: string,
    by: string,
  ): Promise<RevokedKeyRow> {
    const [row] = await this.db.once<RevokedKeyRow>(
      kommunCode,
      sql`INSERT INTO trust_revoked_keys (kommun_code, peer_code, kid, reason, revoked_by)
          VALUES (${kommunCode}, ${peerCode}, ${kid}, ${reason}, ${by}) ON CONFLICT DO NOTHING`,
      sql`SELECT ${REVOKED_COLUMNS} FROM trust_revoked_keys
           WHERE kommun_code = ${kommunCode} AND peer_code = ${peerCode} AND kid = ${kid}`,
    );
    return row;
  }

  lists(kommunCode: string): Promise<TrustListRow[]> {
    return this.db.once<TrustListRow>(
      kommunCode,
      sql`SELECT issuer, sequence::float8 AS sequence, issued_at AS "issuedAt", applied_at AS "appliedAt",
                 applied_by AS "appliedBy", peer_count AS "peerCount"
            FROM trust_lists WHERE kommun_code = ${kommunCode} ORDER BY issuer`,
    );
  }

  /**
   * Applies a verified trust list in one transaction: refuses it (returns the applied sequence)
   * unless it is newer than the operator's last one; upserts the peers it names, removes the
   * peers an earlier list of the same operator named and this one does not, adds its revocations.
   */
  async applyList(
    kommunCode: string,
    list: { issuer: string; sequence: number; issuedAt: Date; jws: string; appliedBy: string },
    peers: (PeerFields & { peerCode: string; revokedKids: string[] })[],
  ): Promise<{ stale: number } | { added: string[]; updated: string[]; removed: string[]; revoked: number }> {
    return this.db.transaction(kommunCode, async (tx) => {
      // One list at a time per kommun: the advisory lock serialises two uploads of new lists.
      await tx.query(`SELECT pg_advisory_xact_lock(hashtext('trust_lists:' || $1))`, [kommunCode]);
      const [applied] = await tx.query<{ sequence: number }>(
        `SELECT sequence::float8 AS sequence FROM trust_lists WHERE kommun_code = $1 AND issuer = $2`,
        [kommunCode, list.issuer],
      );
      if (applied && applied.sequence >= list.sequence) return { stale: applied.sequence };

      const before = await tx.query<{ peerCode: string; source: PeerSource; listIssuer: string | null }>(
        `SELECT peer_code AS "peerCode", source, list_issuer AS "listIssuer" FROM trust_peers WHERE kommun_code = $1`,
        [kommunCode],
      );
      const existing = new Set(before.map((p) => p.peerCode));
      const named = new Set(peers.map((p) => p.peerCode));
      for (const p of peers) {
        await tx.query(
          `INSERT INTO trust_peers (kommun_code, peer_code, name, base_url, jwks_uri, jwks, school_units, source,
                                    list_issuer, list_sequence)
           VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7::text[], 'trust-list', $8, $9)
           ON CONFLICT (kommun_code, peer_code) DO UPDATE SET
             name = excluded.name, base_url = excluded.base_url, jwks_uri = excluded.jwks_uri,
             jwks = CASE WHEN excluded.jwks IS NULL AND trust_peers.jwks_uri = excluded.jwks_uri
                         THEN trust_peers.jwks ELSE excluded.jwks END,
             jwks_fetched_at = CASE WHEN trust_peers.jwks_uri = excluded.jwks_uri THEN trust_peers.jwks_fetched_at END,
             school_units = excluded.school_units, source = 'trust-list', list_issuer = excluded.list_issuer,
             list_sequence = excluded.list_sequence, updated_at = now()`,
          [
            kommunCode,
            p.peerCode,
            p.name,
            p.baseUrl,
            p.jwksUri,
            p.jwks === null ? null : JSON.stringify(p.jwks),
            p.schoolUnits,
            list.issuer,
            list.sequence,
          ],
        );
        for (const kid of p.revokedKids) {
          await tx.query(
            `INSERT INTO trust_revoked_keys (kommun_code, peer_code, kid, reason, revoked_by)
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`,
            [kommunCode, p.peerCode, kid, `trust list ${list.sequence} of ${list.issuer}`, list.appliedBy],
          );
        }
      }
      const removed = before
        .filter((p) => p.source === 'trust-list' && p.listIssuer === list.issuer && !named.has(p.peerCode))
        .map((p) => p.peerCode);
      if (removed.length > 0) {
        await tx.query(`DELETE FROM trust_peers WHERE kommun_code = $1 AND peer_code = ANY($2::text[])`, [
          kommunCode,
          removed,
        ]);
      }
      await tx.query(
        `INSERT INTO trust_lists (kommun_code, issuer, sequence, issued_at, applied_by, peer_count, jws)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (kommun_code, issuer) DO UPDATE SET sequence = excluded.sequence,
           issued_at = excluded.issued_at, applied_at = now(), applied_by = excluded.applied_by,
           peer_count = excluded.peer_count, jws = excluded.jws`,
        [kommunCode, list.issuer, list.sequence, list.issuedAt, list.appliedBy, peers.length, list.jws],
      );
      return {
        added: peers.filter((p) => !existing.has(p.peerCode)).map((p) => p.peerCode),
        updated: peers.filter((p) => existing.has(p.peerCode)).map((p) => p.peerCode),
        removed,
        revoked: peers.reduce((n, p) => n + p.revokedKids.length, 0),
      };
    });
  }
}
