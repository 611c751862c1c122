import { Injectable } from '@nestjs/common';
import type { AccessContext } from '../auth/access.guard';
import { DomainError } from '../common/problem/domain-error';
import { PROBLEMS } from '../common/problem/problem-types';
import { DecisionPointService } from '../consent/decision-point.service';
import type { DeniedCategory } from '../consent/decision-point';
import type { RecordResource } from './record.mapper';

/** A record as a platform receives it: minimised by the decision point, with what was held back. */
export type ProvisionedRecord = RecordResource & { withheld: DeniedCategory[] };

export const disclosureDenied = (id: string, denied: DeniedCategory[]): DomainError =>
  new DomainError(
    PROBLEMS.forbidden,
    'DISCLOSURE.DENIED',
    `Nothing of pupil ${id} may go to this platform: ${denied.find((d) => d.category === 'identity')?.reason ?? 'not-for-purpose'}.`,
  );

/**
 * Records going out to a learning platform through the API are an outflow like any other: the
 * decision point decides them (purpose provisioning, the platform as recipient), each decision is
 * audited, denied categories are left out and listed in `withheld`, and a pupil of whom nothing may
 * go (under 13 without a guardian's consent, by default) is not handed over at all.
 */
@Injectable()
export class PlatformOutflow {
  constructor(private readonly decisions: DecisionPointService) {}

  /** Whether this caller's reads are a platform's (and so an outflow to decide). */
  applies(access: AccessContext | undefined): access is AccessContext {
    return access?.principal.kind === 'platform';
  }

  async one(kommunCode: string, resource: RecordResource, access: AccessContext): Promise<ProvisionedRecord> {
    const [out] = await this.many(kommunCode, [resource], access);
    if (!out.released) throw disclosureDenied(resource.id, out.withheld);
    return out.resource;
  }

  async many(
    kommunCode: string,
    resources: RecordResource[],
    access: AccessContext,
  ): Promise<
    Array<
      | { released: true; resource: ProvisionedRecord; withheld: DeniedCategory[] }
      | { released: false; id: string; withheld: DeniedCategory[] }
    >
  > {
    const releases = await this.decisions.release(
      kommunCode,
      resources.map((r) => ({ id: r.id, record: r.record })),
      'provisioning',
      access.principal.platform ?? access.principal.subject,
      { actor: { kind: 'platform', subject: access.principal.subject, role: 'platform' } },
    );
    return resources.map((r) => {
      const release = releases.get(r.id)!;
      return release.released
        ? {
            released: true as const,
            resource: { ...r, record: release.record, withheld: release.decision.denied },
            withheld: release.decision.denied,
          }
        : { released: false as const, id: r.id, withheld: release.decision.denied };
    });
  }
}
