import { Presets, SingleBar } from 'cli-progress';
import { createReadStream, statSync } from 'node:fs';
import { basename } from 'node:path';
import { Readable } from 'node:stream';
import { createApp } from '../bootstrap';
import { ImportJobResource, ImportJobsService } from '../adapters/imports/import-jobs.service';
import { ImportRunner } from '../adapters/imports/import-runner';
import type { AppConfig } from '../config/env.schema';
import { Instance, ProblemError } from './instance';
import { placeOf, writeProblem } from './problem-output';

export interface ImportOptions {
  kommun: string;
  format?: string;
  platform?: string;
  dryRun?: boolean;
  mode?: 'delta' | 'snapshot';
  confirmDeletions?: boolean;
  url?: string;
  token?: string;
}

/** A rejected pupil as the job's items list it. */
interface RejectedItem {
  sourceId: string | null;
  location: { file?: string; line?: number; pointer?: string };
  errors: Array<{ file?: string; line?: number; column?: number; pointer?: string; detail?: string }>;
}

/** Rejected pupils listed after the summary: enough to act on, not a kommun's worth. */
const REJECTED_SHOWN = 20;

/**
 * `portabel import FILE`: on the configured database (the job runs in this process, through the
 * same staging and checks as the service's), or on a running instance with --url.
 * Exit code 0 when the import succeeded, 1 when it failed or was refused (with the problem's places),
 * 130 when stopped with Ctrl-C (the job is cancelled and nothing is written).
 */
export async function importFile(config: AppConfig, file: string, opts: ImportOptions): Promise<number> {
  const size = statSync(file).size;
  // No bar to fill: how many pupils a file holds is known only once it has been read.
  const progress = process.stderr.isTTY
    ? new SingleBar(
        {
          format: 'importing: {value} pupils staged | {state} | {duration_formatted}',
          stream: process.stderr,
        },
        Presets.shades_classic,
      )
    : undefined;
  progress?.start(0, 0, { state: 'queued' });
  const show = (job: ImportJobResource) => {
    progress?.setTotal(job.progress.total ?? job.progress.processed);
    progress?.update(job.progress.processed, { state: job.state });
  };
  let outcome: { job: ImportJobResource; rejected: RejectedItem[] };
  try {
    outcome = opts.url
      ? await viaHttp(new Instance(opts.url, opts.token), file, size, opts, show)
      : await locally(config, file, opts, show);
  } finally {
    progress?.stop();
  }
  const { job, rejected } = outcome;
  report(job, rejected);
  if (job.problem?.code === 'IMPORT.CANCELLED') return 130;
  return job.state === 'succeeded' ? 0 : 1;
}

async function locally(
  config: AppConfig,
  file: string,
  opts: ImportOptions,
  show: (job: ImportJobResource) => void,
): Promise<{ job: ImportJobResource; rejected: RejectedItem[] }> {
  const running = await createApp({ ...config, JOBS_WORKER: 'off' });
  // Ctrl-C cancels the job: the conversion stops, the job fails as cancelled, nothing is written.
  const cancel = new AbortController();
  const onInterrupt = () => cancel.abort();
  process.once('SIGINT', onInterrupt);
  try {
    const service = running.app.get(ImportJobsService);
    const started = await service.start(opts.kommun, createReadStream(file), {
      format: opts.format,
      platformId: opts.platform,
      dryRun: Boolean(opts.dryRun),
      mode: opts.mode ?? 'delta',
      confirmDeletions: Boolean(opts.confirmDeletions),
      fileName: basename(file),
      runByCaller: true,
    });
    const run = running.app.get(ImportRunner).run(opts.kommun, started.id, cancel.signal);
    let done = false;
    void run.finally(() => (done = true));
    while (!done) {
      await new Promise((r) => setTimeout(r, 250));
      show(await service.get(opts.kommun, started.id));
    }
    await run;
    const job = await service.get(opts.kommun, started.id);
    const rejected = job.counts.rejected
      ? ((await service.items(opts.kommun, job.id, undefined, REJECTED_SHOWN, 'rejected'))
          .data as RejectedItem[])
      : [];
    return { job, rejected };
  } finally {
    process.removeListener('SIGINT', onInterrupt);
    await running.close();
  }
}

async function viaHttp(
  instance: Instance,
  file: string,
  size: number,
  opts: ImportOptions,
  show: (job: ImportJobResource) => void,
): Promise<{ job: ImportJobResource; rejected: RejectedItem[] }> {
  const path = `/v1/kommuner/${opts.kommun}/imports`;
  const query = new URLSearchParams({ fileName: basename(file) });
  if (opts.format) query.set('format', opts.format);
  if (opts.platform) query.set('platform', opts.platform);
  if (opts.dryRun) query.set('dryRun', 'true');
  if (opts.mode) query.set('mode', opts.mode);
  if (opts.confirmDeletions) query.set('confirmDeletions', 'true');
  let job = await instance.json<ImportJobResource>(`${path}?${query.toString()}`, {
    method: 'POST',
    headers: { 'content-type': 'application/octet-stream', 'content-length': String(size) },
    body: Readable.toWeb(createReadStream(file)) as ReadableStream,
    duplex: 'half',
  });
  try {
    while (job.state === 'queued' || job.state === 'running') {
      await new Promise((r) => setTimeout(r, 500));
      job = await instance.json<ImportJobResource>(`${path}/${job.id}`);
      show(job);
    }
    const rejected = job.counts.rejected
      ? (
          await instance.json<{ data: RejectedItem[] }>(
            `${path}/${job.id}/items?kind=rejected&limit=${REJECTED_SHOWN}`,
          )
        ).data
      : [];
    return { job, rejected };
  } catch (err) {
    // The job goes on in the service: say which, so that it can be followed there.
    const followUp = `The import ${job.id} goes on in the service: GET ${instance.base}${path}/${job.id}`;
    if (err instanceof ProblemError)
      throw new ProblemError({ ...err.problem, detail: `${err.problem.detail ?? err.message}\n${followUp}` });
    throw new Error(`${err instanceof Error ? err.message : String(err)}\n${followUp}`);
  }
}

function report(job: ImportJobResource, rejected: RejectedItem[]): void {
  const c = job.counts;
  const rows: Array<[string, string | number]> = [
    ['import', job.id],
    ['state', job.dryRun ? `${job.state} (dry run: nothing written)` : job.state],
    ['format', job.adapter],
    ['pupils created', c.created ?? 0],
    ['pupils updated', c.updated ?? 0],
    ['pupils unchanged', c.unchanged ?? 0],
    ['pupils rejected', c.rejected ?? 0],
    ['pupils deleted', c.deleted ?? 0],
    [
      'losses',
      Object.entries(job.loss)
        .map(([k, n]) => `${k} ${n}`)
        .join(', ') || 'none',
    ],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  process.stdout.write(rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join('\n') + '\n');
  if (rejected.length > 0) {
    const of = (c.rejected ?? 0) > rejected.length ? ` (the first ${rejected.length} of ${c.rejected})` : '';
    process.stderr.write(`\nRejected pupils${of}, not written:\n`);
    for (const item of rejected) {
      process.stderr.write(`  ${item.sourceId ?? placeOf(item.location)}\n`);
      for (const e of item.errors) process.stderr.write(`    ${placeOf(e)}: ${e.detail ?? ''}\n`);
    }
  }
  if (job.problem) {
    process.stderr.write('\n');
    writeProblem(job.problem);
  }
}
