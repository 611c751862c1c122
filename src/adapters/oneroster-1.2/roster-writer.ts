// Writes a OneRoster 1.2 CSV bundle (bulk) from canonical records: a zip with the manifest and one file
// per table, byte-identical for the same records and context (fixed file order, rows sorted by
// sourcedId, a fixed timestamp in the zip).
import { Readable } from 'node:stream';
import * as yazl from 'yazl';
import type { LearnerRecord } from '../../records/learner-record.types';
import { LOSS_REPORT_ENTRY } from '../shared/loss-log';
import type { ExportContext } from '../vendor-adapter.port';
import { csvName, MANIFEST_FILES, OR_FILES, type OrFile } from './oneroster-1.2.columns';
import { readOptions } from './oneroster-1.2.options';
import { recordToRoster, type Row, type SharedRow } from './record-to-roster.mapper';
import { SortedRows } from './sorted-rows';
import { variantId } from './stable-ids';

/** Files written, in this order after manifest.csv. */
const WRITTEN: readonly OrFile[] = [
  'academicSessions',
  'categories',
  'classes',
  'courses',
  'demographics',
  'enrollments',
  'lineItems',
  'lineItemScoreScales',
  'orgs',
  'results',
  'roles',
  'scoreScales',
  'users',
];

/**
 * The zip entries' timestamp. DOS times are local times, so the date is built from local fields: the
 * bytes are the same whatever the machine's time zone.
 */
const ZIP_MTIME = new Date(2000, 0, 1, 0, 0, 0);

interface UserMeta {
  sourcedId: string;
  kind: 'pupil' | 'guardian' | 'teacher';
  owner: string;
  compare: readonly string[];
  union: readonly string[];
  pointers: string[];
}

/** A shared row as cells in column order (far smaller than an object per row), lists being merged. */
interface SharedEntry {
  cells: string[];
  union?: Map<number, Set<string>>;
  /** For teachers, who go into users.csv with pupils and guardians: the first record naming them. */
  owner?: string;
  pointers?: string[];
}

/** The tables of a roster made from records: each file's CSV lines (header first), in sourcedId order. */
export interface BuiltRoster {
  files: readonly OrFile[];
  columns(file: OrFile): string[];
  /** The file's lines, CSV-encoded (RFC 4180), header first; merging users.csv may still report losses. */
  lines(file: OrFile): AsyncIterable<string>;
  dispose(): void;
}

/** Writes a OneRoster 1.2 CSV bundle (bulk): the manifest, one file per table, and the loss report last. */
export async function* writeRoster(
  records: AsyncIterable<LearnerRecord>,
  ctx: ExportContext,
): AsyncGenerator<Buffer> {
  const roster = await buildRoster(records, ctx);
  try {
    const zip = new yazl.ZipFile();
    // Deflate level 1: a kommun's bundle is 9 % larger (36 MB against 33 at 25,000 pupils) and the
    // compression, a good part of the export's tail, about twice as fast.
    const options = { mtime: ZIP_MTIME, mode: 0o100644, compressionLevel: 1, forceDosTimestamp: true };
    const add = (name: string, lines: () => AsyncIterable<string>) =>
      zip.addReadStreamLazy(name, options, (cb) => cb(null, Readable.from(chunked(lines()))));
    add('manifest.csv', () => manifestLines(ctx.kommunCode));
    for (const file of roster.files) add(csvName(file), () => roster.lines(file));
    // The loss report goes last: yazl asks for it once users.csv, whose merging can still lose, is written.
    const report = ctx.lossReport;
    if (report)
      zip.addReadStreamLazy(LOSS_REPORT_ENTRY, options, (cb) => cb(null, Readable.from(report.call(ctx))));
    zip.end();
    for await (const chunk of zip.outputStream as AsyncIterable<Buffer>) yield chunk;
  } finally {
    roster.dispose();
  }
}

/**
 * Maps the records to OneRoster tables, sorting each on disk as it goes (never a kommun in memory);
 * the rows shared by several records (schools, classes, teachers) are merged once all are read.
 */
export async function buildRoster(
  records: AsyncIterable<LearnerRecord>,
  ctx: ExportContext,
): Promise<BuiltRoster> {
  const opts = readOptions(ctx.options);
  const shared = new Map<OrFile, Map<string, SharedEntry>>();
  const classColumn = OR_FILES.lineItems.columns.indexOf('classSourcedId');
  /** How each shared thing was first described (by kind, then id), to give a differing description its own variant. */
  const firstSeen = new Map<string, Map<string, string>>();
  const env = {
    ctx,
    opts,
    modified: ctx.now.toISOString(),
    known: (file: OrFile, key: string) => shared.get(file)?.has(key) ?? false,
    classOf: (lineItemId: string) => shared.get('lineItems')?.get(lineItemId)?.cells[classColumn],
    variant: (kind: string, id: string, content: string) => {
      let seen = firstSeen.get(kind);
      if (!seen) firstSeen.set(kind, (seen = new Map()));
      const first = seen.get(id);
      if (first === undefined) seen.set(id, content);
      return first === undefined || first === content ? id : variantId(id, content);
    },
  };
  const civicColumn =
    opts.civicNo?.export && !OR_FILES.users.columns.includes(opts.civicNo.column)
      ? opts.civicNo.column
      : undefined;
  // Each file's columns, made once (a row is written half a million times in a kommun's export).
  const columnsOf = new Map<OrFile, string[]>(
    (Object.keys(OR_FILES) as OrFile[]).map((file) => [
      file,
      [
        ...OR_FILES[file].columns,
        ...(OR_FILES[file].ext ?? []),
        ...(file === 'users' && civicColumn ? [civicColumn] : []),
      ],
    ]),
  );
  const columns = (file: OrFile): string[] => columnsOf.get(file) as string[];
  const own = new Map<OrFile, SortedRows>(
    WRITTEN.filter((f) => f !== 'users').map((f) => [f, new SortedRows()]),
  );
  const users = new SortedRows();
  const indexes = new Map<OrFile, Map<string, number>>(
    WRITTEN.map((f) => [f, new Map(columns(f).map((c, i) => [c, i]))]),
  );

  try {
    for await (const record of records) {
      const rows = recordToRoster(record, env);
      for (const entry of rows.loss) ctx.loss(entry);
      for (const [file, list] of Object.entries(rows.own) as [OrFile, { key: string; row: Row }[]][])
        for (const { key, row } of list) own.get(file)?.add(key, csvLine(columns(file), row));
      for (const u of rows.users) {
        const kind = u.pointers?.[0] === '/pupil' ? 'pupil' : u.union?.length ? 'guardian' : 'teacher';
        // Pupils sort first among rows with the same sourcedId, so a pupil's own row wins.
        const meta: UserMeta = {
          sourcedId: u.key,
          kind,
          owner: u.owner,
          compare: u.compare ?? [],
          union: u.union ?? [],
          pointers: u.pointers ?? [],
        };
        users.add(
          `${u.key}\u0001${kind === 'pupil' ? 0 : kind === 'guardian' ? 1 : 2}`,
          JSON.stringify({ row: u.row, meta }),
        );
      }
      for (const [file, list] of Object.entries(rows.shared) as [OrFile, SharedRow[]][])
        for (const item of list)
          mergeShared(shared, file, item, columns(file), indexes.get(file) as Map<string, number>, ctx);
    }
    for (const [key, entry] of shared.get('users') ?? []) {
      const row = Object.fromEntries(columns('users').map((c, i) => [c, entry.cells[i]]));
      const meta: UserMeta = {
        sourcedId: key,
        kind: 'teacher',
        owner: entry.owner ?? '',
        compare: [],
        union: [],
        pointers: entry.pointers ?? [],
      };
      users.add(`${key}\u00012`, JSON.stringify({ row, meta }));
    }
    shared.delete('users');
    for (const [file, entries] of shared) {
      for (const [key, entry] of entries) {
        for (const [column, values] of entry.union ?? []) entry.cells[column] = [...values].sort().join(',');
        own.get(file)?.add(key, entry.cells.map(csvField).join(','));
      }
      entries.clear();
    }
  } catch (err) {
    dispose();
    throw err;
  }
  function dispose(): void {
    users.dispose();
    for (const sorter of own.values()) sorter.dispose();
  }
  return {
    files: WRITTEN,
    columns,
    lines(file) {
      const header = csvLine(columns(file), Object.fromEntries(columns(file).map((c) => [c, c])));
      return file === 'users'
        ? userLines(header, users, columns('users'), ctx)
        : fileLines(header, own.get(file) as SortedRows);
    },
    dispose,
  };
}

/** First record's version of a shared row wins; a later record that disagrees gets loss entries. */
function mergeShared(
  shared: Map<OrFile, Map<string, SharedEntry>>,
  file: OrFile,
  item: SharedRow,
  columns: readonly string[],
  index: ReadonlyMap<string, number>,
  ctx: ExportContext,
): void {
  const table = shared.get(file) ?? new Map<string, SharedEntry>();
  shared.set(file, table);
  const known = table.get(item.key);
  if (!known) {
    const entry: SharedEntry = { cells: columns.map((c) => item.row[c] ?? '') };
    if (file === 'users') Object.assign(entry, { owner: item.owner, pointers: item.pointers });
    if (item.union?.length)
      entry.union = new Map(item.union.map((c) => [index.get(c) as number, new Set(splitList(item.row[c]))]));
    table.set(item.key, entry);
    return;
  }
  for (const c of item.union ?? [])
    for (const v of splitList(item.row[c])) known.union?.get(index.get(c) as number)?.add(v);
  for (const column of item.compare ?? []) {
    const i = index.get(column) as number;
    const mine = item.row[column] ?? '';
    const theirs = known.cells[i];
    if (mine === theirs) continue;
    // An empty value (a school first seen without its organiser) is filled, not a conflict.
    if (theirs === '') {
      known.cells[i] = mine;
      continue;
    }
    if (mine === '') continue;
    for (const pointer of item.pointers ?? [])
      ctx.loss({
        kind: 'approximated',
        source: { pointer },
        target: { file: csvName(file), field: column },
        detail: `pupil ${item.owner}: ${csvName(file)} ${item.key} is written once, as another record has it (${column} "${theirs}", not "${mine}")`,
      });
  }
}

async function* fileLines(header: string, rows: SortedRows): AsyncGenerator<string> {
  yield header;
  let last: { key: string; line: string } | undefined;
  for await (const item of rows.sorted()) {
    // Equal rows from several records (a guardian's role) are written once.
    if (last && last.key === item.key) continue;
    last = item;
    yield item.line;
  }
}

/** users.csv: pupils, guardians and teachers; one row per sourcedId, agents of shared guardians joined. */
async function* userLines(
  header: string,
  rows: SortedRows,
  columns: string[],
  ctx: ExportContext,
): AsyncGenerator<string> {
  yield header;
  let group: { meta: UserMeta; row: Row }[] = [];
  const flush = (): string => {
    const [first, ...rest] = group;
    const row = { ...first.row };
    for (const other of rest) {
      const differs =
        other.meta.kind !== first.meta.kind
          ? [`a ${first.meta.kind} has the same sourcedId`]
          : first.meta.compare.filter((c) => (other.row[c] ?? '') !== (row[c] ?? ''));
      if (other.meta.kind === first.meta.kind)
        for (const column of first.meta.union)
          row[column] = [...new Set([...splitList(row[column]), ...splitList(other.row[column])])]
            .sort()
            .join(',');
      if (differs.length > 0)
        for (const pointer of other.meta.pointers)
          ctx.loss({
            kind: 'dropped',
            source: { pointer },
            target: { file: 'users.csv', field: 'sourcedId' },
            detail: `pupil ${other.meta.owner}: users.csv ${first.meta.sourcedId} is written once, from another record's version (${differs.join(', ')})`,
          });
    }
    group = [];
    return csvLine(columns, row);
  };
  for await (const item of rows.sorted()) {
    const { row, meta } = JSON.parse(item.line) as { row: Row; meta: UserMeta };
    if (group.length > 0 && group[0].meta.sourcedId !== meta.sourcedId) yield flush();
    group.push({ meta, row });
  }
  if (group.length > 0) yield flush();
}

async function* manifestLines(kommunCode: string): AsyncGenerator<string> {
  await Promise.resolve();
  yield 'propertyName,value';
  yield 'manifest.version,1.0';
  yield 'oneroster.version,1.2';
  for (const file of MANIFEST_FILES)
    yield `file.${file},${(WRITTEN as readonly string[]).includes(file) ? 'bulk' : 'absent'}`;
  yield 'source.systemName,portabel';
  yield `source.systemCode,${kommunCode}`;
}

/** Lines joined with CRLF (RFC 4180) into chunks of about 64 KB, as UTF-8 bytes. */
async function* chunked(lines: AsyncIterable<string>): AsyncGenerator<Buffer> {
  let parts: string[] = [];
  let size = 0;
  for await (const line of lines) {
    parts.push(line, '\r\n');
    size += line.length + 2;
    if (size >= 65536) {
      yield Buffer.from(parts.join(''), 'utf8');
      parts = [];
      size = 0;
    }
  }
  if (parts.length > 0) yield Buffer.from(parts.join(''), 'utf8');
}

function csvLine(columns: readonly string[], row: Row): string {
  return columns.map((c) => csvField(row[c] ?? '')).join(',');
}

export function csvField(value: string): string {
  return /[",\r\n]|^\s|\s$/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

function splitList(value: string | undefined): string[] {
  return value ? value.split(',').filter((v) => v) : [];
}
