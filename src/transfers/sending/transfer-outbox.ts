import {
  BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnModuleInit,
} from '@nestjs/common';
import { AuditService } from '../../audit/audit.service';
import { APP_CONFIG } from '../../config/config.module';
import type { AppConfig } from '../../config/env.schema';
import { problemDocument } from '../../common/problem/problem';
import { loggableError } from '../../common/problem/error-mapping';
import { JobQueue } from '../../jobs/job-queue.service';
import { KommunerService } from '../../kommuner/kommuner.service';
import { OutboxPump } from '../outbox-pump';
import { inParallel } from '../parallel';
import { PeerClient } from '../peer-client';
import { Peers } from '../peers';
import { retryDelayMs } from '../transfer-states';
import { TRANSFER_PROBLEMS } from '../transfers.errors';
import { TransferSealer } from './transfer-sealer';
import { TransferRow, TransfersRepository } from './transfers.repository';

export const OUTBOX_QUEUE = 'transfer-outbox';
/** Transfers taken per round: sealed together (one decision call), then delivered side by side. */
const CLAIM = 25;
/** Rounds in progress at once per kommun (see OutboxPump). */
const LANES = 3;
const SYSTEM = { kind: 'system' as const, subject: 'transfer-outbox', role: null };

/**
 * The sending kommun's durable outbox: seals what was asked for, and pushes sealed packages to the
 * receivers' inboxes (`POST {peer}/v1/transfers/inbox`), retrying with exponential backoff while a
 * receiver cannot be reached, until the package expires. Exactly once at the receiver: a package is
 * sealed once and its bytes kept, every retry sends the same bytes, and the receiver answers a
 * package it already holds as delivered (idempotent by `jti`). A crash mid-delivery leaves the row
 * leased; after the lease it is sent again, and the receiver recognises it.
 */
@Injectable()
export class TransferOutbox implements OnModuleInit, OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('TransferOutbox');
  private readonly pump: OutboxPump;
  private readonly leaseMs: number;

  constructor(
    private readonly repository: TransfersRepository,
    private readonly sealer: TransferSealer,
    private readonly peers: Peers,
    private readonly client: PeerClient,
    private readonly audit: AuditService,
    private readonly kommuner: KommunerService,
    private readonly queue: JobQueue,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.leaseMs = 2 * config.TRANSFER_DELIVERY_TIMEOUT_MS + 1000;
    this.pump = new OutboxPump(
      OUTBOX_QUEUE,
      queue,
      config.JOBS_WORKER === 'on',
      (k) => this.step(k),
      (k) => this.repository.nextDue(k),
      LANES,
    );
  }

  onModuleInit(): void {
    this.queue.register<{ kommunCode: string }>(OUTBOX_QUEUE, (d) => this.pump.drain(d.kommunCode), {
      heartbeatSeconds: 60,
    });
  }

  /** After a restart: whatever was on its way goes on (not holding up the start). */
  onApplicationBootstrap(): void {
    if (this.config.JOBS_WORKER !== 'on') return;
    void this.kommuner.list().then(
      (all) => all.forEach((k) => this.pump.kick(k.code)),
      (err: unknown) =>
        this.logger.error({ err: loggableError(err) }, 'could not resume the transfer outbox'),
    );
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.client.stop(); // deliveries in flight end as failed attempts, retried after the restart
    await this.pump.stop();
  }

  /** Something new in this kommun's outbox. */
  kick(kommunCode: string): void {
    this.pump.kick(kommunCode);
  }

  private async step(kommunCode: string): Promise<number> {
    const rows = await this.repository.claimDue(kommunCode, CLAIM, this.leaseMs);
    if (rows.length === 0) return 0;
    const sealed = await this.sealer.seal(
      kommunCode,
      rows.filter((r) => r.state === 'created'),
    );
    const push = [
      ...rows.filter((r) => r.state !== 'created'),
      ...sealed.filter((r) => r.deliver === 'push'),
    ];
    for (const r of sealed.filter((s) => s.deliver === 'download'))
      await this.repository.releaseLease(kommunCode, r.id);
    await inParallel(push, this.config.TRANSFER_CONCURRENCY, (r) => this.deliver(kommunCode, r));
    return rows.length;
  }

  private async deliver(kommunCode: string, row: TransferRow): Promise<void> {
    const attempt = row.attempts + 1;
    const base = { kommunCode, actor: SYSTEM, onBehalfOf: row.createdBy, pupilRecordIds: [row.recordId] };
    const where = { purpose: row.purpose, recipient: row.receiverKommun };
    if (row.manifest && row.manifest.exp * 1000 <= Date.now()) {
      const problem = problemDocument(
        TRANSFER_PROBLEMS.expiredUndelivered,
        'TRANSFER.EXPIRED_UNDELIVERED',
        'The package expired before the receiver could be reached; create the transfer again.',
      );
      if (await this.repository.markFailed(kommunCode, row.id, { ...problem })) {
        await this.audit.record({
          ...base,
          ...where,
          action: 'transfers:deliver',
          outcome: 'failed',
          detail: { transferId: row.id, jti: row.jti, attempt, code: problem.code },
        });
      }
      return;
    }
    const peerUrl = await this.peers.baseUrl(kommunCode, row.receiverKommun);
    if (!peerUrl) {
      const problem = problemDocument(
        TRANSFER_PROBLEMS.peerNotTrusted,
        'TRANSFER.PEER_NOT_TRUSTED',
        `Kommun ${row.receiverKommun} is no longer a trusted peer: the package was not delivered.`,
      );
      if (await this.repository.markFailed(kommunCode, row.id, { ...problem })) {
        await this.audit.record({
          ...base,
          ...where,
          action: 'transfers:deliver',
          outcome: 'failed',
          detail: { transferId: row.id, jti: row.jti, attempt, code: problem.code },
        });
      }
      return;
    }
    const jwe = await this.repository.startAttempt(kommunCode, row.id);
    if (!jwe) return; // cancelled since it was claimed
    const result = await this.client.post(`${peerUrl}/v1/transfers/inbox`, jwe);
    const detail = { transferId: row.id, jti: row.jti, attempt };
    if (result.kind === 'ok') {
      // The disclosure is in the audit log before the transfer shows as delivered: a crash between
      // the two re-delivers (the receiver answers `duplicate`) and logs it twice, never not at all.
      await this.audit.record({
        ...base,
        ...where,
        action: 'transfers:deliver',
        outcome: 'succeeded',
        sections: row.manifest?.categories ?? [],
        legalBasis: row.manifest?.legalBasis ?? null,
        detail: { ...detail, duplicate: result.body.duplicate === true },
      });
      await this.repository.markDelivered(kommunCode, row.id);
    } else if (result.kind === 'retry') {
      const wait = Math.max(
        retryDelayMs(attempt, this.config.TRANSFER_RETRY_BASE_MS, this.config.TRANSFER_RETRY_MAX_MS),
        result.retryAfterMs ?? 0,
      );
      const at = new Date(Date.now() + wait);
      await this.repository.scheduleRetry(kommunCode, row.id, at, {
        ...result.error,
        at: new Date().toISOString(),
      });
      await this.audit.record({
        ...base,
        ...where,
        action: 'transfers:deliver',
        outcome: 'failed',
        detail: { ...detail, code: result.error.code, retryAt: at.toISOString() },
      });
    } else {
      await this.repository.markFailed(kommunCode, row.id, { ...result.problem, status: result.status });
      await this.audit.record({
        ...base,
        ...where,
        action: 'transfers:deliver',
        outcome: 'failed',
        detail: {
          ...detail,
          refused: typeof result.problem.code === 'string' ? result.problem.code : result.status,
        },
      });
    }
  }
}
