import type { JWK } from 'jose';
import { KeyStatus, KeyUse, publicPart } from './key-specs';
import type { KommunKeyRow, PublishedKeyRow } from './kommun-keys.repository';

/** Where a kommun's JWKS is served; the kid of each key is this URL with `#<thumbprint>`. */
export const jwksUrl = (baseUrl: string, kommunCode: string): string =>
  `${baseUrl}/kommuner/${kommunCode}/.well-known/jwks.json`;

export const kidUrl = (baseUrl: string, kommunCode: string, thumbprint: string): string =>
  `${jwksUrl(baseUrl, kommunCode)}#${thumbprint}`;

/** The issuer id of everything a kommun signs (JWT `iss`, VC `issuer`). */
export const issuerUrl = (baseUrl: string, kommunCode: string): string => `${baseUrl}/kommuner/${kommunCode}`;

/** A key's thumbprint from a bare thumbprint or a kid URL (the fragment). */
export const thumbprintOf = (kid: string): string => kid.slice(kid.lastIndexOf('#') + 1);

/** In the JWKS now: active, or retired and still within its grace period. */
export const isPublished = (row: Pick<KommunKeyRow, 'status' | 'verifyUntil'>, now: Date): boolean =>
  row.status === 'active' || (row.status === 'retired' && row.verifyUntil !== null && row.verifyUntil > now);

export interface PublicJwk extends JWK {
  kid: string;
  use: KeyUse;
  alg: string;
}

/** RFC 7517 JWK of the public key only; private members cannot pass publicPart. */
export const toPublicJwk = (baseUrl: string, row: PublishedKeyRow): PublicJwk => ({
  ...publicPart(row.publicJwk),
  kid: kidUrl(baseUrl, row.kommunCode, row.kid),
  use: row.use,
  alg: row.alg,
});

export interface KommunKeyResource {
  kid: string;
  thumbprint: string;
  kommunCode: string;
  use: KeyUse;
  alg: string;
  kty: string;
  crv: string | null;
  status: KeyStatus;
  /** In the kommun's JWKS now (verifies signatures, or takes JWEs). */
  published: boolean;
  createdAt: string;
  retiredAt: string | null;
  verifyUntil: string | null;
  revokedAt: string | null;
  revocationReason: string | null;
  publicJwk: PublicJwk;
}

const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);

/** Key metadata for administrators: every field but the sealed private key. */
export const toKeyResource = (baseUrl: string, row: KommunKeyRow, now: Date): KommunKeyResource => ({
  kid: kidUrl(baseUrl, row.kommunCode, row.kid),
  thumbprint: row.kid,
  kommunCode: row.kommunCode,
  use: row.use,
  alg: row.alg,
  kty: String(row.publicJwk.kty),
  crv: row.publicJwk.crv ?? null,
  status: row.status,
  published: isPublished(row, now),
  createdAt: row.createdAt.toISOString(),
  retiredAt: iso(row.retiredAt),
  verifyUntil: iso(row.verifyUntil),
  revokedAt: iso(row.revokedAt),
  revocationReason: row.revocationReason,
  publicJwk: toPublicJwk(baseUrl, row),
});
