import { Injectable } from '@nestjs/common';
import type { AuditActor } from '../../audit/audit.service';
import type { DecisionSubject } from '../../consent/consent-state';
import { DecisionPointService, type PupilToDecide } from '../../consent/decision-point.service';
import type { Purpose } from '../../consent/purposes';
import { binaryCopyRows } from '../../database/copy-binary';
import { jsonbText } from '../../database/jsonb-binary';
import { sql } from '../../database/sql';
import { TenantDb } from '../../database/tenant-db';
import type { LossEntry } from '../vendor-adapter.port';

// Three pages are in memory at once (two decided ahead): 200 records keep the main thread's heap
// small while the export's writer works on its own thread.
const PAGE = 200;
const LOOKAHEAD = 2;

/**
 * A record the decision point lets go, as PostgreSQL holds it: jsonb's binary output (a version
 * byte, then the JSON text in UTF-8), and the sections the writer must leave out of it.
 */
export interface ReleasedRecord {
  id: string;
  jsonb: Buffer;
  withheld: string[];
}

/** One pupil of a page: what decides, which sections hold data, and the record's bytes. */
interface PagePupil extends PupilToDecide {
  jsonb: Buffer;
}

/**
 * What an export job hands its writer: the kommun's records, as the decision point lets them go.
 *
 * The main thread never parses a whole record: it reads what decides (the pupil and the guardians)
 * and which sections hold data, decides on that, and hands the record's bytes on untouched, with the
 * sections to leave out, for the writer thread to parse and cut. (Parsing each record here and
 * copying it to the writer took half of an export's main thread.)
 */
@Injectable()
export class ExportRecordSource {
  constructor(
    private readonly db: TenantDb,
    private readonly decisions: DecisionPointService,
  ) {}

  /**
   * The records as the decision point lets them go, a page at a time: each page decided (and each
   * decision audited) for the job's purpose and recipient; a pupil of whom nothing may go left out
   * whole, and each left-out section or record a loss entry naming the record.
   */
  async *released(
    kommunCode: string,
    job: { schoolUnit: string | null; purpose: Purpose; recipient: string | null; requestedBy: AuditActor },
    loss: (e: LossEntry) => void,
    counts: { released: number; withheld: number },
  ): AsyncGenerator<ReleasedRecord> {
    const pages = this.pages(kommunCode, job.schoolUnit);
    const decided = async () => {
      const next = await pages.next();
      if (next.done) return undefined;
      const page = next.value;
      const context = { actor: job.requestedBy, groupAudit: true };
      return {
        page,
        releases: await this.decisions.releaseSections(kommunCode, page, job.purpose, job.recipient, context),
      };
    };
    // The next pages are read and decided while the writer works on this one: the database's time
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
      for (const { id, jsonb } of page) {
        const release = releases.get(id)!;
        for (const entry of release.loss) loss({ ...entry, record: id });
        if (!release.released) {
          counts.withheld++;
          continue;
        }
        counts.released++;
        yield { id, jsonb, withheld: release.withheld };
      }
    }
  }

  /**
   * The kommun's live records (or one school unit's current pupils), a page at a time, by binary
   * COPY: the record's bytes as stored, never decoded to a string on this thread.
   */
  private async *pages(kommunCode: string, schoolUnit: string | null): AsyncGenerator<PagePupil[]> {
    let after = '00000000-0000-0000-0000-000000000000';
    for (;;) {
      const unitFilter = schoolUnit
        ? sql`AND school_unit_codes @> ARRAY[${schoolUnit}::text]
              AND jsonb_path_exists(record, '$.enrolments[*] ? (@.schoolUnitCode == $unit && !(@.cancelled == true))', ${JSON.stringify({ unit: schoolUnit })}::jsonb)`
        : sql``;
      // `held` as sectionsHeld (minimise.ts) sees it: a section that is there and not an empty list.
      const select = sql`SELECT id::text,
            jsonb_build_object('pupil', record -> 'pupil', 'guardians', record -> 'guardians',
              'held', (SELECT coalesce(jsonb_agg(key), '[]') FROM jsonb_each(record) WHERE value <> '[]'::jsonb)),
            record
          FROM learner_records WHERE kommun_code = ${kommunCode} AND deleted_at IS NULL AND id > ${after}::uuid
            ${unitFilter} ORDER BY id LIMIT ${PAGE}`;
      const copy = await this.db.transaction(kommunCode, (tx) =>
        tx.copyOut(`COPY (${select.text}) TO STDOUT (FORMAT binary)`),
      );
      const page = binaryCopyRows(copy).map(([id, decides, jsonb]): PagePupil => {
        const { pupil, guardians, held } = JSON.parse(jsonbText(decides!)) as DecisionSubject & {
          held: string[];
        };
        return {
          id: id!.toString('utf8'),
          subject: { pupil, guardians: guardians ?? undefined },
          held: new Set(held),
          jsonb: jsonb!,
        };
      });
      if (page.length > 0) yield page;
      if (page.length < PAGE) return;
      after = page[page.length - 1].id;
    }
  }
}
