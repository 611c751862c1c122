import { SingleBar, Presets } from 'cli-progress';
import { createApp } from '../bootstrap';
import { AppConfig } from '../config/env.schema';
import { DomainError } from '../common/problem/domain-error';
import { KommunerService } from '../kommuner/kommuner.service';
import { checkRecord, PreparedRecord, prepareRecord } from '../records/record-intake';
import { RecordsService } from '../records/records.service';
import { DEFAULT_SCHOOL_UNIT_COUNT, generatePupils, generateSchoolUnits } from '../seed/pupil-generator';
import { findKommun } from '../seed/school-catalogue';

const BATCH = 500;

/**
 * Seeds through the same services the API uses (so the records go through the same checks), on the
 * configured database. Running it again with the same options changes nothing.
 */
export async function seed(
  config: AppConfig,
  opts: { kommun: string; pupils: number; seed: number; schoolUnits?: number },
): Promise<void> {
  const running = await createApp(config);
  try {
    const kommuner = running.app.get(KommunerService);
    const records = running.app.get(RecordsService);
    await kommuner.create({ code: opts.kommun, name: findKommun(opts.kommun).name }).catch((err: unknown) => {
      if (!(err instanceof DomainError && err.code === 'KOMMUN.EXISTS')) throw err;
    });
    const units = generateSchoolUnits({
      kommunCode: opts.kommun,
      seed: opts.seed,
      count: opts.schoolUnits ?? DEFAULT_SCHOOL_UNIT_COUNT,
    });
    for (const unit of units)
      await kommuner.putSchoolUnit(opts.kommun, unit.code, {
        name: unit.name,
        schoolTypes: unit.schoolTypes,
      });

    const bar = process.stdout.isTTY
      ? new SingleBar(
          { format: 'seeding {bar} {value}/{total} pupils {eta_formatted}' },
          Presets.shades_classic,
        )
      : undefined;
    bar?.start(opts.pupils, 0);
    const totals = { created: 0, updated: 0, unchanged: 0 };
    let batch: PreparedRecord[] = [];
    const started = Date.now();
    const flush = async (): Promise<void> => {
      const r = await records.upsertPrepared(opts.kommun, batch);
      totals.created += r.created;
      totals.updated += r.updated;
      totals.unchanged += r.unchanged;
      bar?.increment(batch.length);
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
    bar?.stop();
    const seconds = (Date.now() - started) / 1000;
    process.stdout.write(
      `kommun ${opts.kommun}: ${units.length} school units; pupils created ${totals.created}, updated ${totals.updated}, ` +
        `unchanged ${totals.unchanged} in ${seconds.toFixed(1)} s\n`,
    );
  } finally {
    await running.close();
  }
}
