import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/env.schema';
import { sql } from '../database/sql';
import { TenantDb } from '../database/tenant-db';
import { KeysService } from '../keys/keys.service';
import { issuerUrl } from '../keys/keys.mapper';
import { KommunerService } from '../kommuner/kommuner.service';
import type { LearnerRecord } from '../records/learner-record.types';
import { CATEGORIES, CATEGORY_NAMES } from './categories';
import { ConsentPoliciesService } from './consent-policies.service';
import { consentReceiptClaims, CONSENT_RECEIPT_TYP } from './consent-receipt';
import { consentVerdict, mayConsent, ageOf, type ConsentEvent } from './consent-state';
import { notAConsenter } from './consent.errors';
import { basisFor } from './decision-point';
import type { ConsentActDto, ConsentEventResource, ConsentStateResource } from './consents.dto';
import { PURPOSES, PURPOSE_NAMES } from './purposes';

interface ConsentRow extends ConsentEvent {
  recordId: string;
  collectionMethod: 'web' | 'paper' | 'api';
  receiptJws: string;
}

const COLUMNS = sql`id, record_id AS "recordId", purpose, categories, recipient, action, giver_role AS "giverRole",
  giver_civic_no AS "giverCivicNo", collection_method AS "collectionMethod", expires_at AS "expiresAt",
  created_at AS "createdAt", id AS "receiptId", receipt_jws AS "receiptJws"`;

export interface Consenter {
  civicNo: string;
  /** The signed-in person (a guardian, the pupil, or a registrar recording a paper form). */
  subject: string;
  method: 'web' | 'paper' | 'api';
}

/**
 * Consents given and withdrawn for a pupil, each act kept for good with its signed receipt. Who may
 * act is the record's business: a guardian with custody, or the pupil from the policy's consent age.
 */
@Injectable()
export class ConsentsService {
  private readonly baseUrl: string;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly db: TenantDb,
    private readonly policies: ConsentPoliciesService,
    private readonly keys: KeysService,
    private readonly kommuner: KommunerService,
  ) {
    this.baseUrl = config.PUBLIC_BASE_URL;
  }

  /** Gives or withdraws consent; answers with the act and its signed receipt. */
  async act(
    kommunCode: string,
    recordId: string,
    record: LearnerRecord,
    action: 'grant' | 'withdraw',
    dto: ConsentActDto,
    by: Consenter,
  ): Promise<ConsentEventResource> {
    const policy = await this.policies.inForce(kommunCode);
    const now = new Date();
    const giverRole = mayConsent(record, policy.document, by.civicNo, now);
    if (!giverRole) throw notAConsenter();
    const id = randomUUID();
    const expiresAt = action === 'grant' && dto.expiresAt ? new Date(dto.expiresAt) : null;
    const kommun = await this.kommuner.get(kommunCode);
    const claims = consentReceiptClaims({
      receiptId: id,
      kommunCode,
      kommunName: kommun.name,
      issuer: issuerUrl(this.baseUrl, kommunCode),
      policyUrl: `${this.baseUrl}/v1/kommuner/${kommunCode}/policy?version=${policy.version}`,
      policyVersion: policy.version,
      recordId,
      action,
      purpose: dto.purpose,
      categories: dto.categories,
      recipient: dto.recipient ?? null,
      collectionMethod: by.method,
      giverRole,
      expiresAt,
      at: now,
      language: dto.language ?? 'sv',
    });
    const receipt = await this.keys.signJwt(kommunCode, claims, { typ: CONSENT_RECEIPT_TYP });
    const [row] = await this.db.once<ConsentRow>(
      kommunCode,
      sql`INSERT INTO consents (id, kommun_code, record_id, purpose, categories, recipient, action, giver_role,
                                giver_civic_no, giver_subject, collection_method, expires_at, created_at, receipt_jws)
          VALUES (${id}::uuid, ${kommunCode}, ${recordId}::uuid, ${dto.purpose}, ${dto.categories}::text[],
                  ${dto.recipient ?? null}, ${action}, ${giverRole}, ${by.civicNo}, ${by.subject}, ${by.method},
                  ${expiresAt}, ${now}, ${receipt})
          RETURNING ${COLUMNS}`,
    );
    return toResource(row, by.civicNo);
  }

  /** The whole history of a pupil's consents, oldest first. */
  async history(
    kommunCode: string,
    recordId: string,
    viewerCivicNo?: string,
  ): Promise<ConsentEventResource[]> {
    return (await this.rows(kommunCode, [recordId])).map((r) => toResource(r, viewerCivicNo));
  }

  /** Consent events of many pupils at once, for the decision point. */
  async eventsOf(kommunCode: string, recordIds: string[]): Promise<Map<string, ConsentEvent[]>> {
    const byRecord = new Map<string, ConsentEvent[]>(recordIds.map((id) => [id, []]));
    for (const row of await this.rows(kommunCode, recordIds)) byRecord.get(row.recordId)?.push(row);
    return byRecord;
  }

  /** What a screen shows: per purpose and category, how it flows for this pupil and whether consent is in force. */
  async state(kommunCode: string, recordId: string, record: LearnerRecord): Promise<ConsentStateResource> {
    const policy = await this.policies.inForce(kommunCode);
    const events = (await this.eventsOf(kommunCode, [recordId])).get(recordId) ?? [];
    const now = new Date();
    const age = ageOf(record, now);
    return {
      recordId,
      policyVersion: policy.version,
      consentBy: age !== undefined && age >= policy.document.consentAge ? 'pupil' : 'guardians',
      purposes: PURPOSES.map((purpose) => ({
        purpose,
        name: PURPOSE_NAMES[purpose],
        categories: CATEGORIES.map((category) => ({
          category,
          name: CATEGORY_NAMES[category],
          basis: basisFor(policy.document, purpose, category, age),
          consented: consentVerdict(record, policy.document, events, purpose, category, null, now).given,
        })),
      })),
    };
  }

  /** GDPR Art. 18: from now on nothing of the pupil goes anywhere but to themselves, until lifted. */
  async restrict(kommunCode: string, recordId: string, requestId: string): Promise<void> {
    await this.db.once(
      kommunCode,
      sql`INSERT INTO processing_restrictions (kommun_code, record_id, request_id)
          VALUES (${kommunCode}, ${recordId}::uuid, ${requestId}::uuid) ON CONFLICT DO NOTHING`,
    );
  }

  async liftRestriction(kommunCode: string, requestId: string): Promise<void> {
    await this.db.once(
      kommunCode,
      sql`UPDATE processing_restrictions SET lifted_at = now() WHERE request_id = ${requestId}::uuid AND lifted_at IS NULL`,
    );
  }

  /** Which of these pupils have a restriction of processing in force. */
  async restricted(kommunCode: string, recordIds: string[]): Promise<Set<string>> {
    const rows = await this.db.once<{ recordId: string }>(
      kommunCode,
      sql`SELECT DISTINCT record_id AS "recordId" FROM processing_restrictions
           WHERE kommun_code = ${kommunCode} AND record_id = ANY(${recordIds}::uuid[]) AND lifted_at IS NULL`,
    );
    return new Set(rows.map((r) => r.recordId));
  }

  private rows(kommunCode: string, recordIds: string[]): Promise<ConsentRow[]> {
    return this.db.once<ConsentRow>(
      kommunCode,
      sql`SELECT ${COLUMNS} FROM consents
           WHERE kommun_code = ${kommunCode} AND record_id = ANY(${recordIds}::uuid[])
           ORDER BY created_at, id`,
    );
  }
}

const toResource = (r: ConsentRow, viewer?: string): ConsentEventResource => ({
  id: r.id,
  recordId: r.recordId,
  purpose: r.purpose,
  categories: r.categories,
  recipient: r.recipient,
  action: r.action,
  giverRole: r.giverRole,
  ...(viewer ? { givenByYou: r.giverCivicNo === viewer } : {}),
  collectionMethod: r.collectionMethod,
  expiresAt: r.expiresAt?.toISOString() ?? null,
  createdAt: r.createdAt.toISOString(),
  receipt: r.receiptJws,
});
