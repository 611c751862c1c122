import type { JSONWebKeySet } from 'jose';
import type { PeerRow, PeerSource, RevokedKeyRow, TrustListRow } from './trust-peers.repository';

/** What the transfer flow needs of a peer: who, where, which school units. */
export interface TrustedPeer {
  code: string;
  name: string;
  /** The peer's portabel (its PUBLIC_BASE_URL); the inbox is `${baseUrl}/v1/transfers/inbox`. */
  baseUrl: string;
  schoolUnits: string[];
}

export interface RevokedKeyResource {
  kid: string;
  reason: string;
  revokedBy: string;
  revokedAt: string;
}

/** A peer as administrators (and registrars picking a receiver) see it. */
export interface PeerResource extends TrustedPeer {
  kommunCode: string;
  /** Where its keys are fetched from; null when they were given inline. */
  jwksUri: string | null;
  /** The keys in use: inline ones, or the last good copy fetched; null before the first good fetch. */
  jwks: JSONWebKeySet | null;
  keyStatus: {
    fetchedAt: string | null;
    /** The last fetch failure, while it is newer than the last success. */
    lastError: string | null;
    lastErrorAt: string | null;
  };
  revokedKeys: RevokedKeyResource[];
  source: PeerSource;
  trustList: { issuer: string; sequence: number } | null;
  createdAt: string;
  updatedAt: string;
}

export interface TrustListResource {
  issuer: string;
  sequence: number;
  issuedAt: string;
  appliedAt: string;
  appliedBy: string;
  peerCount: number;
}

const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);

export const toTrustedPeer = (row: PeerRow): TrustedPeer => ({
  code: row.peerCode,
  name: row.name,
  baseUrl: row.baseUrl,
  schoolUnits: row.schoolUnits,
});

export const toRevokedKey = (r: RevokedKeyRow): RevokedKeyResource => ({
  kid: r.kid,
  reason: r.reason,
  revokedBy: r.revokedBy,
  revokedAt: r.revokedAt.toISOString(),
});

export const toPeerResource = (row: PeerRow, revoked: RevokedKeyRow[]): PeerResource => ({
  kommunCode: row.kommunCode,
  ...toTrustedPeer(row),
  jwksUri: row.jwksUri,
  jwks: row.jwks,
  keyStatus: {
    fetchedAt: iso(row.jwksFetchedAt),
    lastError: row.jwksError,
    lastErrorAt: iso(row.jwksErrorAt),
  },
  revokedKeys: revoked.filter((r) => r.peerCode === row.peerCode).map(toRevokedKey),
  source: row.source,
  trustList:
    row.listIssuer !== null && row.listSequence !== null
      ? { issuer: row.listIssuer, sequence: row.listSequence }
      : null,
  createdAt: row.createdAt.toISOString(),
  updatedAt: row.updatedAt.toISOString(),
});

export const toTrustListResource = (r: TrustListRow): TrustListResource => ({
  issuer: r.issuer,
  sequence: r.sequence,
  issuedAt: r.issuedAt.toISOString(),
  appliedAt: r.appliedAt.toISOString(),
  appliedBy: r.appliedBy,
  peerCount: r.peerCount,
});
