import { Injectable, Logger } from '@nestjs/common';
import type { JSONWebKeySet, JWK } from 'jose';
import { AuditService, type AuditActor } from '../audit/audit.service';
import { ENCRYPTION_ALGS } from '../keys/key-specs';
import { jwksUrl } from '../keys/keys.mapper';
import { KommunerService } from '../kommuner/kommuner.service';
import { PeerKeys } from './peer-keys';
import { checkPeerJwks, keysFor } from './peer-jwks';
import { PeerFields, TrustPeersRepository } from './trust-peers.repository';
import {
  PeerResource,
  RevokedKeyResource,
  toPeerResource,
  toRevokedKey,
  toTrustedPeer,
  TrustedPeer,
} from './trust.mapper';
import { invalidPeer, peerHasNoEncryptionKey, peerNotFound } from './trust.errors';

export type { PeerResource, RevokedKeyResource, TrustedPeer } from './trust.mapper';

/** A peer's keys for verifying what it signed: its signing keys, and the kids never to trust again. */
export interface PeerSigningKeys {
  keys: JWK[];
  revokedKids: string[];
}

/** The peer's public encryption key a package is sealed to. */
export interface PeerEncryptionKey {
  key: JWK;
  kid: string;
  /** ECDH-ES, ECDH-ES+A128KW or ECDH-ES+A256KW: the alg the peer published for the key. */
  alg: string;
}

/** What a PUT sets: inline keys or where to fetch them (neither: the peer's per-kommun JWKS). */
export interface PeerInput {
  name: string;
  baseUrl: string;
  jwks?: unknown;
  jwksUri?: string;
  schoolUnits?: string[];
}

/**
 * The peers each hosted kommun trusts: who they are, where their portabel is, and their keys
 * (inline, or fetched from a JWKS URL: PeerKeys keeps them fresh). Transfers seal to and verify
 * with these keys only.
 */
@Injectable()
export class TrustRegistry {
  private readonly logger = new Logger('TrustRegistry');

  constructor(
    private readonly repository: TrustPeersRepository,
    private readonly keys: PeerKeys,
    private readonly kommuner: KommunerService,
    private readonly audit: AuditService,
  ) {}

  // ---- For the transfer flow ------------------------------------------------------------------

  /** The peer, or null when the kommun does not trust it. */
  async peer(hostKommun: string, peerCode: string): Promise<TrustedPeer | null> {
    const state = await this.keys.state(hostKommun, peerCode);
    return state ? toTrustedPeer(state.row) : null;
  }

  /** The peer's signing keys not revoked, as a JWK Set. Throws trust-peer-not-found for a stranger. */
  async verificationKeys(hostKommun: string, peerCode: string): Promise<JSONWebKeySet> {
    const keys = await this.signingKeys(hostKommun, peerCode);
    if (!keys) throw peerNotFound(hostKommun, peerCode);
    return { keys: keys.keys.filter((k) => !keys.revokedKids.includes(String(k.kid))) };
  }

  /**
   * The peer's signing keys and its revoked kids (openPackage's `verificationKeys`), or null for a
   * stranger. Naming the kid a package was signed with fetches the peer's keys again if the kid is
   * new (the peer rotated), at most every 30 seconds.
   */
  async signingKeys(hostKommun: string, peerCode: string, kid?: string): Promise<PeerSigningKeys | null> {
    const state = await this.keys.keyState(hostKommun, peerCode, kid);
    if (!state) return null;
    return { keys: keysFor(state.jwks, 'sig', new Set()), revokedKids: [...state.revoked] };
  }

  /** The peer's encryption key to seal a package to: the first unrevoked ECDH-ES key it publishes. */
  async encryptionKey(hostKommun: string, peerCode: string): Promise<PeerEncryptionKey> {
    const state = await this.keys.keyState(hostKommun, peerCode);
    if (!state) throw peerNotFound(hostKommun, peerCode);
    const key = keysFor(state.jwks, 'enc', state.revoked).find((k) =>
      (ENCRYPTION_ALGS as readonly string[]).includes(k.alg ?? 'ECDH-ES'),
    );
    if (!key) throw peerHasNoEncryptionKey(peerCode);
    return { key, kid: String(key.kid), alg: key.alg ?? 'ECDH-ES' };
  }

  // ---- Administration ---------------------------------------------------------------------------

  async list(hostKommun: string): Promise<PeerResource[]> {
    await this.kommuner.assertExists(hostKommun);
    const [rows, revoked] = await Promise.all([
      this.repository.list(hostKommun),
      this.repository.revoked(hostKommun),
    ]);
    return rows.map((r) => toPeerResource(r, revoked));
  }

  async get(hostKommun: string, peerCode: string): Promise<PeerResource> {
    await this.kommuner.assertExists(hostKommun);
    const row = await this.repository.find(hostKommun, peerCode);
    if (!row) throw peerNotFound(hostKommun, peerCode);
    return toPeerResource(row, await this.repository.revoked(hostKommun, peerCode));
  }

  /** Adds or replaces a peer; keys given by URL are fetched at once (a failure is reported on the peer). */
  async put(
    hostKommun: string,
    peerCode: string,
    input: PeerInput,
    actor: AuditActor,
  ): Promise<{ peer: PeerResource; created: boolean }> {
    await this.kommuner.assertExists(hostKommun);
    if (peerCode === hostKommun) {
      throw invalidPeer([
        { parameter: 'peerCode', detail: 'must be another kommun than the one trusting it' },
      ]);
    }
    const fields = peerFields(peerCode, input);
    const { row, created } = await this.repository.put(hostKommun, peerCode, fields);
    this.forget(hostKommun, peerCode);
    await this.audit.record({
      kommunCode: hostKommun,
      actor,
      action: 'trust:peer-put',
      outcome: 'succeeded',
      recipient: peerCode,
      detail: { peer: peerCode, created, keys: row.jwksUri ? 'uri' : 'inline' },
    });
    if (row.jwksUri) await this.keys.fetchKeys(row);
    return { peer: await this.get(hostKommun, peerCode), created };
  }

  async remove(hostKommun: string, peerCode: string, actor: AuditActor): Promise<void> {
    await this.kommuner.assertExists(hostKommun);
    if (!(await this.repository.remove(hostKommun, peerCode))) throw peerNotFound(hostKommun, peerCode);
    this.forget(hostKommun, peerCode);
    await this.audit.record({
      kommunCode: hostKommun,
      actor,
      action: 'trust:peer-delete',
      outcome: 'succeeded',
      recipient: peerCode,
      detail: { peer: peerCode },
    });
  }

  /** Never trusts the peer's key again, whatever its JWKS says later. Idempotent. */
  async revokeKey(
    hostKommun: string,
    peerCode: string,
    kid: string,
    reason: string,
    actor: AuditActor,
  ): Promise<RevokedKeyResource> {
    await this.get(hostKommun, peerCode);
    const row = await this.repository.revoke(hostKommun, peerCode, kid, reason, actor.subject ?? actor.kind);
    this.forget(hostKommun, peerCode);
    await this.audit.record({
      kommunCode: hostKommun,
      actor,
      action: 'trust:key-revoke',
      outcome: 'succeeded',
      recipient: peerCode,
      detail: { peer: peerCode, kid },
    });
    this.logger.warn(`kommun ${hostKommun}: key ${kid} of peer ${peerCode} is revoked`);
    return toRevokedKey(row);
  }

  /** Fetches the peer's keys now (administrators, after the peer says it rotated). */
  async refresh(hostKommun: string, peerCode: string): Promise<PeerResource> {
    const peer = await this.get(hostKommun, peerCode);
    const row = await this.repository.find(hostKommun, peerCode);
    if (row?.jwksUri) await this.keys.fetchKeys(row);
    return row?.jwksUri ? this.get(hostKommun, peerCode) : peer;
  }

  /** Drops what this instance cached of a kommun's peers (after a trust list changed them). */
  forget(hostKommun: string, peerCode?: string): void {
    this.keys.forget(hostKommun, peerCode);
  }
}

/** The peer's fields from a PUT: inline keys checked, or a JWKS URL (the peer's own by default). */
export function peerFields(peerCode: string, input: PeerInput): PeerFields {
  if (input.jwks !== undefined && input.jwksUri !== undefined) {
    throw invalidPeer([
      { pointer: '/jwksUri', detail: 'must not be given with jwks: give one or the other' },
    ]);
  }
  let jwks: JSONWebKeySet | null = null;
  if (input.jwks !== undefined) {
    const checked = checkPeerJwks(input.jwks, '/jwks');
    if ('errors' in checked) throw invalidPeer(checked.errors);
    jwks = checked.jwks;
  }
  const baseUrl = input.baseUrl.replace(/\/+$/, '');
  return {
    name: input.name,
    baseUrl,
    jwks,
    jwksUri: jwks ? null : (input.jwksUri ?? jwksUrl(baseUrl, peerCode)),
    schoolUnits: [...new Set(input.schoolUnits ?? [])].sort(),
  };
}
