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
import { loggableError } from '../../common/problem/error-mapping';
import { JobQueue } from '../../jobs/job-queue.service';
import { KommunerService } from '../../kommuner/kommuner.service';
import { OutboxPump } from '../outbox-pump';
import { PeerClient, type PeerPostResult } from '../peer-client';
import { Peers } from '../peers';
import { inParallel } from '../parallel';
import { retryDelayMs } from '../transfer-states';
import { InboxRepository, InboxRow } from './inbox.repository';

export const RECEIPTS_QUEUE = 'transfer-receipts';
const CLAIM = 50;
/** An acknowledgement the sender cannot take for this long is given up (and shown as failed). */
const GIVE_UP_MS = 30 * 86_400_000;
const SYSTEM = { kind: 'system' as const, subject: 'transfer-receipts', role: null };

/**
 * The acknowledgements' outbox on the receiving side: each decision's signed receipt goes to the
 * sender (`POST {peer}/v1/transfers/receipts`) with retries and backoff. The receipt was committed
 * with the decision, so a receiver killed right after accepting still sends it after its restart;
 * the sender takes a receipt it already has as a no-op, so it arrives, in effect, exactly once.
 */
@Injectable()
export class ReceiptOutbox implements OnModuleInit, OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('ReceiptOutbox');
  private readonly pump: OutboxPump;
  private readonly leaseMs: number;

  constructor(
    private readonly repository: InboxRepository,
    private readonly peers: Peers,
    private readonly client: PeerClient,
    private readonly audit: AuditService,
    private readonly kommuner: KommunerService,
    private readonly queue: JobQueue,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.leaseMs = 2 * config.TRANSFER_DELIVERY_TIMEOUT_MS + 1000;
    this.pump = new OutboxPump(
      RECEIPTS_QUEUE,
      queue,
      config.JOBS_WORKER === 'on',
      (k) => this.step(k),
      (k) => this.repository.nextReceiptDue(k),
      2,
    );
  }

  onModuleInit(): void {
    this.queue.register<{ kommunCode: string }>(RECEIPTS_QUEUE, (d) => this.pump.drain(d.kommunCode), {
      heartbeatSeconds: 60,
    });
  }

  onApplicationBootstrap(): void {
    if (this.config.JOBS_WORKER !== 'on') return;
    void this.kommuner.list().then(
      (all) => all.forEach((k) => this.pump.kick(k.code)),
      (err: unknown) => this.logger.error({ err: loggableError(err) }, 'could not resume acknowledgements'),
    );
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.client.stop();
    await this.pump.stop();
  }

  kick(kommunCode: string): void {
    this.pump.kick(kommunCode);
  }

  private async step(kommunCode: string): Promise<number> {
    const rows = await this.repository.claimReceipts(kommunCode, CLAIM, this.leaseMs);
    await inParallel(rows, this.config.TRANSFER_CONCURRENCY, (r) => this.send(kommunCode, r));
    return rows.length;
  }

  private async send(kommunCode: string, row: InboxRow): Promise<void> {
    const attempt = row.receiptAttempts + 1;
    const base = {
      kommunCode,
      actor: SYSTEM,
      action: 'transfers:acknowledge',
      purpose: row.purpose,
      recipient: row.senderKommun,
      ...(row.recordId ? { pupilRecordIds: [row.recordId] } : {}),
    };
    const detail = { inboxId: row.id, jti: row.jti, outcome: row.state, attempt };
    const peerUrl = await this.peers.baseUrl(kommunCode, row.senderKommun);
    const result: PeerPostResult = peerUrl
      ? await this.client.post(`${peerUrl}/v1/transfers/receipts`, row.receipt!)
      : {
          kind: 'retry',
          error: { code: 'PEER_NOT_TRUSTED', detail: 'The sender is not a trusted peer now.' },
        };
    if (result.kind === 'ok') {
      await this.repository.receiptSent(kommunCode, row.id);
      await this.audit.record({ ...base, outcome: 'succeeded', detail });
      return;
    }
    const decidedAt = row.decidedAt ? new Date(row.decidedAt).getTime() : Date.now();
    if (result.kind === 'refused' || Date.now() - decidedAt > GIVE_UP_MS) {
      const error =
        result.kind === 'refused' ? { ...result.problem, status: result.status } : { ...result.error };
      await this.repository.receiptFailed(kommunCode, row.id, error);
      await this.audit.record({ ...base, outcome: 'failed', detail: { ...detail, gaveUp: true } });
      return;
    }
    const wait = Math.max(
      retryDelayMs(attempt, this.config.TRANSFER_RETRY_BASE_MS, this.config.TRANSFER_RETRY_MAX_MS),
      result.retryAfterMs ?? 0,
    );
    const at = new Date(Date.now() + wait);
    await this.repository.receiptRetry(kommunCode, row.id, at, {
      ...result.error,
      at: new Date().toISOString(),
    });
    await this.audit.record({
      ...base,
      outcome: 'failed',
      detail: { ...detail, code: result.error.code, retryAt: at.toISOString() },
    });
  }
}
