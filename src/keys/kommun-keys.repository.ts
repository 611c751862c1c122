import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { JWK } from 'jose';
import { DataSource } from 'typeorm';
import { Sql, sql } from '../database/sql';
import { TenantDb, TenantTx } from '../database/tenant-db';
import { KeySpec, KeyStatus, KeyUse, specCurve } from './key-specs';

/** A stored key pair: the public JWK in the clear, the private one sealed (KeyEnvelope). */
export interface KommunKeyRow {
  kommunCode: string;
  /** RFC 7638 thumbprint; the published kid is a URL ending in `#<kid>`. */
  kid: string;
  use: KeyUse;
  alg: string;
  publicJwk: JWK;
  privateJwkEncrypted: string;
  masterKeyId: string;
  status: KeyStatus;
  createdAt: Date;
  retiredAt: Date | null;
  verifyUntil: Date | null;
  revokedAt: Date | null;
  revocationReason: string | null;
}

/** A key as every kommun may see it: kommun_public_keys(), which has no private column to give. */
export type PublishedKeyRow = Pick<
  KommunKeyRow,
  'kommunCode' | 'kid' | 'use' | 'alg' | 'publicJwk' | 'masterKeyId' | 'status' | 'verifyUntil'
>;

export type NewKey = Pick<
  KommunKeyRow,
  'kid' | 'use' | 'alg' | 'publicJwk' | 'privateJwkEncrypted' | 'masterKeyId'
>;

const COLUMNS = `kommun_code AS "kommunCode", kid, use, alg, public_jwk AS "publicJwk",
  private_jwk_encrypted AS "privateJwkEncrypted", master_key_id AS "masterKeyId", status,
  created_at AS "createdAt", retired_at AS "retiredAt", verify_until AS "verifyUntil",
  revoked_at AS "revokedAt", revocation_reason AS "revocationReason"`;

const COLUMNS_SQL = new Sql(COLUMNS);

const SAME_KIND = `use = $2 AND alg = $3 AND coalesce(public_jwk->>'crv', public_jwk->>'kty') = $4`;

/**
 * The kommun_keys table, through TenantDb (row-level security per kommun) for everything but the
 * public JWKS of all kommuner. Changes of one kommun's keys take a transaction-scoped advisory lock
 * on that kommun, so concurrent first uses and rotations serialise instead of racing.
 */
@Injectable()
export class KommunKeysRepository {
  constructor(
    private readonly db: TenantDb,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  /** Every key of the kommun, revoked ones too, newest first. */
  all(kommunCode: string): Promise<KommunKeyRow[]> {
    return this.db.once<KommunKeyRow>(
      kommunCode,
      sql`SELECT ${COLUMNS_SQL} FROM kommun_keys WHERE kommun_code = ${kommunCode} ORDER BY created_at DESC, kid`,
    );
  }

  active(kommunCode: string): Promise<KommunKeyRow[]> {
    return this.db.once<KommunKeyRow>(
      kommunCode,
      sql`SELECT ${COLUMNS_SQL} FROM kommun_keys WHERE kommun_code = ${kommunCode} AND status = 'active'`,
    );
  }

  async find(kommunCode: string, kid: string): Promise<KommunKeyRow | undefined> {
    const [row] = await this.db.once<KommunKeyRow>(
      kommunCode,
      sql`SELECT ${COLUMNS_SQL} FROM kommun_keys WHERE kommun_code = ${kommunCode} AND kid = ${kid}`,
    );
    return row;
  }

  /** The active key of this kind, or `key` made active if there is none (under the kommun's lock). */
  insertUnlessActive(kommunCode: string, spec: KeySpec, key: NewKey): Promise<KommunKeyRow> {
    return this.db.transaction(kommunCode, async (tx) => {
      await lock(tx, kommunCode);
      const [existing] = await tx.query<KommunKeyRow>(
        `SELECT ${COLUMNS} FROM kommun_keys WHERE kommun_code = $1 AND status = 'active' AND ${SAME_KIND}`,
        [kommunCode, spec.use, spec.alg, specCurve(spec)],
      );
      return existing ?? insert(tx, kommunCode, key);
    });
  }

  /** Retires the active key(s) of this kind, verifying until `verifyUntil`, and makes `key` active. */
  rotate(
    kommunCode: string,
    spec: KeySpec,
    key: NewKey,
    verifyUntil: Date,
  ): Promise<{ active: KommunKeyRow; retired: KommunKeyRow[] }> {
    return this.db.transaction(kommunCode, async (tx) => {
      await lock(tx, kommunCode);
      const retired = await tx.query<KommunKeyRow>(
        `UPDATE kommun_keys SET status = 'retired', retired_at = now(), verify_until = $5
         WHERE kommun_code = $1 AND status = 'active' AND ${SAME_KIND}
         RETURNING ${COLUMNS}`,
        [kommunCode, spec.use, spec.alg, specCurve(spec), verifyUntil],
      );
      return { active: await insert(tx, kommunCode, key), retired };
    });
  }

  /** Revokes the key; undefined when the kommun has no such key. A revoked key stays as it was. */
  revoke(kommunCode: string, kid: string, reason: string): Promise<KommunKeyRow | undefined> {
    return this.db.transaction(kommunCode, async (tx) => {
      await lock(tx, kommunCode);
      const [revoked] = await tx.query<KommunKeyRow>(
        `UPDATE kommun_keys SET status = 'revoked', revoked_at = now(), revocation_reason = $3
         WHERE kommun_code = $1 AND kid = $2 AND status <> 'revoked'
         RETURNING ${COLUMNS}`,
        [kommunCode, kid, reason],
      );
      if (revoked) return revoked;
      const [already] = await tx.query<KommunKeyRow>(
        `SELECT ${COLUMNS} FROM kommun_keys WHERE kommun_code = $1 AND kid = $2`,
        [kommunCode, kid],
      );
      return already;
    });
  }

  /** The keys of every kommun that verify now, public parts only (no tenant: a SECURITY DEFINER function). */
  published(): Promise<PublishedKeyRow[]> {
    return this.dataSource.query(
      `SELECT kommun_code AS "kommunCode", kid, use, alg, public_jwk AS "publicJwk",
              master_key_id AS "masterKeyId", status, verify_until AS "verifyUntil"
       FROM kommun_public_keys() ORDER BY kommun_code, use DESC, status, kid`,
    );
  }
}

async function lock(tx: TenantTx, kommunCode: string): Promise<void> {
  await tx.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [`portabel.kommun_keys.${kommunCode}`]);
}

async function insert(tx: TenantTx, kommunCode: string, key: NewKey): Promise<KommunKeyRow> {
  const [row] = await tx.query<KommunKeyRow>(
    `INSERT INTO kommun_keys (kommun_code, kid, use, alg, public_jwk, private_jwk_encrypted, master_key_id)
     VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7)
     RETURNING ${COLUMNS}`,
    [
      kommunCode,
      key.kid,
      key.use,
      key.alg,
      JSON.stringify(key.publicJwk),
      key.privateJwkEncrypted,
      key.masterKeyId,
    ],
  );
  return row;
}
