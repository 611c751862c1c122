import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createApp } from '../bootstrap';
import { ExportJobResource, ExportJobsService } from '../adapters/exports/export-jobs.service';
import type { AppConfig } from '../config/env.schema';
import { Instance } from './instance';
import { writeProblem } from './problem-output';

export interface ExportOptions {
  kommun: string;
  format?: string;
  platform?: string;
  schoolUnit?: string;
  url?: string;
  token?: string;
}

/**
 * `portabel export --kommun K --format F > FILE`: the same export job as the service's, run in this
 * process on the configured database, or by a running instance with --url; the file on standard
 * output, the summary and any problem on standard error. Exit code 0 when written, 1 when not.
 */
export async function exportKommun(config: AppConfig, opts: ExportOptions): Promise<number> {
  const done = opts.url
    ? await viaHttp(new Instance(opts.url, opts.token), opts)
    : await locally(config, opts);
  if (!done) return 1;
  process.stderr.write(
    `exported ${done.recordCount} pupils as ${done.adapter} (${done.file!.size} bytes, sha256 ${done.file!.sha256}); ` +
      `${done.disclosure.withheld} withheld by the consent rules; ${done.loss.count} loss entries` +
      `${done.loss.count ? ` (GET /v1/kommuner/${opts.kommun}/exports/${done.id}/loss-report)` : ''}\n`,
  );
  return 0;
}

async function locally(config: AppConfig, opts: ExportOptions): Promise<ExportJobResource | undefined> {
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
    if (done.state !== 'succeeded') return failed(done);
    const headersOnly = { type: () => headersOnly, header: () => headersOnly } as never;
    await toStdout(Readable.from(await service.download(opts.kommun, job.id, headersOnly)));
    return done;
  } finally {
    await running.close();
  }
}

async function viaHttp(instance: Instance, opts: ExportOptions): Promise<ExportJobResource | undefined> {
  const path = `/v1/kommuner/${opts.kommun}/exports`;
  let job = await instance.json<ExportJobResource>(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ format: opts.format, platform: opts.platform, schoolUnit: opts.schoolUnit }),
  });
  while (job.state === 'queued' || job.state === 'running') {
    await new Promise((r) => setTimeout(r, 500));
    job = await instance.json<ExportJobResource>(`${path}/${job.id}`);
  }
  if (job.state !== 'succeeded') return failed(job);
  const res = await instance.fetch(job.file!.href);
  await instance.ensureOk(res);
  await toStdout(Readable.fromWeb(res.body!));
  return job;
}

function failed(job: ExportJobResource): undefined {
  process.stderr.write(`The export ${job.id} ${job.state}.\n`);
  if (job.problem) writeProblem(job.problem);
  return undefined;
}

/**
 * The file to standard output. A reader that stops early (`| head`) is not a failure of the export:
 * the rest is dropped quietly (EPIPE), as other command-line tools do.
 */
async function toStdout(file: Readable): Promise<void> {
  try {
    await pipeline(file, process.stdout, { end: false });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPIPE') throw err;
    file.destroy();
  }
}
