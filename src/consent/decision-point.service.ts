import { Injectable } from '@nestjs/common';
import type { LossEntry } from '../adapters/vendor-adapter.port';
import { AuditService, type AuditActor } from '../audit/audit.service';
import type { LearnerRecord } from '../records/learner-record.types';
import { CATEGORY_NAMES, type Category } from './categories';
import { ConsentPoliciesService } from './consent-policies.service';
import type { DecisionSubject } from './consent-state';
import { ConsentsService } from './consents.service';
import { decide, DENIAL_TEXTS, type Decision } from './decision-point';
import { mayDisclose, minimisationLoss, minimise, withheldSections } from './minimise';
import { LEGAL_BASIS_ARTICLE, LEGAL_BASIS_NAMES, type Purpose } from './purposes';

/** Who is asking, for the audit log. */
export interface DecisionContext {
  actor: AuditActor;
  onBehalfOf?: string | null;
  requestId?: string | null;
  /** The categories asked for; all when absent. */
  requested?: readonly Category[];
  /**
   * Bulk outflows (an adapter export of a kommun): pupils decided alike (same outcome, bases and
   * denials) share one audit entry that names them all, instead of one entry each. Every decision is
   * still in the log, found by each pupil's id; 25,000 single entries would cost an export more than
   * its conversion.
   */
  groupAudit?: boolean;
}

/** What may go of one pupil: the minimised record and what was left out, or nothing at all. */
export type Release =
  | { released: true; decision: Decision; record: LearnerRecord; loss: LossEntry[] }
  | { released: false; decision: Decision; loss: LossEntry[] };

/**
 * What may go of one pupil whose record the caller holds elsewhere (a bulk export hands the text to
 * its writer thread): the sections to leave out, and what was left out, or nothing at all.
 */
export type SectionRelease =
  | { released: true; decision: Decision; withheld: string[]; loss: LossEntry[] }
  | { released: false; decision: Decision; loss: LossEntry[] };

/** A pupil as the decision point decides on it: what decides, and which sections hold data. */
export interface PupilToDecide {
  id: string;
  subject: DecisionSubject;
  held: ReadonlySet<string>;
}

export interface DisclosurePreview extends Decision {
  explained: {
    allowed: Array<{
      category: Category;
      name: { sv: string; en: string };
      basis: string;
      article: string;
      basisName: { sv: string; en: string };
    }>;
    denied: Array<{
      category: Category;
      name: { sv: string; en: string };
      reason: string;
      reasonText: { sv: string; en: string };
    }>;
  };
}

/**
 * The one decision point every outflow asks (platform exports, adapter exports, transfer packages,
 * the data subject's own export): the kommun's policy in force and the pupil's consents, decided by
 * the pure rules in decision-point.ts, each decision written to the audit log.
 */
@Injectable()
export class DecisionPointService {
  constructor(
    private readonly policies: ConsentPoliciesService,
    private readonly consents: ConsentsService,
    private readonly audit: AuditService,
  ) {}

  /** Decides for each pupil, and audits each decision (outcome allowed if anything may go). */
  async decide(
    kommunCode: string,
    pupils: ReadonlyArray<{ id: string; record: DecisionSubject }>,
    purpose: Purpose,
    recipient: string | null,
    context: DecisionContext,
  ): Promise<Map<string, Decision>> {
    const policy = await this.policies.inForce(kommunCode);
    const ids = pupils.map((p) => p.id);
    const [events, restricted] = await Promise.all([
      this.consents.eventsOf(kommunCode, ids),
      this.consents.restricted(kommunCode, ids),
    ]);
    const now = new Date();
    const decisions = new Map<string, Decision>();
    for (const { id, record } of pupils) {
      decisions.set(
        id,
        decide({
          record,
          purpose,
          recipient,
          requested: context.requested,
          policy: policy.document,
          policyVersion: policy.version,
          consents: events.get(id) ?? [],
          restricted: restricted.has(id),
          now,
        }),
      );
    }
    const entry = (ids: string[], d: Decision) =>
      this.audit.record({
        kommunCode,
        actor: context.actor,
        onBehalfOf: context.onBehalfOf ?? null,
        action: `disclosure:${purpose}`,
        outcome: mayDisclose(d) ? 'allowed' : 'denied',
        pupilRecordIds: ids,
        sections: d.allowed.map((a) => a.category),
        legalBasis: Object.fromEntries(d.allowed.map((a) => [a.category, a.basis])),
        requestId: context.requestId ?? null,
        purpose,
        recipient,
        detail: {
          policyVersion: d.policyVersion,
          denied: d.denied.map((x) => `${x.category}:${x.reason}`),
        },
      });
    if (!context.groupAudit) {
      await Promise.all([...decisions].map(([id, d]) => entry([id], d)));
      return decisions;
    }
    // Consent receipts differ per pupil and are not in the entry, so they do not split a group.
    const groups = new Map<string, { ids: string[]; decision: Decision }>();
    for (const [id, d] of decisions) {
      const key = JSON.stringify([
        mayDisclose(d),
        d.allowed.map((a) => [a.category, a.basis]),
        d.denied.map((x) => [x.category, x.reason]),
      ]);
      const group = groups.get(key) ?? { ids: [], decision: d };
      group.ids.push(id);
      groups.set(key, group);
    }
    await Promise.all([...groups.values()].map((g) => entry(g.ids, g.decision)));
    return decisions;
  }

  /** Decides and minimises: exactly what may go of each pupil, and the loss report of what may not. */
  async release(
    kommunCode: string,
    pupils: ReadonlyArray<{ id: string; record: LearnerRecord }>,
    purpose: Purpose,
    recipient: string | null,
    context: DecisionContext,
  ): Promise<Map<string, Release>> {
    const decisions = await this.decide(kommunCode, pupils, purpose, recipient, context);
    const out = new Map<string, Release>();
    for (const { id, record } of pupils) {
      const decision = decisions.get(id)!;
      out.set(
        id,
        mayDisclose(decision)
          ? { released: true, decision, ...minimise(record, decision) }
          : { released: false, decision, loss: [wholeRecordWithheld(decision)] },
      );
    }
    return out;
  }

  /**
   * As `release`, for pupils of whom the caller has read only what decides and which sections hold
   * data: the same decisions, audits and loss entries, and the sections to leave out of each record.
   */
  async releaseSections(
    kommunCode: string,
    pupils: ReadonlyArray<PupilToDecide>,
    purpose: Purpose,
    recipient: string | null,
    context: DecisionContext,
  ): Promise<Map<string, SectionRelease>> {
    const decisions = await this.decide(
      kommunCode,
      pupils.map((p) => ({ id: p.id, record: p.subject })),
      purpose,
      recipient,
      context,
    );
    const out = new Map<string, SectionRelease>();
    for (const { id, held } of pupils) {
      const decision = decisions.get(id)!;
      out.set(
        id,
        mayDisclose(decision)
          ? {
              released: true,
              decision,
              withheld: withheldSections(decision),
              loss: minimisationLoss(held, decision),
            }
          : { released: false, decision, loss: [wholeRecordWithheld(decision)] },
      );
    }
    return out;
  }

  /** The decision for one pupil with every reason in Swedish and English; audits nothing (nothing goes). */
  async preview(
    kommunCode: string,
    pupil: { id: string; record: LearnerRecord },
    purpose: Purpose,
    recipient: string | null,
  ): Promise<DisclosurePreview> {
    const policy = await this.policies.inForce(kommunCode);
    const [events, restricted] = await Promise.all([
      this.consents.eventsOf(kommunCode, [pupil.id]),
      this.consents.restricted(kommunCode, [pupil.id]),
    ]);
    const d = decide({
      record: pupil.record,
      purpose,
      recipient,
      policy: policy.document,
      policyVersion: policy.version,
      consents: events.get(pupil.id) ?? [],
      restricted: restricted.has(pupil.id),
      now: new Date(),
    });
    return {
      ...d,
      explained: {
        allowed: d.allowed.map((a) => ({
          category: a.category,
          name: CATEGORY_NAMES[a.category],
          basis: a.basis,
          article: LEGAL_BASIS_ARTICLE[a.basis],
          basisName: LEGAL_BASIS_NAMES[a.basis],
        })),
        denied: d.denied.map((x) => ({
          category: x.category,
          name: CATEGORY_NAMES[x.category],
          reason: x.reason,
          reasonText: DENIAL_TEXTS[x.reason],
        })),
      },
    };
  }
}

/** The loss entry of a pupil of whom nothing may go. */
function wholeRecordWithheld(decision: Decision): LossEntry {
  const reason = decision.denied.find((x) => x.category === 'identity')?.reason ?? 'not-for-purpose';
  return { kind: 'dropped', source: { pointer: '' }, detail: `The whole record: ${DENIAL_TEXTS[reason].en}` };
}
