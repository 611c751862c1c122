import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { ExportJobsService } from '../adapters/exports/export-jobs.service';
import { AuditService, type AuditActor } from '../audit/audit.service';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/env.schema';
import { CATEGORY_OF_SECTION } from '../consent/categories';
import { ConsentPoliciesService } from '../consent/consent-policies.service';
import { JobQueue } from '../jobs/job-queue.service';
import { KommunerService } from '../kommuner/kommuner.service';
import type { LearnerRecord } from '../records/learner-record.types';
import { RecordRetentionService } from '../records/record-retention.service';
import { RecordsService } from '../records/records.service';
import { SubjectRequestsRepository } from './subject-requests.repository';

export const PURGE_QUEUE = 'retention-purge';
const HOUR_MS = 3_600_000;
const PAGE = 200;
const SYSTEM: AuditActor = { kind: 'system', subject: 'retention-purge', role: null };

/** `P5Y2M10D` after `from`; `keep` never. */
export function dueAt(from: Date, retention: string): Date | null {
  if (retention === 'keep') return null;
  const m = /^P(?:([0-9]+)Y)?(?:([0-9]+)M)?(?:([0-9]+)D)?$/.exec(retention);
  if (!m) return null;
  const d = new Date(from);
  d.setUTCFullYear(
    d.getUTCFullYear() + Number(m[1] ?? 0),
    d.getUTCMonth() + Number(m[2] ?? 0),
    d.getUTCDate() + Number(m[3] ?? 0),
  );
  return d;
}

/**
 * What is kept, and for how long: after a pupil's record is deleted (the pupil left, or asked for
 * erasure), each category's sections are purged when the kommun's retention for it falls due, and
 * the row itself once nothing is left; expired data-export packages go too, and the files of expired exports (`/exports`). Runs every hour as a job
 * (one per kommun and hour, whichever instance queues it first), and records what it removed.
 */
@Injectable()
export class RetentionPurge implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('RetentionPurge');
  private timer?: NodeJS.Timeout;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly retention: RecordRetentionService,
    private readonly records: RecordsService,
    private readonly policies: ConsentPoliciesService,
    private readonly requests: SubjectRequestsRepository,
    private readonly kommuner: KommunerService,
    private readonly audit: AuditService,
    private readonly queue: JobQueue,
    private readonly exportJobs: ExportJobsService,
  ) {
    this.queue.register<{ kommunCode: string }>(
      PURGE_QUEUE,
      async (d) => {
        await this.run(d.kommunCode);
      },
      { heartbeatSeconds: 120 },
    );
  }

  onApplicationBootstrap(): void {
    if (this.config.JOBS_WORKER === 'off') return;
    this.timer = setInterval(
      () => void this.schedule().catch((err: Error) => this.logger.warn(`purge not queued: ${err.message}`)),
      HOUR_MS,
    );
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** Queues this hour's purge of every kommun (the key makes it once per hour across instances). */
  async schedule(): Promise<void> {
    const hour = Math.floor(Date.now() / HOUR_MS);
    for (const k of await this.kommuner.list())
      await this.queue.send(PURGE_QUEUE, { kommunCode: k.code }, `purge:${k.code}:${hour}`);
  }

  /** One kommun's purge: packages past their time, and deleted records' sections past retention. */
  async run(
    kommunCode: string,
    now = new Date(),
  ): Promise<{ packages: number; exportFiles: number; purged: number; removed: number }> {
    const exportFiles = await this.exportJobs.purgeExpiredFiles(kommunCode);
    const packages = await this.requests.purgeExpiredPackages(kommunCode);
    for (const p of packages) {
      await this.audit.record({
        kommunCode,
        actor: SYSTEM,
        action: 'requests:purge-package',
        outcome: 'succeeded',
        pupilRecordIds: [p.recordId],
        detail: { requestId: p.id },
      });
    }
    const { document: policy } = await this.policies.inForce(kommunCode);
    let purged = 0;
    let removed = 0;
    let after: string | null = null;
    for (;;) {
      const page = await this.retention.tombstoned(kommunCode, after, PAGE);
      for (const r of page) {
        const due = r.sections.filter((s) => {
          const at = dueAt(r.deletedAt, policy.retention[CATEGORY_OF_SECTION[s]]);
          return at !== null && at <= now;
        });
        if (due.length === 0) continue;
        const all = due.length === r.sections.length;
        if (all) await this.retention.remove(kommunCode, r.id);
        else await this.retention.purgeSections(kommunCode, r.id, due);
        if (all) removed++;
        else purged++;
        await this.audit.record({
          kommunCode,
          actor: SYSTEM,
          action: all ? 'records:purge-record' : 'records:purge-sections',
          outcome: 'succeeded',
          pupilRecordIds: [r.id],
          sections: due,
          detail: { reason: 'retention' },
        });
      }
      if (page.length < PAGE) break;
      after = page[page.length - 1].id;
    }
    if (packages.length || purged || removed) {
      this.logger.log(
        `kommun ${kommunCode}: purged ${packages.length} packages, ${purged} records in part, ${removed} whole`,
      );
    }
    return { packages: packages.length, exportFiles, purged, removed };
  }

  /**
   * GDPR Art. 17, within the law: the record is deleted now (a deletion enters the changes feed) and
   * every section whose category the kommun need not keep is purged at once; what the law says to
   * archive stays until its own retention falls due.
   */
  async erase(kommunCode: string, recordId: string, actor: AuditActor): Promise<void> {
    await this.records.delete(kommunCode, recordId, undefined).catch((err: { code?: string }) => {
      if (err.code !== 'RECORD.DELETED') throw err; // already deleted: purge what may go
    });
    const { document: policy } = await this.policies.inForce(kommunCode);
    const sections = (Object.keys(CATEGORY_OF_SECTION) as (keyof LearnerRecord)[]).filter(
      (s) => policy.retention[CATEGORY_OF_SECTION[s]] !== 'keep' && s !== 'schemaVersion' && s !== 'source',
    );
    await this.retention.purgeSections(kommunCode, recordId, sections);
    await this.audit.record({
      kommunCode,
      actor,
      action: 'records:erase',
      outcome: 'succeeded',
      pupilRecordIds: [recordId],
      sections,
      detail: { reason: 'erasure request' },
    });
  }
}
