import { SingleBar, Presets } from 'cli-progress';
import { createApp } from '../bootstrap';
import { AppConfig } from '../config/env.schema';
import { KommunerService } from '../kommuner/kommuner.service';
import { RecordsService } from '../records/records.service';
import { seedKommun } from '../seed/seed-kommun';

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
    const bar = process.stdout.isTTY
      ? new SingleBar(
          { format: 'seeding {bar} {value}/{total} pupils {eta_formatted}' },
          Presets.shades_classic,
        )
      : undefined;
    bar?.start(opts.pupils, 0);
    const started = Date.now();
    const totals = await seedKommun({ kommuner, records }, opts, (n) => bar?.increment(n));
    bar?.stop();
    const seconds = (Date.now() - started) / 1000;
    process.stdout.write(
      `kommun ${opts.kommun}: ${totals.schoolUnits} school units; pupils created ${totals.created}, updated ${totals.updated}, ` +
        `unchanged ${totals.unchanged} in ${seconds.toFixed(1)} s\n`,
    );
  } finally {
    await running.close();
  }
}
