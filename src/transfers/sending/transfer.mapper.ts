import { TRANSFER_STATE_TEXTS, type TransferState } from '../transfer-states';
import type { BatchRow, TransferRow } from './transfers.repository';

export interface TransferResource {
  id: string;
  kommunCode: string;
  recordId: string;
  purpose: 'transfer' | 'portability';
  receiver: { kommun: string; schoolUnit: string | null };
  deliver: 'push' | 'download';
  state: TransferState;
  stateText: { sv: string; en: string };
  batchId: string | null;
  subjectRequestId: string | null;
  /** The package id (the manifest's `jti`), once sealed. */
  jti: string | null;
  packageSha256: string | null;
  /** What went, each category with its legal basis (from the sealed manifest). */
  categories: Array<{ category: string; basis: string }> | null;
  /** What the decision point left out, and why. */
  loss: unknown[] | null;
  expiresAt: string | null;
  delivery: {
    attempts: number;
    nextAttemptAt: string | null;
    lastError: Record<string, unknown> | null;
  };
  problem: Record<string, unknown> | null;
  /** The receiver's signed acknowledgement (`transfer-receipt+jws`), once it came. */
  acknowledgement: {
    outcome: 'accepted' | 'rejected';
    reason: string | null;
    at: string;
    receipt: string;
  } | null;
  createdAt: string;
  sealedAt: string | null;
  deliveredAt: string | null;
  cancelledAt: string | null;
  downloadedAt: string | null;
}

const iso = (d: Date | null): string | null => (d ? new Date(d).toISOString() : null);

export function toTransferResource(r: TransferRow): TransferResource {
  const waiting = r.state === 'delivering' || r.state === 'sealed' || r.state === 'created';
  return {
    id: r.id,
    kommunCode: r.kommunCode,
    recordId: r.recordId,
    purpose: r.purpose,
    receiver: { kommun: r.receiverKommun, schoolUnit: r.receiverSchoolUnit },
    deliver: r.deliver,
    state: r.state,
    stateText: TRANSFER_STATE_TEXTS[r.state],
    batchId: r.batchId,
    subjectRequestId: r.subjectRequestId,
    jti: r.jti,
    packageSha256: r.packageSha256 ? r.packageSha256.trim() : null,
    categories: r.manifest
      ? r.manifest.categories.map((c) => ({ category: c, basis: r.manifest!.legalBasis[c] ?? 'unknown' }))
      : null,
    loss: r.loss,
    expiresAt: r.manifest ? new Date(r.manifest.exp * 1000).toISOString() : null,
    delivery: {
      attempts: r.attempts,
      nextAttemptAt: waiting && r.deliver === 'push' ? iso(r.nextAttemptAt) : null,
      lastError: r.lastError,
    },
    problem: r.problem,
    acknowledgement:
      (r.state === 'accepted' || r.state === 'rejected') && r.receipt
        ? { outcome: r.state, reason: r.outcomeReason, at: iso(r.acknowledgedAt)!, receipt: r.receipt }
        : null,
    createdAt: iso(r.createdAt)!,
    sealedAt: iso(r.sealedAt),
    deliveredAt: iso(r.deliveredAt),
    cancelledAt: iso(r.cancelledAt),
    downloadedAt: iso(r.downloadedAt),
  };
}

export interface TransferBatchResource {
  id: string;
  kommunCode: string;
  receiver: { kommun: string; schoolUnit: string | null };
  deliver: 'push' | 'download';
  selection: BatchRow['selection'];
  /** `queued`: the job has not made the pupils' transfers yet; `created`: it has (see `counts`). */
  state: 'queued' | 'created';
  pupils: number | null;
  /** Transfers of the batch per state. */
  counts: Record<string, number>;
  createdAt: string;
}

export const toBatchResource = (b: BatchRow, counts: Record<string, number>): TransferBatchResource => ({
  id: b.id,
  kommunCode: b.kommunCode,
  receiver: { kommun: b.receiverKommun, schoolUnit: b.receiverSchoolUnit },
  deliver: b.deliver,
  selection: b.selection,
  state: b.state,
  pupils: b.pupils,
  counts,
  createdAt: iso(b.createdAt)!,
});
