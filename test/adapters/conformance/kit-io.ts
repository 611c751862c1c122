// Running an adapter as the pipelines do: inputs as files on disk, imports with a time limit, exports with
// a real context whose loss entries are attributed to the record they are about.
import { createReadStream, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type {
  AdapterInput,
  ExportContext,
  ImportContext,
  ImportItem,
  ImportServices,
  KommunSigner,
  LossEntry,
  VendorAdapter,
} from '../../../src/adapters/vendor-adapter.port';
import * as yauzl from 'yauzl';
import { LOSS_REPORT_ENTRY, LossLog } from '../../../src/adapters/shared/loss-log';
import { canonicalJson } from '../../../src/records/record-content';
import type { LearnerRecord } from '../../../src/records/learner-record.types';
import { SEED_REFERENCE_DATE } from '../../../src/seed/pupil-generator';

/**
 * `now` of every context: fixed, so exports can be compared byte for byte and provenance checked; a few
 * days after the generated records' reference date, as in production, where no grade is dated ahead.
 */
export const KIT_NOW = new Date(Date.parse(`${SEED_REFERENCE_DATE}T10:15:30.000Z`) + 5 * 24 * 3600 * 1000);
/** The platform registration both ends of a round trip use. */
export const KIT_PLATFORM = 'conformance-platform';
/** A whole import of a fixture or of garbage must end within this (a hang is a failure). */
export const IMPORT_TIME_LIMIT_MS = 15_000;

const MEDIA_TYPES: Record<string, string> = {
  json: 'application/json',
  zip: 'application/zip',
  xml: 'application/xml',
  jwt: 'application/vc+jwt',
  csv: 'text/csv',
};

let scratch: string | undefined;
let written = 0;

/** A file of the given bytes in the kit's scratch folder, as an AdapterInput named `fileName`. */
export function bytesInput(bytes: Buffer, fileName: string): AdapterInput {
  scratch ??= mkdtempSync(join(tmpdir(), 'portabel-conformance-'));
  const path = join(scratch, `${++written}-${fileName}`);
  writeFileSync(path, bytes);
  return fileInput(path, fileName);
}

export function fileInput(path: string, fileName = basename(path)): AdapterInput {
  const extension = fileName.split('.').pop()?.toLowerCase() ?? '';
  return {
    open: () => createReadStream(path),
    path,
    size: statSync(path).size,
    fileName,
    ...(MEDIA_TYPES[extension] ? { mediaType: MEDIA_TYPES[extension] } : {}),
  };
}

export function removeScratch(): void {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
  scratch = undefined;
}

/** The adapter's options when a registration gives none: each property's schema `default`. */
export function defaultOptions(adapter: VendorAdapter): Record<string, unknown> {
  const properties = (adapter.optionsSchema?.properties ?? {}) as Record<string, { default?: unknown }>;
  const options: Record<string, unknown> = {};
  for (const [key, schema] of Object.entries(properties))
    if (schema && typeof schema === 'object' && 'default' in schema) options[key] = schema.default;
  return options;
}

export function importContext(adapter: VendorAdapter, kommunCode = '1980'): ImportContext {
  return { platformId: KIT_PLATFORM, kommunCode, now: KIT_NOW, options: defaultOptions(adapter) };
}

export type ImportOutcome =
  | { kind: 'items'; items: ImportItem[] }
  | { kind: 'thrown'; error: unknown }
  | { kind: 'timed-out'; items: ImportItem[] };

/** Runs an import to its end, or until the time limit. */
export async function runImport(
  adapter: VendorAdapter,
  input: AdapterInput,
  ctx: ImportContext,
  services: ImportServices = {},
  timeLimitMs = IMPORT_TIME_LIMIT_MS,
): Promise<ImportOutcome> {
  if (!adapter.import) throw new Error(`${adapter.name} does not import`);
  const items: ImportItem[] = [];
  const run = (async (): Promise<ImportOutcome> => {
    try {
      for await (const item of adapter.import!(input, ctx, services)) items.push(item);
      return { kind: 'items', items };
    } catch (error) {
      return { kind: 'thrown', error };
    }
  })();
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<ImportOutcome>((resolve) => {
    timer = setTimeout(() => resolve({ kind: 'timed-out', items }), timeLimitMs);
  });
  try {
    return await Promise.race([run, limit]);
  } finally {
    clearTimeout(timer);
  }
}

export interface ExportRun {
  bytes: Buffer;
  /** What export threw, if it did. */
  error?: unknown;
  /** Loss entries per input record (same order), attributed as conformance-kit.ts describes. */
  lossByRecord: LossEntry[][];
  /** Entries no rule could attribute: they are applied to every record of the run. */
  unattributed: LossEntry[];
  /** Every entry in the order reported, for determinism checks. */
  allLoss: LossEntry[];
  /** Indices of input records the export changed (an adapter must not mutate what it is given). */
  mutated: number[];
}

export interface ExportEnv {
  kommunCode: string;
  signer?: KommunSigner;
  options?: Record<string, unknown>;
}

/**
 * Exports the records, handing them over one at a time (as the pipeline streams them) as copies, and
 * attributes each loss entry: to the record pulled last when it is reported before the next is pulled;
 * otherwise to the record whose document its target.file or source.file names; otherwise to none.
 */
export async function runExport(
  adapter: VendorAdapter,
  records: readonly LearnerRecord[],
  env: ExportEnv,
): Promise<ExportRun> {
  if (!adapter.export) throw new Error(`${adapter.name} does not export`);
  // JSON copies, not structuredClone: under jest that makes objects of another realm.
  const handed = records.map((record) => JSON.parse(JSON.stringify(record)) as LearnerRecord);
  const lossByRecord: LossEntry[][] = records.map(() => []);
  const outside: LossEntry[] = [];
  const allLoss: LossEntry[] = [];
  let current = -1;
  let pulled = 0;
  const feed: AsyncIterable<LearnerRecord> = {
    [Symbol.asyncIterator]: () => ({
      next: () => {
        if (pulled >= handed.length) {
          current = -1;
          return Promise.resolve({ done: true as const, value: undefined });
        }
        current = pulled;
        return Promise.resolve({ done: false as const, value: handed[pulled++] });
      },
    }),
  };
  // As the export pipeline does: every loss into one log, whose complete report a bundle may carry.
  const log = new LossLog({
    meta: { schemaVersion: '1.0', createdAt: KIT_NOW.toISOString(), generator: `kit ${adapter.name}` },
    direction: 'export',
    adapter: adapter.name,
  });
  const ctx: ExportContext = {
    platformId: KIT_PLATFORM,
    kommunCode: env.kommunCode,
    now: KIT_NOW,
    options: env.options ?? defaultOptions(adapter),
    ...(env.signer ? { signer: env.signer } : {}),
    lossReport: () => log.document(),
    loss: (entry) => {
      log.add(entry);
      allLoss.push(JSON.parse(JSON.stringify(entry)) as LossEntry);
      if (current >= 0) lossByRecord[current].push(entry);
      else outside.push(entry);
    },
  };
  const chunks: Buffer[] = [];
  let error: unknown;
  try {
    for await (const chunk of adapter.export(feed, ctx)) {
      if (typeof chunk === 'string') chunks.push(Buffer.from(chunk, 'utf8'));
      else if (Buffer.isBuffer(chunk)) chunks.push(chunk);
      else throw new Error(`export yielded a ${typeof chunk}, neither a string nor a Buffer`);
    }
  } catch (thrown) {
    error = thrown;
  } finally {
    log.dispose();
  }
  const unattributed: LossEntry[] = [];
  for (const entry of outside) {
    const owner = documentOwner(entry, records);
    if (owner === undefined) unattributed.push(entry);
    else lossByRecord[owner].push(entry);
  }
  const mutated = handed.flatMap((copy, i) => (canonicalJson(copy) === canonicalJson(records[i]) ? [] : [i]));
  return { bytes: Buffer.concat(chunks), error, lossByRecord, unattributed, allLoss, mutated };
}

/** The one record whose id names the entry's document (`<id>.xml`, with unsafe characters as `_`). */
function documentOwner(entry: LossEntry, records: readonly LearnerRecord[]): number | undefined {
  const file = entry.target?.file ?? entry.source.file;
  if (file === undefined) return undefined;
  const stem = basename(file).replace(/\.[^.]*$/, '');
  const owners = records.flatMap((record, i) =>
    stem === record.source.id || stem === record.source.id.replace(/[^A-Za-z0-9._-]/g, '_') ? [i] : [],
  );
  return owners.length === 1 ? owners[0] : undefined;
}

/** The loss report a zip export carries as loss-report.json, parsed; undefined when it is no zip or has none. */
export async function bundledLossReport(
  bytes: Buffer,
): Promise<{ entries: LossEntry[]; count: number } | undefined> {
  if (bytes.length < 4 || bytes.readUInt32LE(0) !== 0x04034b50) return undefined;
  const zip = await new Promise<yauzl.ZipFile>((resolve, reject) =>
    yauzl.fromBuffer(bytes, { lazyEntries: true }, (err, z) => (err ? reject(err) : resolve(z))),
  );
  return new Promise((resolve, reject) => {
    zip.on('entry', (entry: yauzl.Entry) => {
      if (entry.fileName !== LOSS_REPORT_ENTRY) return zip.readEntry();
      zip.openReadStream(entry, (err, stream) => {
        if (err) return reject(err);
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          zip.close();
          resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
        });
      });
    });
    zip.on('end', () => resolve(undefined));
    zip.on('error', reject);
    zip.readEntry();
  });
}
