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
 * Group commit per kommun. Entries queue per kommun; one flush at a time per kommun (in this
 * process) chains what has queued onto the head and inserts it in one statement and one commit, while
 * the next entries queue behind it. Kommuner never wait on each other.
 *
 * Across instances on one database the kommun's transaction-level advisory lock orders the writers.
 * The head this process wrote last is kept, so a flush is one round trip: take the lock and insert
 * the batch only if the head is still the one it was chained onto. When another instance moved it,
 * nothing was written and the batch is chained again under the lock, on the head read there. Works
 * the same on the embedded database, where there is one session and the lock is always free.
 */
@Injectable()
export class AuditAppender {
  private readonly queues = new Map<string, Waiting[]>();
  private readonly flushes = new Map<string, Promise<void>>();
  private readonly heads = new Map<string, ChainHead>();
  private readonly listeners: ((kommunCode: string, head: ChainHead) => void)[] = [];

  constructor(private readonly repository: AuditLogRepository) {}

  /** Resolves once the entry is committed (durable), with its place in the chain. */
  append(entry: PreparedEntry): Promise<AuditEntry> {
    return new Promise((resolve, reject) => {
      const kommunCode = entry.kommunCode;
      const queue = this.queues.get(kommunCode) ?? [];
      queue.push({ entry, resolve, reject });
      this.queues.set(kommunCode, queue);
      if (!this.flushes.has(kommunCode)) this.flushes.set(kommunCode, this.flush(kommunCode));
    });
  }

  /** Called after every append with the chain's new head (the checkpoints count with it). */
  onAppended(listener: (kommunCode: string, head: ChainHead) => void): void {
    this.listeners.push(listener);
  }

  /** Waits until every queued entry is written (or failed): for shutdown. */
  async drain(): Promise<void> {
    while (this.flushes.size > 0) await Promise.all(this.flushes.values());
  }

  private async flush(kommunCode: string): Promise<void> {
    // The first entry of a quiet moment waits one turn of the event loop for company.
    await new Promise((resolve) => setImmediate(resolve));
    try {
      for (;;) {
        const queue = this.queues.get(kommunCode);
        if (!queue || queue.length === 0) break;
        await this.writeBatch(kommunCode, queue.splice(0, MAX_BATCH));
      }
    } finally {
      // No await between the empty queue above and here: an append in between cannot be stranded.
      this.queues.delete(kommunCode);
      this.flushes.delete(kommunCode);
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
      const head = this.heads.get(kommunCode) ?? (await this.repository.head(kommunCode));
      entries = chainOnto(head, prepared);
      if (!(await this.repository.appendIfHead(kommunCode, head, entries))) {
        entries = await this.repository.appendLocked(kommunCode, (moved) => chainOnto(moved, prepared));
      }
    } catch (err) {
      this.heads.delete(kommunCode);
      throw err;
    }
    const last = entries[entries.length - 1];
    const head = { seq: last.seq, hash: last.hash };
    this.heads.set(kommunCode, head);
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
