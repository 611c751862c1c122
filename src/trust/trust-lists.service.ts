import { Inject, Injectable, Logger } from '@nestjs/common';
import type { JSONWebKeySet } from 'jose';
import { AuditService, type AuditActor } from '../audit/audit.service';
import { KommunerService } from '../kommuner/kommuner.service';
import { TrustPeersRepository } from './trust-peers.repository';
import { peerFields, TrustRegistry } from './trust-registry.service';
import { toTrustListResource, TrustListResource } from './trust.mapper';
import { verifyTrustList } from './trust-list';
import { trustListStale } from './trust.errors';

/** The federation operators' public keys (TRUST_OPERATOR_JWKS_FILE), or null when none is trusted. */
export const TRUST_OPERATOR_KEYS = Symbol('TRUST_OPERATOR_KEYS');

export interface AppliedTrustList extends TrustListResource {
  added: string[];
  updated: string[];
  removed: string[];
  revokedKeys: number;
}

/**
 * Signed trust lists: a federation operator publishes its members (JWS, typ trust-list+jws), and a
 * kommun that applies the list trusts them all at once. Each operator's lists are applied in
 * sequence only; a peer an earlier list of the operator named and this one does not is removed.
 * The kommun itself, if listed, is skipped; peers added through the API by hand stay unless listed.
 */
@Injectable()
export class TrustListsService {
  private readonly logger = new Logger('TrustLists');

  constructor(
    @Inject(TRUST_OPERATOR_KEYS) private readonly operatorKeys: JSONWebKeySet | null,
    private readonly repository: TrustPeersRepository,
    private readonly registry: TrustRegistry,
    private readonly kommuner: KommunerService,
    private readonly audit: AuditService,
  ) {}

  async apply(hostKommun: string, jws: string, actor: AuditActor): Promise<AppliedTrustList> {
    await this.kommuner.assertExists(hostKommun);
    const { list, kid } = await verifyTrustList(jws, this.operatorKeys, new Date());
    const peers = list.peers
      .filter((p) => p.code !== hostKommun)
      .map((p) => ({
        peerCode: p.code,
        revokedKids: [...new Set(p.revokedKids ?? [])],
        ...peerFields(p.code, p),
      }));
    const appliedBy = actor.subject ?? actor.kind;
    const issuedAt = new Date(list.iat * 1000);
    const outcome = await this.repository.applyList(
      hostKommun,
      { issuer: list.iss, sequence: list.sequence, issuedAt, jws, appliedBy },
      peers,
    );
    if ('stale' in outcome) throw trustListStale(list.iss, list.sequence, outcome.stale);
    this.registry.forget(hostKommun);
    await this.audit.record({
      kommunCode: hostKommun,
      actor,
      action: 'trust:list-apply',
      outcome: 'succeeded',
      detail: {
        issuer: list.iss,
        sequence: list.sequence,
        operatorKid: kid,
        // Codes while few (the entry has a size limit), counts always.
        added: few(outcome.added),
        updated: few(outcome.updated),
        removed: few(outcome.removed),
        counts: {
          added: outcome.added.length,
          updated: outcome.updated.length,
          removed: outcome.removed.length,
        },
        revokedKeys: outcome.revoked,
      },
    });
    this.logger.log(
      `kommun ${hostKommun}: trust list ${list.sequence} of ${list.iss} applied (${peers.length} peers)`,
    );
    const applied = (await this.repository.lists(hostKommun)).find((l) => l.issuer === list.iss)!;
    return {
      ...toTrustListResource(applied),
      added: outcome.added,
      updated: outcome.updated,
      removed: outcome.removed,
      revokedKeys: outcome.revoked,
    };
  }

  async lists(hostKommun: string): Promise<TrustListResource[]> {
    await this.kommuner.assertExists(hostKommun);
    return (await this.repository.lists(hostKommun)).map(toTrustListResource);
  }
}

const few = (codes: string[]): string[] | null => (codes.length <= 100 ? codes : null);
