import { Injectable } from '@nestjs/common';
import { sql } from '../database/sql';
import { TenantDb } from '../database/tenant-db';
import { KommunerService } from '../kommuner/kommuner.service';
import { checkPolicy, ConsentPolicy, DEFAULT_POLICY } from './consent-policy';
import { policyInvalid, policyVersionNotFound } from './consent.errors';

export interface PolicyResource {
  kommunCode: string;
  /** 0 is the default policy every kommun starts with; each change makes the next version. */
  version: number;
  document: ConsentPolicy;
  createdAt: string | null;
  createdBy: string | null;
}

interface PolicyRow {
  version: number;
  document: ConsentPolicy;
  createdAt: Date;
  createdBy: string;
}

const CACHE_MS = 30_000;

/**
 * Each kommun's policy, as versioned documents: a change is a new version, never an edit, so every
 * decision names the version it was made under and can be explained later.
 */
@Injectable()
export class ConsentPoliciesService {
  private readonly current = new Map<string, { until: number; policy: Promise<PolicyResource> }>();

  constructor(
    private readonly db: TenantDb,
    private readonly kommuner: KommunerService,
  ) {}

  /** The policy in force (cached for half a minute; this instance's own changes at once). */
  inForce(kommunCode: string): Promise<PolicyResource> {
    const cached = this.current.get(kommunCode);
    if (cached && cached.until > Date.now()) return cached.policy;
    const policy = this.read(kommunCode);
    this.current.set(kommunCode, { until: Date.now() + CACHE_MS, policy });
    policy.catch(() => this.current.delete(kommunCode));
    return policy;
  }

  async version(kommunCode: string, version: number): Promise<PolicyResource> {
    await this.kommuner.assertExists(kommunCode);
    if (version === 0) return defaultPolicy(kommunCode);
    const [row] = await this.db.once<PolicyRow>(
      kommunCode,
      sql`SELECT version, document, created_at AS "createdAt", created_by AS "createdBy"
            FROM consent_policies WHERE kommun_code = ${kommunCode} AND version = ${version}`,
    );
    if (!row) throw policyVersionNotFound(version);
    return toResource(kommunCode, row);
  }

  async history(kommunCode: string): Promise<Omit<PolicyResource, 'document'>[]> {
    await this.kommuner.assertExists(kommunCode);
    const rows = await this.db.once<PolicyRow>(
      kommunCode,
      sql`SELECT version, created_at AS "createdAt", created_by AS "createdBy"
            FROM consent_policies WHERE kommun_code = ${kommunCode} ORDER BY version DESC`,
    );
    return [
      ...rows.map((r) => ({
        kommunCode,
        version: r.version,
        createdAt: r.createdAt.toISOString(),
        createdBy: r.createdBy,
      })),
      { kommunCode, version: 0, createdAt: null, createdBy: null },
    ];
  }

  /** Puts a new version in force. The document is checked whole against the policy schema first. */
  async change(kommunCode: string, document: unknown, by: string): Promise<PolicyResource> {
    await this.kommuner.assertExists(kommunCode);
    const errors = checkPolicy(document);
    if (errors.length > 0) throw policyInvalid(errors);
    const [row] = await this.db.once<PolicyRow>(
      kommunCode,
      sql`INSERT INTO consent_policies (kommun_code, version, document, created_by)
          SELECT ${kommunCode}, coalesce(max(version), 0) + 1, ${JSON.stringify(document)}::jsonb, ${by}
            FROM consent_policies WHERE kommun_code = ${kommunCode}
          RETURNING version, document, created_at AS "createdAt", created_by AS "createdBy"`,
    );
    this.current.delete(kommunCode);
    return toResource(kommunCode, row);
  }

  private async read(kommunCode: string): Promise<PolicyResource> {
    await this.kommuner.assertExists(kommunCode);
    const [row] = await this.db.once<PolicyRow>(
      kommunCode,
      sql`SELECT version, document, created_at AS "createdAt", created_by AS "createdBy"
            FROM consent_policies WHERE kommun_code = ${kommunCode} ORDER BY version DESC LIMIT 1`,
    );
    return row ? toResource(kommunCode, row) : defaultPolicy(kommunCode);
  }
}

const defaultPolicy = (kommunCode: string): PolicyResource => ({
  kommunCode,
  version: 0,
  document: DEFAULT_POLICY,
  createdAt: null,
  createdBy: null,
});

const toResource = (kommunCode: string, r: PolicyRow): PolicyResource => ({
  kommunCode,
  version: r.version,
  document: r.document,
  createdAt: r.createdAt.toISOString(),
  createdBy: r.createdBy,
});
