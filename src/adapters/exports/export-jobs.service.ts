import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { APP_CONFIG } from '../../config/config.module';
import type { AppConfig } from '../../config/env.schema';
import { isUuid } from '../../common/http/uuid';
import type { FastifyReply } from 'fastify';
import { DomainError } from '../../common/problem/domain-error';
import { loggableError } from '../../common/problem/error-mapping';
import { problemDocument } from '../../common/problem/problem';
import { Sql, sql } from '../../database/sql';
import { TenantDb } from '../../database/tenant-db';
import { JobQueue } from '../../jobs/job-queue.service';
import { KeysService } from '../../keys/keys.service';
import { KommunerService } from '../../kommuner/kommuner.service';
import type { AuditActor } from '../../audit/audit.service';
import type { Purpose } from '../../consent/purposes';
import { ADAPTER_PROBLEMS, adapterNotFound } from '../adapters.errors';
import { PlatformsService } from '../platforms/platforms.service';
import { findAdapter } from '../registry';
import { LOSS_REPORT_VERSION, LossLog, type LossReport } from '../shared/loss-log';
import type { LossEntry } from '../vendor-adapter.port';
import { ExportFilesRepository } from './export-files.repository';
import { ExportRecordSource } from './export-record.source';
import { exportInWorker } from './export-thread';

export const EXPORT_QUEUE = 'export';
const MAX_LISTED_LOSSES = 10_000;

interface ExportRow {
  id: string;
  kommunCode: string;
  platformId: string | null;
  adapter: string;
  options: Record<string, unknown>;
  schoolUnit: string | null;
  state: 'queued' | 'running' | 'succeeded' | 'failed';
  recordCount: number;
  withheldCount: number;
  requestedBy: AuditActor;
  purpose: Purpose;
  recipient: string | null;
  /** The report with its first entries (legacy rows and queued jobs: a plain list). */
  loss: LossReport | LossEntry[];
  lossCount: number;
  mediaType: string | null;
  fileName: string | null;
  size: string | null;
  sha256: string | null;
  problem: Record<string, unknown> | null;
  createdAt: Date;
  finishedAt: Date | null;
  expiresAt: Date;
  /** The sections the requester may see (a platform's grant); null: all. */
  sections: string[] | null;
}

const COLUMNS =
  new Sql(`id, kommun_code AS "kommunCode", platform_id AS "platformId", adapter, options, school_unit AS "schoolUnit",
  state, record_count AS "recordCount", withheld_count AS "withheldCount", requested_by AS "requestedBy", purpose, recipient, loss, loss_count AS "lossCount", media_type AS "mediaType", file_name AS "fileName",
  size, sha256, problem, created_at AS "createdAt", finished_at AS "finishedAt", expires_at AS "expiresAt", sections`);

export interface ExportJobResource {
  id: string;
  kommunCode: string;
  adapter: string;
  platformId: string | null;
  schoolUnit: string | null;
  state: ExportRow['state'];
  recordCount: number;
  /** The decision point's verdicts: the purpose and recipient it decided for, and the pupils of whom nothing went. */
  disclosure: { purpose: Purpose; recipient: string | null; withheld: number };
  /** The loss report with the first 10,000 entries; the complete one is in the bundle and at `file.lossReport`. */
  loss: LossReport;
  file: {
    name: string;
    mediaType: string;
    size: number;
    sha256: string;
    href: string;
    lossReport: string;
  } | null;
  problem: Record<string, unknown> | null;
  createdAt: string;
  finishedAt: string | null;
  expiresAt: string;
}

const toResource = (r: ExportRow): ExportJobResource => ({
  id: r.id,
  kommunCode: r.kommunCode,
  adapter: r.adapter,
  platformId: r.platformId,
  schoolUnit: r.schoolUnit,
  state: r.state,
  recordCount: r.recordCount,
  disclosure: { purpose: r.purpose, recipient: r.recipient, withheld: r.withheldCount },
  loss: Array.isArray(r.loss)
    ? {
        ...reportHead(r),
        count: r.lossCount,
        byKind: {},
        complete: r.lossCount <= r.loss.length,
        entries: r.loss,
      }
    : r.loss,
  file:
    r.state === 'succeeded'
      ? {
          name: r.fileName!,
          mediaType: r.mediaType!,
          size: Number(r.size),
          sha256: r.sha256!,
          href: `/v1/kommuner/${r.kommunCode}/exports/${r.id}/file`,
          lossReport: `/v1/kommuner/${r.kommunCode}/exports/${r.id}/loss-report`,
        }
      : null,
  problem: r.problem,
  createdAt: r.createdAt.toISOString(),
  finishedAt: r.finishedAt?.toISOString() ?? null,
  expiresAt: r.expiresAt.toISOString(),
});

const reportHead = (r: ExportRow) => ({
  meta: {
    schemaVersion: LOSS_REPORT_VERSION,
    createdAt: r.createdAt.toISOString(),
    generator: `portabel ${r.adapter}@${findAdapter(r.adapter)?.version ?? 'unknown'}`,
  },
  direction: 'export' as const,
  adapter: r.adapter,
});

/**
 * Exports of a school unit or a whole kommun in any writable format, as background jobs with a
 * download (synchronous exports of 20–25k records time out in many systems). Records are read a
 * page at a time and streamed through the adapter; the output is stored in PostgreSQL in 1 MB
 * pieces, so any instance can serve the download.
 */
@Injectable()
export class ExportJobsService implements OnModuleInit {
  private readonly logger = new Logger('ExportJobs');

  constructor(
    private readonly db: TenantDb,
    private readonly files: ExportFilesRepository,
    private readonly kommuner: KommunerService,
    private readonly platforms: PlatformsService,
    private readonly keys: KeysService,
    private readonly queue: JobQueue,
    private readonly source: ExportRecordSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.queue.register<{ jobId: string; kommunCode: string }>(EXPORT_QUEUE, (d) =>
      this.run(d.kommunCode, d.jobId),
    );
  }

  /**
   * Queues an export. `requestedBy` is the actor of every disclosure decision the job makes;
   * `recipient` the calling platform's name when a platform asks for a file without naming a
   * registration (a platform that downloads is the one that receives).
   */
  async start(
    kommunCode: string,
    req: {
      format?: string;
      platformId?: string;
      schoolUnit?: string;
      recipient?: string;
      /** Only these sections go out (the requesting platform's grant); all when absent. */
      sections?: readonly string[];
    },
    requestedBy: AuditActor,
  ): Promise<ExportJobResource> {
    await this.kommuner.assertExists(kommunCode);
    const platform = req.platformId ? await this.platforms.get(kommunCode, req.platformId) : undefined;
    const name = platform?.adapter ?? req.format;
    if (!name) {
      const detail = 'Name the format (an adapter, see GET /v1/adapters) or a platform registration.';
      throw new DomainError(ADAPTER_PROBLEMS.directionUnsupported, 'EXPORT.FORMAT_REQUIRED', detail, [
        { pointer: '/format', detail },
      ]);
    }
    const adapter = findAdapter(name);
    if (!adapter) throw adapterNotFound(name);
    if (!adapter.export) {
      throw new DomainError(
        ADAPTER_PROBLEMS.directionUnsupported,
        'EXPORT.UNSUPPORTED',
        `Adapter ${adapter.name} cannot export.`,
      );
    }
    if (req.schoolUnit) await this.kommuner.getSchoolUnit(kommunCode, req.schoolUnit);
    // Every adapter export is a disclosure for provisioning a learning platform, the purpose these
    // interchange formats exist for: to the registered platform by its name, or else to no named
    // recipient, which is the narrowest reading (a consent given for one named platform does not
    // cover a file that may go anywhere, and support measures never go). Moves to another school
    // and a pupil's own copy are other outflows (transfers, /me/exports), decided for their purposes.
    const recipient = platform?.name ?? req.recipient ?? null;
    const [row] = await this.db.once<ExportRow>(
      kommunCode,
      sql`INSERT INTO export_jobs (kommun_code, platform_id, adapter, options, school_unit, requested_by, purpose, recipient, sections)
          VALUES (${kommunCode}, ${platform?.id ?? null}, ${adapter.name}, ${JSON.stringify(platform?.options ?? {})}::jsonb, ${req.schoolUnit ?? null},
                  ${JSON.stringify(requestedBy)}::jsonb, ${'provisioning'}, ${recipient}, ${req.sections ? [...req.sections] : null}::text[])
          RETURNING ${COLUMNS}`,
    );
    await this.queue.send(EXPORT_QUEUE, { jobId: row.id, kommunCode }, row.id);
    return toResource(row);
  }

  /** `visibleTo`: a platform's name; to it, exports made for another recipient do not exist. */
  async get(kommunCode: string, id: string, visibleTo?: string): Promise<ExportJobResource> {
    return toResource(await this.find(kommunCode, id, visibleTo));
  }

  /** The kommun's export jobs, newest first (the registrar's list). */
  async list(kommunCode: string, limit: number): Promise<ExportJobResource[]> {
    await this.kommuner.assertExists(kommunCode);
    const rows = await this.db.once<ExportRow>(
      kommunCode,
      sql`SELECT ${COLUMNS} FROM export_jobs WHERE kommun_code = ${kommunCode} ORDER BY created_at DESC, id LIMIT ${limit}`,
    );
    return rows.map(toResource);
  }

  /**
   * Streams the finished file, a piece at a time; a `Link` header points at its loss report (for
   * single-document formats, which have no place for one, the only way it travels).
   */
  async download(
    kommunCode: string,
    id: string,
    reply: FastifyReply,
    visibleTo?: string,
  ): Promise<AsyncGenerator<Buffer>> {
    const job = await this.finished(kommunCode, id, visibleTo);
    void reply
      .type(job.mediaType!)
      .header('content-length', String(job.size))
      .header('content-disposition', `attachment; filename="${job.fileName}"`)
      .header('digest', `sha-256=${Buffer.from(job.sha256!, 'hex').toString('base64')}`)
      .header(
        'link',
        `</v1/kommuner/${kommunCode}/exports/${id}/loss-report>; rel="describedby"; type="application/json"`,
      );
    return this.files.read(kommunCode, id, 'file');
  }

  /** The complete loss report of a finished export (every entry, as in the bundle), streamed. */
  async lossReport(
    kommunCode: string,
    id: string,
    reply: FastifyReply,
    visibleTo?: string,
  ): Promise<AsyncGenerator<Buffer>> {
    await this.finished(kommunCode, id, visibleTo);
    void reply
      .type('application/json')
      .header('content-disposition', `attachment; filename="loss-report-${id}.json"`);
    return this.files.read(kommunCode, id, 'loss-report');
  }

  async run(kommunCode: string, id: string): Promise<void> {
    const job = await this.find(kommunCode, id);
    if (job.state === 'succeeded' || job.state === 'failed') return;
    // A retried job starts over: its earlier pieces go first.
    await this.files.clear(kommunCode, id);
    await this.db.once(kommunCode, sql`UPDATE export_jobs SET state = 'running' WHERE id = ${id}::uuid`);
    const adapter = findAdapter(job.adapter)!;
    const counts = { released: 0, withheld: 0 };
    const now = new Date(job.createdAt);
    const log = new LossLog(reportHead(job), MAX_LISTED_LOSSES);
    try {
      const ctx = {
        kommunCode,
        platformId: job.platformId ?? adapter.name,
        options: job.options,
        now,
        loss: (e: LossEntry) => log.add(e),
        lossReport: () => log.document(),
        signer: this.keys.signer(kommunCode),
      };
      const records = this.source.released(kommunCode, job, ctx.loss, counts);
      const spec = {
        adapter: adapter.name,
        kommunCode,
        platformId: ctx.platformId,
        options: ctx.options,
        now: now.toISOString(),
        signerIssuer: ctx.signer.issuer,
        sections: job.sections,
      };
      const output = exportInWorker(spec, records, ctx, this.config.CONVERSION_WORKER_HEAP_MB);
      const file = await this.files.store(kommunCode, id, 'file', output);
      await this.files.store(kommunCode, id, 'loss-report', log.document());
      const format = adapter.exportFormat ?? {
        mediaType: adapter.mediaTypes.export[0] ?? 'application/octet-stream',
        extension: 'bin',
      };
      const fileName = `portabel-${kommunCode}${job.schoolUnit ? `-${job.schoolUnit}` : ''}-${adapter.name}-${now.toISOString().slice(0, 10)}.${format.extension}`;
      const summary = log.summary();
      await this.db.once(
        kommunCode,
        sql`UPDATE export_jobs SET state = 'succeeded', record_count = ${counts.released}, withheld_count = ${counts.withheld},
              loss = ${JSON.stringify(summary)}::jsonb, loss_count = ${summary.count}, media_type = ${format.mediaType},
              file_name = ${fileName}, size = ${file.size}, sha256 = ${file.sha256}, finished_at = now()
            WHERE id = ${id}::uuid`,
      );
    } catch (err) {
      if (!(err instanceof DomainError)) {
        this.logger.error(
          { err: loggableError(err), jobId: id },
          'export attempt failed; it will be retried',
        );
        throw err;
      }
      const problem = problemDocument(err.problem, err.code, err.detail, { errors: err.errors });
      await this.db.once(
        kommunCode,
        sql`UPDATE export_jobs SET state = 'failed', problem = ${JSON.stringify(problem)}::jsonb, finished_at = now() WHERE id = ${id}::uuid`,
      );
    } finally {
      log.dispose();
    }
  }

  private async finished(kommunCode: string, id: string, visibleTo?: string): Promise<ExportRow> {
    const job = await this.find(kommunCode, id, visibleTo);
    if (job.state !== 'succeeded') {
      throw new DomainError(
        ADAPTER_PROBLEMS.exportNotReady,
        'EXPORT.NOT_READY',
        `The export is ${job.state}.`,
      );
    }
    // Pupils' data is not kept longer than the export promised (the hourly purge deletes the file).
    if (job.expiresAt.getTime() <= Date.now())
      throw new DomainError(
        ADAPTER_PROBLEMS.exportExpired,
        'EXPORT.EXPIRED',
        `The export expired at ${job.expiresAt.toISOString()} and its file is deleted. Start a new export.`,
      );
    return job;
  }

  /**
   * Deletes the files (and complete loss reports) of a kommun's expired exports; the jobs stay, as
   * the record of what was disclosed. The number of exports whose files went.
   */
  async purgeExpiredFiles(kommunCode: string): Promise<number> {
    const rows = await this.db.once<{ n: number }>(
      kommunCode,
      sql`WITH gone AS (
            DELETE FROM export_file_chunks c USING export_jobs j
             WHERE c.job_id = j.id AND j.kommun_code = ${kommunCode} AND j.expires_at <= now()
             RETURNING c.job_id)
          SELECT count(DISTINCT job_id)::int AS n FROM gone`,
    );
    return rows[0]?.n ?? 0;
  }

  private async find(kommunCode: string, id: string, visibleTo?: string): Promise<ExportRow> {
    await this.kommuner.assertExists(kommunCode);
    const [row] = isUuid(id)
      ? await this.db.once<ExportRow>(
          kommunCode,
          sql`SELECT ${COLUMNS} FROM export_jobs WHERE kommun_code = ${kommunCode} AND id = ${id}::uuid`,
        )
      : [];
    if (!row || (visibleTo !== undefined && row.recipient !== visibleTo))
      throw new DomainError(
        ADAPTER_PROBLEMS.exportNotFound,
        'EXPORT.NOT_FOUND',
        `No export ${id} in this kommun.`,
      );
    return row;
  }
}
