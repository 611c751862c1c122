import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/env.schema';
import { ChainHead } from './audit-entry';
import { auditChainBroken, auditChainEmpty } from './audit.errors';
import { AuditAppender } from './audit-appender';
import { AuditLogRepository, StoredCheckpoint } from './audit-log.repository';
import { AuditSigner, CHECKPOINT_TYP } from './audit-signer';
import { AuditVerifier } from './audit-verifier';

interface ChainState {
  head: ChainHead;
  /** Seq of the newest checkpoint this process knows of; undefined until read from the database. */
  checkpointed?: number;
  running?: Promise<void>;
  /** After a failure (keys unavailable, a broken chain), no new attempt before this time (ms). */
  retryAt?: number;
}

/**
 * Signed checkpoints: the kommun's signature over {kommun, seq, hash, time} of its chain's head,
 * made every AUDIT_CHECKPOINT_EVERY entries, every AUDIT_CHECKPOINT_SECONDS while entries have come,
 * and on demand. Before signing, the entries since the last checkpoint are verified, so a checkpoint
 * never vouches for a tail someone changed in the database. Several instances may checkpoint one
 * chain; the first checkpoint at a seq is kept.
 */
@Injectable()
export class AuditCheckpoints implements OnModuleDestroy {
  private readonly logger = new Logger('AuditCheckpoints');
  private readonly every: number;
  private readonly periodMs: number;
  private readonly chains = new Map<string, ChainState>();
  private readonly timer: NodeJS.Timeout;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    appender: AuditAppender,
    private readonly repository: AuditLogRepository,
    private readonly signer: AuditSigner,
    private readonly verifier: AuditVerifier,
  ) {
    this.every = config.AUDIT_CHECKPOINT_EVERY;
    this.periodMs = config.AUDIT_CHECKPOINT_SECONDS * 1000;
    appender.onAppended((kommunCode, head) => this.observe(kommunCode, head));
    this.timer = setInterval(() => this.tick(), this.periodMs);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  /** Waits for the checkpoints being made now: for shutdown and tests. */
  async settle(): Promise<void> {
    for (;;) {
      const running = [...this.chains.values()].flatMap((s) => (s.running ? [s.running] : []));
      if (running.length === 0) return;
      await Promise.all(running);
    }
  }

  /**
   * Signs the chain's head now, unless a checkpoint is already there. Refuses an empty chain, and
   * a chain whose entries since the last checkpoint do not verify.
   */
  async checkpoint(kommunCode: string): Promise<{ checkpoint: StoredCheckpoint; created: boolean }> {
    const [last] = await this.repository.listCheckpoints(kommunCode, undefined, 1);
    const head = await this.repository.head(kommunCode);
    if (head.seq === 0) throw auditChainEmpty(kommunCode);
    if (last && last.seq >= head.seq) return { checkpoint: last, created: false };
    const broken = await this.verifier.verifySince(kommunCode, last, head.seq);
    if (broken) throw auditChainBroken(kommunCode, broken);
    const time = new Date().toISOString();
    const jws = await this.signer.sign(
      kommunCode,
      { kommun: kommunCode, seq: head.seq, hash: head.hash, time },
      CHECKPOINT_TYP,
    );
    const checkpoint: StoredCheckpoint = { kommunCode, seq: head.seq, hash: head.hash, time, jws };
    await this.repository.insertCheckpoint(checkpoint);
    const state = this.chains.get(kommunCode);
    if (state) state.checkpointed = Math.max(state.checkpointed ?? 0, head.seq);
    return { checkpoint, created: true };
  }

  private observe(kommunCode: string, head: ChainHead): void {
    const state = this.chains.get(kommunCode) ?? { head };
    state.head = head;
    this.chains.set(kommunCode, state);
    if (state.checkpointed === undefined || head.seq - state.checkpointed >= this.every)
      this.run(kommunCode, state);
  }

  private tick(): void {
    for (const [kommunCode, state] of this.chains) {
      if (state.head.seq > (state.checkpointed ?? 0)) this.run(kommunCode, state, true);
    }
  }

  /** One checkpoint at a time per chain; failures are logged (never with entry contents) and retried later. */
  private run(kommunCode: string, state: ChainState, timeUp = false): void {
    // A failed attempt is not repeated batch after batch (each would walk the same entries again).
    if (state.running || (state.retryAt !== undefined && Date.now() < state.retryAt)) return;
    state.running = (async () => {
      if (state.checkpointed === undefined) {
        const [last] = await this.repository.listCheckpoints(kommunCode, undefined, 1);
        state.checkpointed = last?.seq ?? 0;
      }
      if (timeUp ? state.head.seq > state.checkpointed : state.head.seq - state.checkpointed >= this.every) {
        state.checkpointed = (await this.checkpoint(kommunCode)).checkpoint.seq;
        state.retryAt = undefined;
        return true;
      }
      return false;
    })()
      .catch((err: Error) => {
        this.logger.error(`kommun ${kommunCode}: no checkpoint made: ${err.message}`);
        state.retryAt = Date.now() + this.periodMs / 2;
        return false;
      })
      .then((made) => {
        state.running = undefined;
        // Entries that came while this one was signed may already be due for the next.
        if (made && state.head.seq - (state.checkpointed ?? 0) >= this.every) this.run(kommunCode, state);
      });
  }
}
