import { createApp } from '../bootstrap';
import { ExportJobsService } from '../adapters/exports/export-jobs.service';
import type { AppConfig } from '../config/env.schema';

/**
 * `portabel export --kommun K --format F > FILE`: the same export job as the service's, run in this
 * process on the configured database, written to standard output; the loss report to stderr.
 */
export async function exportKommun(
  config: AppConfig,
  opts: { kommun: string; format?: string; platform?: string; schoolUnit?: string },
): Promise<number> {
  const running = await createApp({ ...config, JOBS_WORKER: 'off' });
  try {
    const service = running.app.get(ExportJobsService);
    // An operator at the machine: the actor of the disclosure decisions the export makes.
    const job = await service.start(
      opts.kommun,
      { format: opts.format, platformId: opts.platform, schoolUnit: opts.schoolUnit },
      { kind: 'operator', subject: 'cli', role: 'operator' },
    );
    await service.run(opts.kommun, job.id);
    const done = await service.get(opts.kommun, job.id);
    if (done.state !== 'succeeded') {
      process.stderr.write(`export failed: ${JSON.stringify(done.problem)}\n`);
      return 1;
    }
    const fakeReply = { type: () => fakeReply, header: () => fakeReply } as never;
    for await (const chunk of await service.download(opts.kommun, job.id, fakeReply)) {
      if (!process.stdout.write(chunk)) await new Promise((r) => process.stdout.once('drain', r));
    }
    process.stderr.write(
      `exported ${done.recordCount} pupils as ${done.adapter} (${done.file!.size} bytes, sha256 ${done.file!.sha256}); ` +
        `${done.loss.count} loss entries${done.loss.count ? ' (see GET ' + `/v1/kommuner/${opts.kommun}/exports/${job.id})` : ''}\n`,
    );
    return 0;
  } finally {
    await running.close();
  }
}
