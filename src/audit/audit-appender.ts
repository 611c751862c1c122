import { Injectable } from '@nestjs/common';
import { isDatabaseUnavailable } from '../common/problem/error-mapping';
import { entryHash } from './audit-canonical';
import { AuditEntry, ChainHead, PreparedEntry } from './audit-entry';
import { AuditLogRepository } from './audit-log.repository';

interface Waiting {
  entry: PreparedEntry;
  resolve: (entry: AuditEntry) => void;
  reject: (err: unknown) => void;
}

/** Entries per insert: one statement, one commit. */
export const MAX_BATCH = 500;

/** Gives prepared entries their places after `head`: consecutive seqs, each hash over the one before. */
export function chainOnto(head: ChainHead, prepared: readonly PreparedEntry[]): AuditEntry[] {
  let prev = head;
  return prepared.map((p, i) => {
    const unhashed = { ...p, seq: head.seq + i + 1, prevHash: prev.hash };
    const entry: AuditEntry = { ...unhashed, hash: entryHash(unhashed) };
    prev = entry;
    return entry;
  });
}

/**
 * Batches of one kommun sent to the database at once: one. A second batch chained onto the first
 * and sent while it commits looked cheaper, but measured worse: when the second reached the server
 * first it found its predecessor missing and had to be chained again under the lock, and every batch
 * sent meanwhile after it (bench/audit.bench.js: a fifth of the batches, a tenth of the throughput).
 */
export const MAX_IN_FLIGHT = 1;

/**
 * Group commit per kommun. Entries queue per kommun; what has queued is chained onto the head and
 * inserted in one statement and one commit, while the next entries queue behind it. Kommuner never
 * wait on each other.
 *
 * Across instances on one database the kommun's transaction-level advisory lock orders the writers.
 * This process keeps the head it chained onto last (its tip), so a flush is one round trip: take the
 * lock and insert the batch only if the head is still the one it was chained onto. When another
 * instance moved it (or a batch before it failed), nothing was written and the batch is chained again
 * under the lock, on the head read there: the chain never forks, whatever the timing. Works the same
 * on the embedded database, where there is one session and the lock is always free.
 */
@Injectable()
export class AuditAppender {
  private readonly queues = new Map<string, Waiting[]>();
  private readonly inFlight = new Map<string, number>();
  /** Per kommun, the head the next batch chains onto: the last entry sent, committed or about to be. */
  private readonly tips = new Map<string, ChainHead>();
  private readonly active = new Set<Promise<void>>();
  private readonly listeners: ((kommunCode: string, head: ChainHead) => void)[] = [];

  constructor(private readonly repository: AuditLogRepository) {}

  /** Resolves once the entry is committed (durable), with its place in the chain. */
  append(entry: PreparedEntry): Promise<AuditEntry> {
    return new Promise((resolve, reject) => {
      const kommunCode = entry.kommunCode;
      const queue = this.queues.get(kommunCode) ?? [];
      queue.push({ entry, resolve, reject });
      this.queues.set(kommunCode, queue);
      // The first entry of a quiet moment waits one turn of the event loop for company.
      if (queue.length === 1) setImmediate(() => this.pump(kommunCode));
    });
  }

  /** Called after every append with the chain's new head (the checkpoints count with it). */
  onAppended(listener: (kommunCode: string, head: ChainHead) => void): void {
    this.listeners.push(listener);
  }

  /** Waits until every queued entry is written (or failed): for shutdown. */
  async drain(): Promise<void> {
    while (this.active.size > 0 || this.queues.size > 0) {
      if (this.active.size > 0) await Promise.all(this.active);
      else await new Promise((resolve) => setImmediate(resolve));
    }
  }

  private pump(kommunCode: string): void {
    const queue = this.queues.get(kommunCode);
    const limit = MAX_IN_FLIGHT;
    while (queue && queue.length > 0 && (this.inFlight.get(kommunCode) ?? 0) < limit) {
      this.inFlight.set(kommunCode, (this.inFlight.get(kommunCode) ?? 0) + 1);
      const done = this.writeBatch(kommunCode, queue.splice(0, MAX_BATCH)).finally(() => {
        this.active.delete(done);
        this.inFlight.set(kommunCode, (this.inFlight.get(kommunCode) ?? 1) - 1);
        this.pump(kommunCode);
      });
      this.active.add(done);
    }
    if (queue && queue.length === 0 && !this.inFlight.get(kommunCode)) {
      this.queues.delete(kommunCode);
      this.inFlight.delete(kommunCode);
    }
  }

  private async writeBatch(kommunCode: string, batch: Waiting[]): Promise<void> {
    try {
      const entries = await this.write(
        kommunCode,
        batch.map((w) => w.entry),
      );
      batch.forEach((w, i) => w.resolve(entries[i]));
    } catch (err) {
      if (batch.length === 1 || isDatabaseUnavailable(err)) {
        batch.forEach((w) => w.reject(err));
        return;
      }
      // One entry the database refuses must fail only its own caller.
      for (const w of batch) {
        try {
          w.resolve((await this.write(kommunCode, [w.entry]))[0]);
        } catch (alone) {
          w.reject(alone);
        }
      }
    }
  }

  private async write(kommunCode: string, prepared: PreparedEntry[]): Promise<AuditEntry[]> {
    let entries: AuditEntry[];
    try {
      const head = this.tips.get(kommunCode) ?? (await this.repository.head(kommunCode));
      entries = chainOnto(head, prepared);
      // Set before the round trip: a batch sent meanwhile chains onto this one.
      this.tips.set(kommunCode, headOf(entries));
      if (!(await this.repository.appendIfHead(kommunCode, head, entries))) {
        entries = await this.repository.appendLocked(kommunCode, (moved) => chainOnto(moved, prepared));
        this.tips.set(kommunCode, headOf(entries));
      }
    } catch (err) {
      this.tips.delete(kommunCode);
      throw err;
    }
    const head = headOf(entries);
    for (const listener of this.listeners) {
      try {
        listener(kommunCode, head);
      } catch {
        // A listener's failure must not make a written batch look unwritten (and be written again).
      }
    }
    return entries;
  }
}

const headOf = (entries: AuditEntry[]): ChainHead => {
  const last = entries[entries.length - 1];
  return { seq: last.seq, hash: last.hash };
};
