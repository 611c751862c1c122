import { Inject, Injectable } from '@nestjs/common';
import { isUuid } from '../../common/http/uuid';
import { createHash } from 'node:crypto';
import {
  createReadStream,
  createWriteStream,
  mkdtempSync,
  openSync,
  readSync,
  closeSync,
  rmSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { APP_CONFIG } from '../../config/config.module';
import type { AppConfig } from '../../config/env.schema';
import { decodeCursor, encodeCursor } from '../../common/http/cursor';
import { DomainError } from '../../common/problem/domain-error';
import { PROBLEMS } from '../../common/problem/problem-types';
import { JobQueue } from '../../jobs/job-queue.service';
import { KommunerService } from '../../kommuner/kommuner.service';
import { ADAPTER_PROBLEMS, adapterNotFound } from '../adapters.errors';
import { PlatformsService } from '../platforms/platforms.service';
import { ADAPTERS, findAdapter } from '../registry';
import { ImportJobRow, ImportJobsRepository, type StagedKind } from './import-jobs.repository';
import { IMPORT_QUEUE } from './import-runner';

export interface StartImport {
  format?: string;
  platformId?: string;
  dryRun: boolean;
  mode: 'delta' | 'snapshot';
  confirmDeletions: boolean;
  fileName?: string;
  mediaType?: string;
  /**
   * The caller runs the job itself (the CLI on the local database) instead of the queue, so that a
   * service on the same database does not convert it a second time. Should the caller die, a
   * starting instance finds the job stalled and runs it.
   */
  runByCaller?: boolean;
}

export interface ImportJobResource {
  id: string;
  kommunCode: string;
  state: ImportJobRow['state'];
  adapter: string;
  platformId: string | null;
  sourcePlatform: string;
  dryRun: boolean;
  mode: 'delta' | 'snapshot';
  confirmDeletions: boolean;
  file: { name: string | null; mediaType: string | null; size: number; sha256: string };
  progress: { processed: number; total: number | null };
  counts: Record<string, number>;
  loss: Record<string, number>;
  problem: Record<string, unknown> | null;
  attempts: number;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

export const toImportResource = (j: ImportJobRow): ImportJobResource => ({
  id: j.id,
  kommunCode: j.kommunCode,
  state: j.state,
  adapter: j.adapter,
  platformId: j.platformId,
  sourcePlatform: j.sourcePlatform,
  dryRun: j.dryRun,
  mode: j.mode,
  confirmDeletions: j.confirmDeletions,
  file: { name: j.fileName, mediaType: j.mediaType, size: Number(j.size), sha256: j.sha256 },
  progress: { processed: j.processed, total: j.total },
  counts: j.counts,
  loss: j.lossSummary,
  problem: j.problem,
  attempts: j.attempts,
  createdAt: j.createdAt.toISOString(),
  startedAt: j.startedAt?.toISOString() ?? null,
  finishedAt: j.finishedAt?.toISOString() ?? null,
});

/**
 * Starting and following imports. The upload is streamed to a temporary file (hashed on the way),
 * its format taken from the platform registration, the request or the bytes themselves, then stored
 * in PostgreSQL with the job and handed to the durable queue.
 */
@Injectable()
export class ImportJobsService {
  constructor(
    private readonly repository: ImportJobsRepository,
    private readonly kommuner: KommunerService,
    private readonly platforms: PlatformsService,
    private readonly queue: JobQueue,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async start(kommunCode: string, body: Readable, req: StartImport): Promise<ImportJobResource> {
    await this.kommuner.assertExists(kommunCode);
    const platform = req.platformId ? await this.platforms.get(kommunCode, req.platformId) : undefined;
    // The registration names the adapter; a different ?format= is a mistake to point at, not to overrule.
    if (platform && req.format !== undefined && findAdapter(req.format)?.name !== platform.adapter) {
      const detail = `Platform ${platform.name} speaks ${platform.adapter}, not ${req.format}: leave out format, or import without the platform.`;
      throw new DomainError(PROBLEMS.validationFailed, 'IMPORT.FORMAT_CONFLICT', detail, [
        { parameter: 'format', detail },
      ]);
    }
    const dir = mkdtempSync(join(tmpdir(), 'portabel-upload-'));
    try {
      const path = join(dir, 'upload');
      const { size, sha256 } = await this.receive(body, path);
      if (size === 0)
        throw new DomainError(PROBLEMS.malformedRequest, 'IMPORT.EMPTY', 'The uploaded file is empty.');
      const adapterName = platform?.adapter ?? req.format ?? this.sniff(path, req.fileName);
      const adapter = findAdapter(adapterName);
      if (!adapter) throw adapterNotFound(adapterName);
      if (!adapter.import) {
        throw new DomainError(
          ADAPTER_PROBLEMS.directionUnsupported,
          'IMPORT.UNSUPPORTED',
          `Adapter ${adapter.name} cannot import.`,
        );
      }
      const job = await this.repository.insertJob(
        kommunCode,
        {
          platformId: platform?.id ?? null,
          sourcePlatform: platform?.name ?? adapter.name,
          adapter: adapter.name,
          options: platform?.options ?? {},
          fileName: req.fileName ?? null,
          mediaType: req.mediaType ?? null,
          size,
          sha256,
          dryRun: req.dryRun,
          mode: req.mode,
          confirmDeletions: req.confirmDeletions,
          deletionThreshold: this.config.DELETION_THRESHOLD,
        },
        createReadStream(path, { highWaterMark: 1024 * 1024 }),
      );
      if (!req.runByCaller) await this.queue.send(IMPORT_QUEUE, { jobId: job.id, kommunCode }, job.id);
      return toImportResource(job);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  async get(kommunCode: string, id: string): Promise<ImportJobResource> {
    return toImportResource(await this.find(kommunCode, id));
  }

  async list(
    kommunCode: string,
    limit: number,
    cursor?: string,
  ): Promise<{ data: ImportJobResource[]; nextCursor: string | null }> {
    await this.kommuner.assertExists(kommunCode);
    const before = decodeCursor('imports', cursor, isUuid);
    const rows = await this.repository.listJobs(kommunCode, limit + 1, before);
    const page = rows.slice(0, limit);
    return {
      data: page.map(toImportResource),
      nextCursor: rows.length > limit ? encodeCursor('imports', page[page.length - 1].id) : null,
    };
  }

  async items(kommunCode: string, id: string, cursor: string | undefined, limit: number, kind?: StagedKind) {
    const job = await this.find(kommunCode, id);
    const after = Number(decodeCursor('import-items', cursor, (p) => /^[0-9]{1,9}$/.test(p)) ?? '0');
    const rows = await this.repository.items(kommunCode, job, after, limit + 1, kind);
    const page = rows.slice(0, limit);
    return {
      data: page,
      nextCursor:
        rows.length > limit ? encodeCursor('import-items', String(page[page.length - 1].seq)) : null,
    };
  }

  private async find(kommunCode: string, id: string): Promise<ImportJobRow> {
    await this.kommuner.assertExists(kommunCode);
    const job = isUuid(id) ? await this.repository.findJob(kommunCode, id) : undefined;
    if (!job)
      throw new DomainError(
        ADAPTER_PROBLEMS.importNotFound,
        'IMPORT.NOT_FOUND',
        `No import ${id} in this kommun.`,
      );
    return job;
  }

  /** Streams the body to `path`, hashing it, refusing (413) past IMPORT_MAX_BYTES. */
  private async receive(body: Readable, path: string): Promise<{ size: number; sha256: string }> {
    const hash = createHash('sha256');
    let size = 0;
    const limit = this.config.IMPORT_MAX_BYTES;
    const meter = new Transform({
      transform(chunk: Buffer, _enc, done) {
        size += chunk.length;
        if (size > limit)
          return done(
            new DomainError(
              PROBLEMS.payloadTooLarge,
              'IMPORT.TOO_LARGE',
              `The file is larger than ${limit} bytes.`,
            ),
          );
        hash.update(chunk);
        done(null, chunk);
      },
    });
    await pipeline(body, meter, createWriteStream(path, { mode: 0o600 }));
    return { size, sha256: hash.digest('hex') };
  }

  /** The adapter most sure of the first 64 KB, or a 422 when none is sure enough. */
  private sniff(path: string, fileName?: string): string {
    const fd = openSync(path, 'r');
    const head = Buffer.alloc(64 * 1024);
    const n = readSync(fd, head, 0, head.length, 0);
    closeSync(fd);
    const scored = ADAPTERS.filter((a) => a.import && a.sniff)
      .map((a) => ({ name: a.name, score: a.sniff!(head.subarray(0, n), fileName) }))
      .sort((a, b) => b.score - a.score);
    if (!scored[0] || scored[0].score < 0.5) {
      throw new DomainError(
        ADAPTER_PROBLEMS.formatUnknown,
        'IMPORT.FORMAT_UNKNOWN',
        'The file is not in a format portabel recognises. Name it with ?format= (GET /v1/adapters lists them) or register the platform.',
      );
    }
    return scored[0].name;
  }
}
