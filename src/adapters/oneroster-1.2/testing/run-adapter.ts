// Test support: runs the adapter on files and records as the pipeline would.
import { createReadStream, statSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { LearnerRecord } from '../../../records/learner-record.types';
import type { ImportItem, LossEntry } from '../../vendor-adapter.port';
import { oneRosterAdapter } from '../oneroster-1.2.adapter';

export const NOW = new Date('2026-08-15T00:00:00Z');

export async function importFile(
  path: string,
  options: Record<string, unknown> = {},
  platformId = 'lms',
): Promise<ImportItem[]> {
  const input = {
    open: () => createReadStream(path),
    path,
    size: statSync(path).size,
    fileName: basename(path),
  };
  const items: ImportItem[] = [];
  const run = oneRosterAdapter.import?.(input, { platformId, options, kommunCode: '1980', now: NOW }, {});
  if (!run) throw new Error('no import');
  for await (const item of run) items.push(item);
  return items;
}

export async function importBytes(
  bytes: Buffer,
  name: string,
  options: Record<string, unknown> = {},
  platformId = 'lms',
): Promise<ImportItem[]> {
  const dir = await mkdtemp(join(tmpdir(), 'oneroster-test-'));
  try {
    const path = join(dir, name);
    await writeFile(path, bytes);
    return await importFile(path, options, platformId);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export async function exportRecords(
  records: LearnerRecord[],
  options: Record<string, unknown> = {},
  platformId = 'lms',
): Promise<{ zip: Buffer; loss: LossEntry[] }> {
  const loss: LossEntry[] = [];
  const run = oneRosterAdapter.export?.(
    (async function* () {
      await Promise.resolve();
      yield* records;
    })(),
    { platformId, options, kommunCode: '1980', now: NOW, loss: (entry) => loss.push(entry) },
  );
  if (!run) throw new Error('no export');
  const chunks: Buffer[] = [];
  for await (const chunk of run) chunks.push(Buffer.from(chunk));
  return { zip: Buffer.concat(chunks), loss };
}

/** The loss entries of an export that concern one record (each names its pupil first). */
export function lossOf(loss: readonly LossEntry[], pupilId: string): LossEntry[] {
  return loss.filter((entry) => entry.detail.startsWith(`pupil ${pupilId}: `));
}
