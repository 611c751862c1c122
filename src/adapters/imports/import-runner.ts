import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleInit } from '@nestjs/common';
import { APP_CONFIG } from '../../config/config.module';
import type { AppConfig } from '../../config/env.schema';
import { createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { DomainError } from '../../common/problem/domain-error';
import { loggableError } from '../../common/problem/error-mapping';
import { problemDocument } from '../../common/problem/problem';
import { TenantDb } from '../../database/tenant-db';
import { JobQueue } from '../../jobs/job-queue.service';
import { KommunerService } from '../../kommuner/kommuner.service';
import { processHeapFlagMb } from '../../jobs/worker-thread';
import { ADAPTER_PROBLEMS } from '../adapters.errors';
import { findAdapter } from '../registry';
import type { ConversionSpec } from './conversion';
import { convertInWorker } from './conversion-thread';
import { ImportJobRow, ImportJobsRepository } from './import-jobs.repository';

export const IMPORT_QUEUE = 'import';
const STAGE_BATCH = 200;
/** Records an import must write before the planner's statistics are refreshed (see refreshStatistics). */
const ANALYZE_AFTER = 1000;

/**
 * Runs an import job, resumably: the adapter's items are staged in input order with the job's
 * progress, and a restarted job skips what is staged; nothing reaches the learner records until
 * every item is staged, checked and counted, and then all of it goes in one transaction. A file
 * that cannot be read as a whole fails the job with the place and writes nothing; one bad pupil is
 * a rejected item. Before writing, the deletion threshold: an import that would delete or end more
 * than the set share of the kommun's pupils stops unless the caller confirmed it (a corrupted
 * header or the wrong encoding must never wipe a kommun).
 */
@Injectable()
export class ImportRunner implements OnModuleInit, OnApplicationBootstrap {
  private readonly logger = new Logger('ImportRunner');

  constructor(
    private readonly repository: ImportJobsRepository,
    private readonly db: TenantDb,
    private readonly queue: JobQueue,
    private readonly kommuner: KommunerService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    const flag = processHeapFlagMb();
    if (flag !== undefined && flag !== this.config.CONVERSION_WORKER_HEAP_MB)
      this.logger.warn(
        `CONVERSION_WORKER_HEAP_MB=${this.config.CONVERSION_WORKER_HEAP_MB} has no effect: node runs with ` +
          `--max-old-space-size=${flag}, which V8 applies to the conversion threads too; change that instead`,
      );
    this.queue.register<{ jobId: string; kommunCode: string }>(
      IMPORT_QUEUE,
      (data) => this.run(data.kommunCode, data.jobId),
      {
        heartbeatSeconds: 10,
      },
    );
  }

  /**
   * After a crash, pg-boss hands an abandoned job out again only once its heartbeat has expired
   * and its monitor has run; a starting instance queues the stalled jobs at once (without holding
   * up the start). The job id is the queue's singleton key, and `conclude` locks the job row, so a
   * job queued twice still comes to one outcome.
   */
  onApplicationBootstrap(): void {
    void this.requeueStalled().catch((err: unknown) =>
      this.logger.error({ err: loggableError(err) }, 'could not look for stalled imports'),
    );
  }

  /** `cancel`: the job stops at its next batch and fails as cancelled, with nothing written. */
  private async requeueStalled(): Promise<void> {
    for (const kommun of await this.kommuner.list())
      for (const job of await this.repository.stalledJobs(kommun.code, this.config.JOB_STALL_SECONDS))
        await this.queue.send(IMPORT_QUEUE, { jobId: job.id, kommunCode: job.kommunCode }, job.id);
  }

  async run(kommunCode: string, jobId: string, cancel?: AbortSignal): Promise<void> {
    const job = await this.repository.findJob(kommunCode, jobId);
    if (!job || job.state === 'succeeded' || job.state === 'failed' || job.state === 'refused') return;
    await this.repository.markRunning(kommunCode, jobId);
    const dir = mkdtempSync(join(tmpdir(), 'portabel-import-'));
    try {
      const path = join(dir, 'input');
      await pipeline(
        Readable.from(this.repository.fileChunks(kommunCode, jobId)),
        createWriteStream(path, { mode: 0o600 }),
      );
      try {
        await this.stageAll(job, path, cancel);
        if (cancel?.aborted) throw cancelled();
      } catch (err) {
        if (err instanceof DomainError) return await this.fail(job, 'failed', err);
        throw err; // a database or programming fault: the queue retries, and staging resumes
      }
      const written = await this.conclude(job);
      if (written >= ANALYZE_AFTER) await this.refreshStatistics(job.id);
    } catch (err) {
      this.logger.error({ err: loggableError(err), jobId }, 'import attempt failed; it will be retried');
      throw err;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  private async stageAll(job: ImportJobRow, path: string, cancel?: AbortSignal): Promise<void> {
    const spec: ConversionSpec = {
      adapter: job.adapter,
      path,
      size: statSync(path).size,
      fileName: job.fileName ?? undefined,
      mediaType: job.mediaType ?? undefined,
      kommunCode: job.kommunCode,
      platformId: job.sourcePlatform,
      options: job.options,
      now: new Date(job.createdAt).toISOString(),
      resumeAfter: await this.repository.stagedCount(job.kommunCode, job.id),
      batchSize: STAGE_BATCH,
    };
    // One batch is written while the worker converts the next ones (PostgreSQL and the worker use the
    // other core). Batches still go in one at a time and in order, so what is staged stays a prefix
    // of the input to resume from.
    let writing: Promise<void> = Promise.resolve();
    for await (const items of convertInWorker(spec, { heapMb: this.config.CONVERSION_WORKER_HEAP_MB })) {
      await writing;
      if (cancel?.aborted) break; // ends the conversion thread
      writing = this.repository.stage(job.kommunCode, job.id, items);
      // Observed here so a failure waits, unreported, for the next await of `writing`, which rethrows it.
      writing.catch(() => undefined);
    }
    await writing;
  }

  /** Concludes the job; the number of learner records it wrote (created, updated or deleted). */
  private async conclude(job: ImportJobRow): Promise<number> {
    return this.db.transaction(job.kommunCode, async (tx) => {
      const [current] = await tx.query<{ state: string }>(
        `SELECT state FROM import_jobs WHERE id = $1 FOR UPDATE`,
        [job.id],
      );
      if (current?.state !== 'running') return 0; // another attempt concluded it meanwhile
      // A snapshot is the platform's whole set: its pupils' sections are replaced, never added to.
      const accumulating = findAdapter(job.adapter)?.accumulates ?? [];
      if (job.mode === 'delta' && accumulating.length > 0)
        await this.repository.accumulate(tx, job, accumulating);
      const plan = await this.repository.plan(tx, job);
      const counts = {
        created: plan.created,
        updated: plan.updated,
        unchanged: plan.unchanged,
        rejected: plan.rejected,
        deleted: plan.deleted,
      };
      const total = plan.created + plan.updated + plan.unchanged + plan.rejected + plan.deleted;
      const share = plan.liveBefore > 0 ? plan.deleted / plan.liveBefore : 0;
      if (share > job.deletionThreshold && !job.confirmDeletions) {
        const detail =
          `The import would delete or end ${plan.deleted} of the kommun's ${plan.liveBefore} pupils ` +
          `(${Math.round(share * 100)} %, more than the ${Math.round(job.deletionThreshold * 100)} % allowed). Nothing was written. ` +
          'If that is right, import again with confirmDeletions=true.';
        const problem = problemDocument(
          ADAPTER_PROBLEMS.deletionThreshold,
          'IMPORT.DELETION_THRESHOLD',
          detail,
        );
        await this.repository.finish(tx, job.kommunCode, job.id, 'refused', {
          counts,
          loss: plan.loss,
          problem: { ...problem },
          total,
        });
        return 0;
      }
      let written = 0;
      if (!job.dryRun) {
        const applied = await this.repository.apply(tx, job);
        Object.assign(counts, applied);
        written = applied.created + applied.updated + applied.deleted;
      }
      await this.repository.finish(tx, job.kommunCode, job.id, 'succeeded', {
        counts,
        loss: plan.loss,
        total,
      });
      return written;
    });
  }

  /** After the job has succeeded: its outcome stands whether or not the statistics could be refreshed. */
  private async refreshStatistics(jobId: string): Promise<void> {
    try {
      await this.repository.refreshStatistics();
    } catch (err) {
      this.logger.warn(
        { err: loggableError(err), jobId },
        "could not refresh the learner records' statistics",
      );
    }
  }

  private async fail(job: ImportJobRow, state: 'failed', err: DomainError): Promise<void> {
    const problem = problemDocument(err.problem, err.code, err.detail, { errors: err.errors });
    await this.db.transaction(job.kommunCode, async (tx) => {
      await tx.query(`DELETE FROM import_staging WHERE job_id = $1`, [job.id]);
      await this.repository.finish(tx, job.kommunCode, job.id, state, { problem: { ...problem } });
    });
  }
}

function cancelled(): DomainError {
  return new DomainError(
    ADAPTER_PROBLEMS.importCancelled,
    'IMPORT.CANCELLED',
    'The import was stopped (Ctrl-C at the command line) before anything was written. Start it again to import the file.',
  );
}
