import { Injectable } from '@nestjs/common';
import type { AuditActor } from '../../audit/audit.service';
import { DecisionPointService } from '../../consent/decision-point.service';
import type { Purpose } from '../../consent/purposes';
import { sql } from '../../database/sql';
import { TenantDb } from '../../database/tenant-db';
import type { LearnerRecord } from '../../records/learner-record.types';
import { WHOLE_KOMMUN, withinSections, type RecordScope } from '../../records/record-scope';
import type { LossEntry } from '../vendor-adapter.port';

// Three pages are in memory at once (two decided ahead): 200 records keep the main thread's heap
// small while the export's writer works on its own thread.
const PAGE = 200;
const LOOKAHEAD = 2;

/** What an export job hands its adapter: the kommun's records, as the decision point lets them go. */
@Injectable()
export class ExportRecordSource {
  constructor(
    private readonly db: TenantDb,
    private readonly decisions: DecisionPointService,
  ) {}

  /**
   * The records as the decision point lets them go, a page at a time: each page decided (and each
   * decision audited) for the job's purpose and recipient; denied categories left out, a pupil of
   * whom nothing may go left out whole, and each of these a loss entry naming the record.
   */
  async *released(
    kommunCode: string,
    job: {
      schoolUnit: string | null;
      purpose: Purpose;
      recipient: string | null;
      requestedBy: AuditActor;
      sections: string[] | null;
    },
    loss: (e: LossEntry) => void,
    counts: { released: number; withheld: number },
  ): AsyncGenerator<LearnerRecord> {
    const pages = this.pages(kommunCode, job.schoolUnit);
    // No more than the requester may see: a platform's grant, as its reads through the API.
    const scope: RecordScope = job.sections ? { sections: new Set(job.sections) } : WHOLE_KOMMUN;
    const decided = async () => {
      const next = await pages.next();
      if (next.done) return undefined;
      const page = next.value;
      const context = { actor: job.requestedBy, groupAudit: true };
      return {
        page,
        releases: await this.decisions.release(kommunCode, page, job.purpose, job.recipient, context),
      };
    };
    // The next pages are read and decided while the adapter works on this one: the database's time
    // (reading, consents, the audit's commits) overlaps the conversion's, and no page waits for a
    // round trip of its own.
    const ahead: ReturnType<typeof decided>[] = [];
    const readAhead = () => {
      const next = decided();
      next.catch(() => undefined); // rethrown when awaited below
      ahead.push(next);
    };
    for (let i = 0; i < LOOKAHEAD; i++) readAhead();
    for (;;) {
      const current = await ahead.shift();
      if (!current) return;
      readAhead();
      const { page, releases } = current;
      for (const { id } of page) {
        const release = releases.get(id)!;
        for (const entry of release.loss) loss({ ...entry, record: id });
        if (!release.released) {
          counts.withheld++;
          continue;
        }
        counts.released++;
        yield withinSections(release.record, scope);
      }
    }
  }

  /** The kommun's live records (or one school unit's current pupils), a page at a time. */
  private async *pages(
    kommunCode: string,
    schoolUnit: string | null,
  ): AsyncGenerator<Array<{ id: string; record: LearnerRecord }>> {
    let after = '00000000-0000-0000-0000-000000000000';
    for (;;) {
      const unitFilter = schoolUnit
        ? sql`AND school_unit_codes @> ARRAY[${schoolUnit}::text]
              AND jsonb_path_exists(record, '$.enrolments[*] ? (@.schoolUnitCode == $unit && !(@.cancelled == true))', ${JSON.stringify({ unit: schoolUnit })}::jsonb)`
        : sql``;
      const rows = await this.db.once<{ id: string; record: LearnerRecord }>(
        kommunCode,
        sql`SELECT id, record FROM learner_records WHERE kommun_code = ${kommunCode} AND deleted_at IS NULL AND id > ${after}::uuid
            ${unitFilter} ORDER BY id LIMIT ${PAGE}`,
      );
      if (rows.length > 0) yield rows;
      if (rows.length < PAGE) return;
      after = rows[rows.length - 1].id;
    }
  }
}
