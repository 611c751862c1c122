import { Injectable, OnModuleDestroy } from '@nestjs/common';
import { decodeCursor, encodeCursor } from '../common/http/cursor';
import { KommunerService } from '../kommuner/kommuner.service';
import { DomainError } from '../common/problem/domain-error';
import { PROBLEMS } from '../common/problem/problem-types';
import {
  AuditActor,
  AuditEntry,
  AuditEntryInput,
  AuditReceipt,
  INSTALLATION_CHAIN,
  PreparedEntry,
} from './audit-entry';
import { prepareEntry } from './audit-input';
import { AuditAppender } from './audit-appender';
import { AuditCheckpoints } from './audit-checkpoints';
import { AuditExporter, ExportStatement } from './audit-export';
import { AuditLogRepository, EntryFilter, StoredCheckpoint } from './audit-log.repository';
import { AuditSecrets } from './audit-secrets';
import { AuditVerifier, VerificationReport } from './audit-verifier';
import { invalidPeriod } from './audit.errors';

export type { AuditActor, AuditEntry, AuditEntryInput, AuditReceipt } from './audit-entry';
export type { VerificationReport } from './audit-verifier';

export interface Page<T> {
  data: T[];
  nextCursor: string | null;
}

export type Checkpoint = Omit<StoredCheckpoint, 'kommunCode'>;

const isSeq = (p: string): boolean => /^[1-9][0-9]{0,15}$/.test(p);
const toCheckpoint = ({ kommunCode: _k, ...c }: StoredCheckpoint): Checkpoint => (void _k, c);

function checkPeriod(filter: { from?: Date; to?: Date }): void {
  if (filter.from && filter.to && filter.from >= filter.to) throw invalidPeriod();
}

/**
 * The audit log: append-only, hash-chained per kommun, with signed checkpoints. Other modules write
 * to it through record() only; the DPO reads, verifies and exports through the routes.
 */
@Injectable()
export class AuditService implements OnModuleDestroy {
  private readonly lookups = new Map<string, Promise<boolean>>();

  constructor(
    private readonly appender: AuditAppender,
    private readonly secrets: AuditSecrets,
    private readonly repository: AuditLogRepository,
    private readonly verifier: AuditVerifier,
    private readonly checkpoints: AuditCheckpoints,
    private readonly exporter: AuditExporter,
    private readonly kommuner: KommunerService,
  ) {}

  /**
   * Appends an entry to its kommun's chain (the installation chain, '0000', when it names no
   * kommun) and resolves once it is committed: `{ kommunCode, seq, hash }`. Entries that arrive
   * together are written together (group commit per kommun), so awaiting this costs one shared
   * round trip, not a lock per call; kommuner never wait on each other.
   *
   * Throws AuditInputError at once for an entry the log cannot hold (a bug in the caller). Civic
   * numbers (in `pupilCivicNos`, or found in free text and `detail`) are stored as keyed hashes only.
   *
   * Do not await it inside an open database transaction: on the embedded database (one session)
   * the append would wait for that transaction, and the transaction for the append.
   */
  async record(entry: AuditEntryInput): Promise<AuditReceipt> {
    let prepared = this.prepare(entry);
    const kommunCode = prepared.kommunCode;
    // A request can name any kommun code; only registered kommuner get a chain (else anyone could
    // start chains nobody can read or sign). The others' entries join the installation chain.
    if (kommunCode !== INSTALLATION_CHAIN && !(await this.registered(kommunCode))) {
      prepared = this.prepare({
        ...entry,
        kommunCode: INSTALLATION_CHAIN,
        detail: { ...entry.detail, unregisteredKommun: kommunCode },
      });
    }
    const appended = await this.appender.append(prepared);
    return { kommunCode: appended.kommunCode, seq: appended.seq, hash: appended.hash };
  }

  /** Walks the whole chain and every checkpoint on it; names the first broken entry and why. */
  async verify(kommunCode: string): Promise<VerificationReport> {
    await this.assertChain(kommunCode);
    return this.verifier.verify(kommunCode);
  }

  /** Entries, newest first, filtered by pupil, period [from, to), action and outcome; cursor-paged. */
  async list(
    kommunCode: string,
    query: EntryFilter & { cursor?: string; limit: number },
  ): Promise<Page<AuditEntry>> {
    await this.assertChain(kommunCode);
    checkPeriod(query);
    const before = decodeCursor('audit-entries', query.cursor, isSeq);
    const { cursor: _c, limit, ...filter } = query;
    void _c;
    const rows = await this.repository.list(
      kommunCode,
      filter,
      before ? Number(before) : undefined,
      limit + 1,
    );
    const page = rows.slice(0, limit);
    const more = rows.length > limit;
    return {
      data: page,
      nextCursor: more ? encodeCursor('audit-entries', String(page[page.length - 1].seq)) : null,
    };
  }

  /** Signed checkpoints, newest first; cursor-paged. */
  async listCheckpoints(
    kommunCode: string,
    query: { cursor?: string; limit: number },
  ): Promise<Page<Checkpoint>> {
    await this.assertChain(kommunCode);
    const before = decodeCursor('audit-checkpoints', query.cursor, isSeq);
    const rows = await this.repository.listCheckpoints(
      kommunCode,
      before ? Number(before) : undefined,
      query.limit + 1,
    );
    const page = rows.slice(0, query.limit);
    const more = rows.length > query.limit;
    return {
      data: page.map(toCheckpoint),
      nextCursor: more ? encodeCursor('audit-checkpoints', String(page[page.length - 1].seq)) : null,
    };
  }

  /** Signs the chain's head now (or answers the checkpoint already there); `created` says which. */
  async checkpoint(kommunCode: string): Promise<{ checkpoint: Checkpoint; created: boolean }> {
    await this.assertChain(kommunCode);
    const { checkpoint, created } = await this.checkpoints.checkpoint(kommunCode);
    return { checkpoint: toCheckpoint(checkpoint), created };
  }

  /**
   * The DPO's signed NDJSON export of a pupil (record id) and/or a period. The export itself enters
   * the chain (action `audit:export`, with its SHA-256) once its lines are made.
   */
  async export(
    kommunCode: string,
    filter: Pick<EntryFilter, 'recordId' | 'from' | 'to'>,
    by: { actor: AuditActor; requestId?: string },
  ): Promise<AsyncGenerator<string>> {
    await this.assertChain(kommunCode);
    checkPeriod(filter);
    return this.exporter.lines(kommunCode, filter, async (statement: ExportStatement) => {
      await this.record({
        kommunCode,
        actor: by.actor,
        action: 'audit:export',
        outcome: 'succeeded',
        requestId: by.requestId,
        pupilRecordIds: filter.recordId ? [filter.recordId] : [],
        detail: {
          ...statement.filter,
          entries: statement.entries,
          sha256: statement.sha256,
          headSeq: statement.head.seq,
        },
      });
    });
  }

  /** Entries still queued are written before the pool closes. */
  async onModuleDestroy(): Promise<void> {
    await this.appender.drain();
    await this.checkpoints.settle();
  }

  private prepare(entry: AuditEntryInput): PreparedEntry {
    return prepareEntry(entry, (kommunCode, civicNo) => this.secrets.civicNoHash(kommunCode, civicNo));
  }

  /** One look-up per kommun at a time, however many entries arrive for it at once (a burst at start). */
  private registered(kommunCode: string): Promise<boolean> {
    let pending = this.lookups.get(kommunCode);
    if (!pending) {
      pending = this.kommuner
        .assertExists(kommunCode)
        .then(
          () => true,
          (err) => {
            if (err instanceof DomainError && err.problem === PROBLEMS.kommunNotFound) return false;
            throw err;
          },
        )
        .finally(() => this.lookups.delete(kommunCode));
      this.lookups.set(kommunCode, pending);
    }
    return pending;
  }

  /** A kommun's chain, or the installation's own ('0000'). */
  private async assertChain(kommunCode: string): Promise<void> {
    if (kommunCode !== INSTALLATION_CHAIN) await this.kommuner.assertExists(kommunCode);
  }
}
