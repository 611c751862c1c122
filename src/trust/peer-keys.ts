import { Inject, Injectable, Logger } from '@nestjs/common';
import type { JSONWebKeySet } from 'jose';
import { AuditService, type AuditActor } from '../audit/audit.service';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/env.schema';
import { JwksFetcher } from './jwks-fetcher';
import { PeerRow, TrustPeersRepository } from './trust-peers.repository';
import { peerKeysUnavailable } from './trust.errors';

export interface PeerState {
  row: PeerRow;
  revoked: Set<string>;
}

/** Another instance's changes to a peer are seen within this. */
const STATE_TTL_MS = 30_000;
/** A stale copy is fetched again at most this often while the peer does not answer (not once per package). */
const STALE_RETRY_MS = 30_000;
/** A package naming a kid the copy lacks (the peer rotated, and signs with its new key at once) fetches again, at most this often. */
const KID_MISS_RETRY_MS = 5_000;

/**
 * The peers' keys and how fresh they are: cached per peer for half a minute, fetched from the
 * peer's JWKS URL again after TRUST_JWKS_TTL_SECONDS or when a package names a kid not seen yet,
 * one fetch per peer at a time. A failed fetch keeps the last good copy, and is stored on the peer,
 * logged and audited once per distinct failure.
 */
@Injectable()
export class PeerKeys {
  private readonly logger = new Logger('TrustRegistry');
  private readonly ttlMs: number;
  private readonly states = new Map<string, { until: number; state: Promise<PeerState | null> }>();
  private readonly fetches = new Map<string, Promise<void>>();
  private readonly lastAttempt = new Map<string, number>();
  /** The clock: tests move it on rather than wait. */
  now: () => number = Date.now;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly repository: TrustPeersRepository,
    private readonly fetcher: JwksFetcher,
    private readonly audit: AuditService,
  ) {
    this.ttlMs = config.TRUST_JWKS_TTL_SECONDS * 1000;
  }

  /** Drops what this instance cached of a kommun's peers (or of one). */
  forget(hostKommun: string, peerCode?: string): void {
    for (const key of this.states.keys()) {
      if (peerCode === undefined ? key.startsWith(`${hostKommun}/`) : key === `${hostKommun}/${peerCode}`) {
        this.states.delete(key);
      }
    }
  }

  /** The peer and its revoked kids, or null for a stranger (cached briefly). */
  state(hostKommun: string, peerCode: string): Promise<PeerState | null> {
    const key = `${hostKommun}/${peerCode}`;
    const cached = this.states.get(key);
    if (cached && cached.until > this.now()) return cached.state;
    const state = this.load(hostKommun, peerCode);
    this.states.set(key, { until: this.now() + STATE_TTL_MS, state });
    state.catch(() => this.states.delete(key));
    return state;
  }

  private async load(hostKommun: string, peerCode: string): Promise<PeerState | null> {
    const [row, revoked] = await Promise.all([
      this.repository.find(hostKommun, peerCode),
      this.repository.revoked(hostKommun, peerCode),
    ]);
    return row ? { row, revoked: new Set(revoked.map((r) => r.kid)) } : null;
  }

  /**
   * The peer with its usable keys, fetched again first when they are stale or lack `kid`.
   * Throws trust-peer-keys-unavailable when no good copy was ever fetched.
   */
  async keyState(
    hostKommun: string,
    peerCode: string,
    kid?: string,
  ): Promise<{ row: PeerRow; jwks: JSONWebKeySet; revoked: Set<string> } | null> {
    let state = await this.state(hostKommun, peerCode);
    const retryAfter = state ? this.refetchInterval(state.row, kid) : null;
    if (state && retryAfter !== null) {
      await this.fetchKeys(state.row, retryAfter);
      this.forget(hostKommun, peerCode);
      state = await this.state(hostKommun, peerCode);
    }
    if (!state) return null;
    if (!state.row.jwks) throw peerKeysUnavailable(peerCode, state.row.jwksError ?? 'not fetched yet');
    return { row: state.row, jwks: state.row.jwks, revoked: state.revoked };
  }

  /** Whether the peer's keys should be fetched again, and then how long after the last attempt. */
  private refetchInterval(row: PeerRow, kid?: string): number | null {
    if (!row.jwksUri) return null;
    if (!row.jwks || !row.jwksFetchedAt) return KID_MISS_RETRY_MS;
    if (kid !== undefined && !row.jwks.keys.some((k) => k.kid === kid)) return KID_MISS_RETRY_MS;
    if (this.now() - row.jwksFetchedAt.getTime() > this.ttlMs) return STALE_RETRY_MS;
    return null;
  }

  /**
   * Fetches the peer's keys unless the last attempt is more recent than `minIntervalMs` (0: now);
   * one fetch per peer at a time. The outcome is stored on the peer, changes and failures audited.
   */
  fetchKeys(row: PeerRow, minIntervalMs = 0): Promise<void> {
    const key = `${row.kommunCode}/${row.peerCode}`;
    const running = this.fetches.get(key);
    if (running) return running;
    if (this.now() - (this.lastAttempt.get(key) ?? 0) < minIntervalMs) return Promise.resolve();
    this.lastAttempt.set(key, this.now());
    const fetching = this.fetchAndStore(row).finally(() => {
      this.fetches.delete(key);
      this.forget(row.kommunCode, row.peerCode);
    });
    this.fetches.set(key, fetching);
    return fetching;
  }

  private async fetchAndStore(row: PeerRow): Promise<void> {
    const uri = row.jwksUri!;
    const result = await this.fetcher.fetch(uri);
    const system: AuditActor = { kind: 'system', subject: 'trust-registry', role: null };
    if (!result.ok) {
      this.logger.warn(
        `kommun ${row.kommunCode}: keys of peer ${row.peerCode} not refreshed: ${result.error}`,
      );
      await this.repository.storeFetchError(row.kommunCode, row.peerCode, uri, result.error);
      // Reported once per distinct failure, not once per package while the peer is down.
      if (result.error !== row.jwksError) {
        await this.audit.record({
          kommunCode: row.kommunCode,
          actor: system,
          action: 'trust:keys-refresh',
          outcome: 'failed',
          recipient: row.peerCode,
          detail: { peer: row.peerCode, error: result.error, keptLastGoodCopy: row.jwks !== null },
        });
      }
      return;
    }
    await this.repository.storeFetched(row.kommunCode, row.peerCode, uri, result.jwks);
    const before = new Set((row.jwks?.keys ?? []).map((k) => String(k.kid)));
    const after = new Set(result.jwks.keys.map((k) => String(k.kid)));
    const added = [...after].filter((k) => !before.has(k));
    const dropped = [...before].filter((k) => !after.has(k));
    if (added.length > 0 || dropped.length > 0) {
      await this.audit.record({
        kommunCode: row.kommunCode,
        actor: system,
        action: 'trust:keys-refresh',
        outcome: 'succeeded',
        recipient: row.peerCode,
        detail: { peer: row.peerCode, added, dropped },
      });
    }
  }
}
