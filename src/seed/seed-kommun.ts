import { DomainError } from '../common/problem/domain-error';
import type { KommunerService } from '../kommuner/kommuner.service';
import { checkRecord, type PreparedRecord, prepareRecord } from '../records/record-intake';
import type { RecordsService } from '../records/records.service';
import { DEFAULT_SCHOOL_UNIT_COUNT, generatePupils, generateSchoolUnits } from './pupil-generator';
import { findKommun } from './school-catalogue';

const BATCH = 500;

export interface SeedOptions {
  kommun: string;
  pupils: number;
  seed: number;
  schoolUnits?: number;
}

export interface SeedTotals {
  schoolUnits: number;
  created: number;
  updated: number;
  unchanged: number;
}

/**
 * Fills a kommun with synthetic pupils through the same services the API uses (so the records go
 * through the same checks). Running it again with the same options changes nothing.
 */
export async function seedKommun(
  services: { kommuner: KommunerService; records: RecordsService },
  opts: SeedOptions,
  onBatch: (count: number) => void = () => undefined,
): Promise<SeedTotals> {
  const { kommuner, records } = services;
  await kommuner.create({ code: opts.kommun, name: findKommun(opts.kommun).name }).catch((err: unknown) => {
    if (!(err instanceof DomainError && err.code === 'KOMMUN.EXISTS')) throw err;
  });
  const units = generateSchoolUnits({
    kommunCode: opts.kommun,
    seed: opts.seed,
    count: opts.schoolUnits ?? DEFAULT_SCHOOL_UNIT_COUNT,
  });
  for (const unit of units)
    await kommuner.putSchoolUnit(opts.kommun, unit.code, { name: unit.name, schoolTypes: unit.schoolTypes });
  const totals: SeedTotals = { schoolUnits: units.length, created: 0, updated: 0, unchanged: 0 };
  let batch: PreparedRecord[] = [];
  const flush = async (): Promise<void> => {
    const r = await records.upsertPrepared(opts.kommun, batch);
    totals.created += r.created;
    totals.updated += r.updated;
    totals.unchanged += r.unchanged;
    onBatch(batch.length);
    batch = [];
  };
  for (const pupil of generatePupils({
    kommunCode: opts.kommun,
    count: opts.pupils,
    seed: opts.seed,
    schoolUnits: units,
  })) {
    batch.push(
      prepareRecord(checkRecord(pupil), {
        adapter: 'seed',
        adapterVersion: '1',
        importedAt: pupil.pupil.provenance?.importedAt ?? new Date(0).toISOString(),
      }),
    );
    if (batch.length >= BATCH) await flush();
  }
  if (batch.length) await flush();
  return totals;
}
