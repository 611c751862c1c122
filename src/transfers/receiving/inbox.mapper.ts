import type { LossEntry } from '../../adapters/vendor-adapter.port';
import type { LearnerRecord } from '../../records/learner-record.types';
import type { TransferManifest } from '../package/package-format';
import { INBOX_STATE_TEXTS, type InboxState } from '../transfer-states';
import type { InboxDiff } from './inbox-diff';
import type { InboxRow } from './inbox.repository';

export interface InboxItemResource {
  id: string;
  kommunCode: string;
  jti: string;
  sender: { kommun: string; schoolUnit: string | null };
  receiverSchoolUnit: string | null;
  purpose: string;
  /** Names for the list; null once decided (the record no longer waits here). */
  pupil: { givenName: string | null; familyName: string | null; birthDate: string | null } | null;
  categories: Array<{ category: string; basis: string }>;
  state: InboxState;
  stateText: { sv: string; en: string };
  reason: string | null;
  /** The learner record the package was imported into, once accepted. */
  recordId: string | null;
  receivedAt: string;
  decidedAt: string | null;
  expiresAt: string;
  /** The signed acknowledgement on its way back to the sender. */
  acknowledgement: { state: 'pending' | 'sent' | 'failed'; attempts: number; sentAt: string | null } | null;
}

export interface InboxItemDetail extends InboxItemResource {
  manifest: TransferManifest;
  loss: LossEntry[];
  /** The record as received (until decided). */
  record: LearnerRecord | null;
  /** What accepting would do, against what this kommun already holds of the pupil (until decided). */
  diff: InboxDiff | null;
}

const iso = (d: Date | null): string | null => (d ? new Date(d).toISOString() : null);

export function toInboxResource(r: InboxRow): InboxItemResource {
  const p = r.record?.pupil as { givenName?: string; familyName?: string; birthDate?: string } | undefined;
  return {
    id: r.id,
    kommunCode: r.kommunCode,
    jti: r.jti,
    sender: { kommun: r.senderKommun, schoolUnit: r.manifest.sender.schoolUnit ?? null },
    receiverSchoolUnit: r.manifest.receiver.schoolUnit ?? null,
    purpose: r.purpose,
    pupil: p
      ? { givenName: p.givenName ?? null, familyName: p.familyName ?? null, birthDate: p.birthDate ?? null }
      : null,
    categories: r.manifest.categories.map((c) => ({
      category: c,
      basis: r.manifest.legalBasis[c] ?? 'unknown',
    })),
    state: r.state,
    stateText: INBOX_STATE_TEXTS[r.state],
    reason: r.reason,
    recordId: r.recordId,
    receivedAt: iso(r.receivedAt)!,
    decidedAt: iso(r.decidedAt),
    expiresAt: new Date(r.manifest.exp * 1000).toISOString(),
    acknowledgement: r.receiptState
      ? { state: r.receiptState, attempts: r.receiptAttempts, sentAt: iso(r.receiptSentAt) }
      : null,
  };
}
