import { Presets, SingleBar } from 'cli-progress';
import { createReadStream, statSync } from 'node:fs';
import { basename } from 'node:path';
import { createApp } from '../bootstrap';
import { ImportJobResource, ImportJobsService } from '../adapters/imports/import-jobs.service';
import { ImportRunner } from '../adapters/imports/import-runner';
import type { AppConfig } from '../config/env.schema';

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

/**
 * `portabel import FILE`: on the configured database (the job runs in this process, through the
 * same staging and checks as the service's), or on a running instance with --url.
 * Exit code 0 when the import succeeded, 1 when it failed or was refused (with the problem's places).
 */
export async function importFile(config: AppConfig, file: string, opts: ImportOptions): Promise<number> {
  const size = statSync(file).size;
  const bar = process.stderr.isTTY
    ? new SingleBar(
        { format: 'importing {bar} {value} pupils staged | {state}', stream: process.stderr },
        Presets.shades_classic,
      )
    : undefined;
  bar?.start(0, 0, { state: 'queued' });
  const job = opts.url ? await viaHttp(file, size, opts, bar) : await locally(config, file, opts, bar);
  bar?.stop();
  report(job);
  return job.state === 'succeeded' ? 0 : 1;
}

async function locally(
  config: AppConfig,
  file: string,
  opts: ImportOptions,
  bar?: SingleBar,
): Promise<ImportJobResource> {
  const running = await createApp({ ...config, JOBS_WORKER: 'off' });
  try {
    const service = running.app.get(ImportJobsService);
    const started = await service.start(opts.kommun, createReadStream(file), {
      format: opts.format,
      platformId: opts.platform,
      dryRun: Boolean(opts.dryRun),
      mode: opts.mode ?? 'delta',
      confirmDeletions: Boolean(opts.confirmDeletions),
      fileName: basename(file),
    });
    const run = running.app.get(ImportRunner).run(opts.kommun, started.id);
    let done = false;
    void run.finally(() => (done = true));
    while (!done) {
      await new Promise((r) => setTimeout(r, 250));
      const job = await service.get(opts.kommun, started.id);
      bar?.setTotal(Math.max(job.progress.processed, 1));
      bar?.update(job.progress.processed, { state: job.state });
    }
    await run;
    return await service.get(opts.kommun, started.id);
  } finally {
    await running.close();
  }
}

async function viaHttp(
  file: string,
  size: number,
  opts: ImportOptions,
  bar?: SingleBar,
): Promise<ImportJobResource> {
  const base = `${opts.url!.replace(/\/$/, '')}/v1/kommuner/${opts.kommun}/imports`;
  const query = new URLSearchParams({ fileName: basename(file) });
  if (opts.format) query.set('format', opts.format);
  if (opts.platform) query.set('platform', opts.platform);
  if (opts.dryRun) query.set('dryRun', 'true');
  if (opts.mode) query.set('mode', opts.mode);
  if (opts.confirmDeletions) query.set('confirmDeletions', 'true');
  const headers: Record<string, string> = {
    'content-type': 'application/octet-stream',
    'content-length': String(size),
  };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  const { Readable } = await import('node:stream');
  const res = await fetch(`${base}?${query.toString()}`, {
    method: 'POST',
    headers,
    body: Readable.toWeb(createReadStream(file)),
    duplex: 'half',
  });
  let job = (await res.json()) as ImportJobResource & { detail?: string };
  if (!res.ok) throw new Error(job.detail ?? `the server answered ${res.status}`);
  while (job.state === 'queued' || job.state === 'running') {
    await new Promise((r) => setTimeout(r, 500));
    job = (await (await fetch(`${base}/${job.id}`, { headers })).json()) as ImportJobResource;
    bar?.setTotal(Math.max(job.progress.processed, 1));
    bar?.update(job.progress.processed, { state: job.state });
  }
  return job;
}

function report(job: ImportJobResource): void {
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
  if (job.problem) {
    const p = job.problem as {
      detail?: string;
      errors?: Array<{ file?: string; line?: number; column?: number; pointer?: string; detail?: string }>;
    };
    process.stderr.write(`\n${p.detail ?? 'The import did not succeed.'}\n`);
    for (const e of (p.errors ?? []).slice(0, 50)) {
      const where = [
        e.file,
        e.line !== undefined && `line ${e.line}`,
        e.column !== undefined && `column ${e.column}`,
        e.pointer,
      ]
        .filter(Boolean)
        .join(' ');
      process.stderr.write(`  ${where}: ${e.detail ?? ''}\n`);
    }
  }
}
