import type { Readable } from 'node:stream';
import { readCsv, readCsvBatches, type CsvRecord } from './csv-reader';
import { CSV_CONVERTERS, type CsvRow } from './csv-entities';
import { detach, nfc, parseStatus } from './entity-fields';
import { csvName, OR_FILES, type OrFile } from './oneroster-1.2.columns';
import type { EntityOf, Origin, OrExtra, OrStatus, RosterSource } from './oneroster-1.2.entities';
import { inputError, OR_ERRORS } from './oneroster-1.2.errors';
import { parseDateLike } from './oneroster-dates';
import type { ZipArchive } from './zip-archive';

export interface CsvSourceOptions {
  maxFieldBytes: number;
  /** Column renames: by file name ('users.csv') or '*' for every file; source column -> OneRoster column. */
  fieldAliases: Readonly<Record<string, Readonly<Record<string, string>>>>;
}

type Mode = 'bulk' | 'delta';

/**
 * A OneRoster CSV bundle in a zip. The manifest decides which files exist: `bulk` and `delta` ones must be
 * in the zip (ONEROSTER.MISSING_FILE), `absent` ones are skipped even when present. A file the manifest
 * does not mention at all is read as bulk when the zip has it, as 1.0-era manifests list fewer files.
 */
export class CsvRosterSource implements RosterSource {
  private constructor(
    private readonly zip: ZipArchive,
    readonly modes: ReadonlyMap<OrFile, Mode>,
    private readonly opts: CsvSourceOptions,
  ) {}

  static async open(zip: ZipArchive, opts: CsvSourceOptions): Promise<CsvRosterSource> {
    if (!zip.has('manifest.csv'))
      throw inputError(
        OR_ERRORS.missingManifest,
        `the zip has no manifest.csv, so it is not a OneRoster CSV bundle (it holds: ${zip.names().slice(0, 10).join(', ') || 'nothing'})`,
        { file: 'manifest.csv' },
      );
    const manifest = await readManifest(await zip.openEntry('manifest.csv'), opts.maxFieldBytes);
    const modes = new Map<OrFile, Mode>();
    for (const file of Object.keys(OR_FILES) as OrFile[]) {
      const declared = manifest.get(`file.${file.toLowerCase()}`);
      if (!declared) {
        if (zip.has(csvName(file))) modes.set(file, 'bulk');
        continue;
      }
      if (declared.value === 'absent') continue;
      if (!zip.has(csvName(file)))
        throw inputError(
          OR_ERRORS.missingFile,
          `manifest.csv line ${declared.line} says ${csvName(file)} is ${declared.value}, but the zip has no ${csvName(file)}`,
          { file: csvName(file) },
        );
      modes.set(file, declared.value);
    }
    return new CsvRosterSource(zip, modes, opts);
  }

  async *batches<K extends OrFile>(file: K): AsyncGenerator<EntityOf[K][]> {
    if (!this.modes.has(file)) return;
    const name = csvName(file);
    let header: { origin: HeaderOrigin; extraColumns: [string, number][] } | undefined;
    const convert = CSV_CONVERTERS[file] as (row: CsvRow) => EntityOf[K];
    for await (const records of readCsvBatches(
      await this.zip.openEntry(name),
      name,
      this.opts.maxFieldBytes,
    )) {
      let from = 0;
      if (!header) {
        const origin = headerOrigin(file, records[0], this.opts.fieldAliases);
        header = {
          origin,
          extraColumns: [...origin.columns.entries()].filter(([field]) => !origin.known.has(field)),
        };
        from = 1;
      }
      const entities: EntityOf[K][] = [];
      try {
        for (let i = from; i < records.length; i++)
          entities.push(convert(toRow(records[i], header.origin, header.extraColumns)));
      } catch (error) {
        // The rows before a bad one go first, as they would row by row.
        if (entities.length > 0) yield entities;
        throw error;
      }
      if (entities.length > 0) yield entities;
    }
    if (!header)
      throw inputError(OR_ERRORS.missingHeader, `${name} is empty: it has no header`, {
        file: name,
        line: 1,
      });
  }

  close(): Promise<void> {
    this.zip.close();
    return Promise.resolve();
  }
}

interface HeaderOrigin extends Origin {
  columns: Map<string, number>;
  /** Column names the converter reads; the rest are extras (ext_* and unknown columns). */
  known: Set<string>;
}

function headerOrigin(
  file: OrFile,
  header: CsvRecord,
  aliases: CsvSourceOptions['fieldAliases'],
): HeaderOrigin {
  const name = csvName(file);
  const spec = OR_FILES[file];
  const byLower = new Map<string, string>();
  for (const column of [...spec.columns, ...(spec.ext ?? [])]) byLower.set(column.toLowerCase(), column);
  for (const [alias, column] of Object.entries(spec.aliases ?? {})) byLower.set(alias, column);
  const renames = { ...(aliases['*'] ?? {}), ...(aliases[name] ?? {}) };

  const columns = new Map<string, number>();
  header.cells.forEach((raw, index) => {
    const cell = raw.trim();
    const renamed = renames[cell] ?? cell;
    const canonical = byLower.get(renamed.toLowerCase()) ?? renamed;
    if (canonical === '') return;
    if (columns.has(canonical))
      throw inputError(
        OR_ERRORS.duplicateHeader,
        `${name}: column ${canonical} appears twice in the header`,
        {
          file: name,
          line: header.line,
          column: index + 1,
        },
      );
    columns.set(canonical, index);
  });
  for (const required of spec.required) {
    if (!columns.has(required))
      throw inputError(
        OR_ERRORS.missingHeader,
        `${name}: the header has no ${required} column (it has: ${header.cells.join(', ')})`,
        { file: name, line: header.line },
      );
  }
  const known = new Set<string>([...byLower.values(), 'sourcedId', 'status', 'dateLastModified']);
  return { file: name, columns, known };
}

function toRow(record: CsvRecord, origin: HeaderOrigin, extraColumns: [string, number][]): CsvRow {
  const row = new CsvRowView(record.cells, record.line, origin, extraColumns);
  const statusIndex = origin.columns.get('status');
  const status = parseStatus(statusIndex === undefined ? undefined : record.cells[statusIndex]);
  if (!status)
    throw inputError(
      OR_ERRORS.badValue,
      `${origin.file} line ${record.line}: status must be active or tobedeleted, not "${record.cells[statusIndex ?? 0]}"`,
      { file: origin.file, line: record.line, column: (statusIndex ?? 0) + 1 },
    );
  row.status = status;
  const modified = row.get('dateLastModified');
  // A garbled dateLastModified means the exporting system is broken, not one pupil's data.
  if (modified !== undefined && !parseDateLike(modified))
    throw inputError(
      OR_ERRORS.badDate,
      `${origin.file} line ${record.line}: dateLastModified "${modified}" is not a date`,
      {
        file: origin.file,
        line: record.line,
        column: (origin.columns.get('dateLastModified') ?? 0) + 1,
      },
    );
  return row;
}

/** A record seen through its header: one small object per row, no closures. */
class CsvRowView implements CsvRow {
  status: OrStatus = 'active';

  constructor(
    readonly cells: string[],
    readonly at: number,
    readonly origin: HeaderOrigin,
    private readonly extraColumns: [string, number][],
  ) {}

  get(field: string): string | undefined {
    return cellOf(this.cells, this.origin, field);
  }

  extras(): OrExtra[] {
    const result: OrExtra[] = [];
    for (const [field, index] of this.extraColumns) {
      const value = this.cells[index].trim();
      if (value !== '') result.push({ field, value: detach(nfc(value)) });
    }
    return result;
  }
}

function cellOf(cells: string[], origin: HeaderOrigin, field: string): string | undefined {
  const index = origin.columns.get(field);
  if (index === undefined) return undefined;
  const value = cells[index].trim();
  // Detached: entities of the shared tables and users' ids outlive the CSV chunk they were read from.
  return value === '' ? undefined : detach(nfc(value));
}

interface ManifestValue {
  value: Mode | 'absent';
  line: number;
}

async function readManifest(bytes: Readable, maxFieldBytes: number): Promise<Map<string, ManifestValue>> {
  const file = 'manifest.csv';
  const result = new Map<string, ManifestValue>();
  let header = true;
  for await (const { cells, line } of readCsv(bytes, file, maxFieldBytes)) {
    if (header) {
      header = false;
      const names = cells.map((c) => c.trim().toLowerCase());
      if (names[0] !== 'propertyname' || names[1] !== 'value')
        throw inputError(
          OR_ERRORS.missingHeader,
          `manifest.csv must begin with the header propertyName,value`,
          {
            file,
            line,
          },
        );
      continue;
    }
    const key = cells[0].trim().toLowerCase();
    if (!key.startsWith('file.')) continue;
    const value = cells[1].trim().toLowerCase();
    if (value !== 'bulk' && value !== 'delta' && value !== 'absent')
      throw inputError(
        OR_ERRORS.badManifest,
        `manifest.csv: ${cells[0].trim()} must be bulk, delta or absent, not "${cells[1].trim()}"`,
        {
          file,
          line,
          column: 2,
        },
      );
    result.set(key, { value, line });
  }
  if (header) throw inputError(OR_ERRORS.missingHeader, 'manifest.csv is empty', { file, line: 1 });
  return result;
}
