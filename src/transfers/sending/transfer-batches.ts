import {
  BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnModuleInit,
} from '@nestjs/common';
import { APP_CONFIG } from '../../config/config.module';
import type { AppConfig } from '../../config/env.schema';
import type { AccessContext } from '../../auth/access.guard';
import { AuditService } from '../../audit/audit.service';
import { loggableError } from '../../common/problem/error-mapping';
import { TenantDb } from '../../database/tenant-db';
import { isUuid } from '../../common/http/uuid';
import { JobQueue } from '../../jobs/job-queue.service';
import { KommunerService } from '../../kommuner/kommuner.service';
import { RecordsService } from '../../records/records.service';
import { CreateBatchDto } from '../transfers.dto';
import { batchNotFound } from '../transfers.errors';
import { toBatchResource, TransferBatchResource } from './transfer.mapper';
import { TransferOutbox } from './transfer-outbox';
import { actorOfAccess } from '../../auth/access-audit';
import { TransfersService } from './transfers.service';
import { BatchRow, NewTransfer, TransfersRepository } from './transfers.repository';
import { DomainError } from '../../common/problem/domain-error';
import { PROBLEMS } from '../../common/problem/problem-types';

export const BATCH_QUEUE = 'transfer-batch';
const PAGE = 200;

/**
 * Many pupils at once (a class, or a whole school that closes): one job makes one transfer per
 * pupil, each its own package, and hands them to the outbox. The job can run again after a crash:
 * a pupil already in the batch is not added twice.
 */
@Injectable()
export class TransferBatches implements OnModuleInit, OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('TransferBatches');
  private resuming: Promise<void> = Promise.resolve();
  private stopping = false;

  constructor(
    private readonly repository: TransfersRepository,
    private readonly transfers: TransfersService,
    private readonly records: RecordsService,
    private readonly outbox: TransferOutbox,
    private readonly kommuner: KommunerService,
    private readonly audit: AuditService,
    private readonly queue: JobQueue,
    private readonly db: TenantDb,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.queue.register<{ kommunCode: string; batchId: string }>(
      BATCH_QUEUE,
      (d) => this.run(d.kommunCode, d.batchId),
      { heartbeatSeconds: 60 },
    );
  }

  /** Batches a crash left queued get their job again; a shutdown waits for that to end, and stops it early. */
  onApplicationBootstrap(): void {
    if (this.config.JOBS_WORKER !== 'on') return;
    this.resuming = this.resumeQueued().catch((err: unknown) => {
      if (!this.stopping) this.logger.error({ err: loggableError(err) }, 'could not resume transfer batches');
    });
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    await this.resuming;
  }

  private async resumeQueued(): Promise<void> {
    for (const k of await this.kommuner.list()) {
      if (this.stopping) return;
      for (const b of await this.repository.queuedBatches(k.code))
        await this.queue.send(BATCH_QUEUE, { kommunCode: k.code, batchId: b.id }, b.id);
    }
  }

  async start(
    kommunCode: string,
    dto: CreateBatchDto,
    access: AccessContext,
  ): Promise<TransferBatchResource> {
    if (!dto.recordIds === !dto.schoolUnit) {
      const detail = 'Name the pupils either by recordIds (a class) or by schoolUnit (a school), not both.';
      throw new DomainError(PROBLEMS.validationFailed, 'TRANSFER.BATCH_SELECTION', detail, [
        { pointer: '/recordIds', detail },
      ]);
    }
    await this.transfers.assertSendable(kommunCode, dto.receiverKommun);
    const selection = dto.recordIds
      ? { recordIds: [...new Set(dto.recordIds.map((id) => id.toLowerCase()))] }
      : {
          schoolUnit: dto.schoolUnit!,
          ...(dto.schoolYear !== undefined ? { schoolYear: dto.schoolYear } : {}),
        };
    const batch = await this.repository.insertBatch(kommunCode, {
      receiverKommun: dto.receiverKommun,
      receiverSchoolUnit: dto.receiverSchoolUnit ?? null,
      deliver: dto.deliver,
      selection,
      createdBy: access.principal.subject,
    });
    await this.audit.record({
      kommunCode,
      actor: actorOfAccess(access),
      action: 'transfers:batch',
      outcome: 'succeeded',
      purpose: 'transfer',
      recipient: dto.receiverKommun,
      detail: { batchId: batch.id, ...(selection.recordIds ? { pupils: selection.recordIds.length } : {}) },
    });
    // Made here at once; the queued job is the durable path (after a crash it finds the batch still
    // queued and makes it; otherwise it finds it made and does nothing).
    await this.queue.send(BATCH_QUEUE, { kommunCode, batchId: batch.id }, batch.id, {
      startAfter: new Date(Date.now() + (this.config.JOBS_WORKER === 'on' ? 30_000 : 0)),
    });
    if (this.config.JOBS_WORKER === 'on') {
      this.run(kommunCode, batch.id).catch((err: unknown) =>
        this.logger.error({ err: loggableError(err) }, 'transfer batch failed; its job retries it'),
      );
    }
    return toBatchResource(batch, {});
  }

  async get(kommunCode: string, id: string): Promise<TransferBatchResource> {
    await this.kommuner.assertExists(kommunCode);
    const batch = isUuid(id) ? await this.repository.findBatch(kommunCode, id) : undefined;
    if (!batch) throw batchNotFound(id);
    return toBatchResource(batch, await this.repository.batchCounts(kommunCode, id));
  }

  /** The job: one transfer per pupil of the batch, all in one transaction, then the outbox takes them. */
  async run(kommunCode: string, batchId: string): Promise<void> {
    const batch = await this.repository.findBatch(kommunCode, batchId);
    if (!batch || batch.state !== 'queued') return;
    const recordIds = await this.pupilsOf(kommunCode, batch);
    const rows: NewTransfer[] = recordIds.map((recordId) => ({
      recordId,
      purpose: 'transfer',
      receiverKommun: batch.receiverKommun,
      receiverSchoolUnit: batch.receiverSchoolUnit,
      deliver: batch.deliver,
      batchId: batch.id,
      createdBy: batch.createdBy,
      createdByRole: 'registrar',
    }));
    await this.db.transaction(kommunCode, async (tx) => {
      for (let i = 0; i < rows.length; i += 1000)
        await this.repository.insert(kommunCode, rows.slice(i, i + 1000), tx);
      await this.repository.batchCreated(tx, kommunCode, batch.id, rows.length);
    });
    this.outbox.kick(kommunCode);
  }

  /** The batch's pupils: those named (that exist here), or those enrolled at the school unit now. */
  private async pupilsOf(kommunCode: string, batch: BatchRow): Promise<string[]> {
    if (batch.selection.recordIds) {
      const found: string[] = [];
      const ids = batch.selection.recordIds;
      for (let i = 0; i < ids.length; i += PAGE) {
        // Read together: the record reader answers reads that arrive together with one query.
        const chunk = ids.slice(i, i + PAGE);
        const outcomes = await Promise.allSettled(chunk.map((id) => this.records.get(kommunCode, id)));
        outcomes.forEach((o, j) => {
          if (o.status === 'fulfilled') found.push(chunk[j]);
          else if (!(o.reason instanceof DomainError)) throw o.reason; // gone or deleted: not in the batch
        });
      }
      return found;
    }
    const ids: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.records.list(kommunCode, {
        limit: PAGE,
        cursor,
        schoolUnit: batch.selection.schoolUnit,
        schoolYear: batch.selection.schoolYear,
      });
      ids.push(...page.data.map((r) => r.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    return ids;
  }
}
