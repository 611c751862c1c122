/**
 * The adapter conformance kit: the checks conformance.spec.ts runs on every adapter in the registry, as far
 * as its capabilities go. Each check returns what is wrong, as sentences naming the adapter, the input and
 * what happened, so a failure says what to fix; an empty list is a pass.
 *
 * 0. Declarations: name, semver, media types, reads/writes and exportFormat agree with what is
 *    implemented; the default options (each property's schema `default`) fit optionsSchema.
 * 1. Fixtures (src/adapters/<name>/fixtures, see kit-fixtures.ts): each imports as its expect.json says;
 *    every record passes validateLearnerRecord, every rejection says where (file, line, column, pointer
 *    or parameter). Imported records carry `source.platform` = the platform id, provenance as the import
 *    convention has it on the pupil and every item, only the sections `reads` lists, and `defaulted` /
 *    `approximated` entries whose `target.pointer` exists in the record.
 * 2. Round trip, below.
 * 3. Determinism: the same records and context, exported twice, give the same bytes and loss entries.
 * 4. Swedish text: a record whose names and texts hold å ä ö Å Ä Ö é and decomposed å and ö passes the
 *    round trip (strings compared in NFC); every word with a letter beyond ASCII of a text the export did
 *    not report as dropped is found in the re-imported record (approximated texts included); no mojibake.
 * 5. Malformed input: empty, random bytes, the first half of each ok fixture: an AdapterInputError with at
 *    least one located error, or located rejections (valid records may come out of a half). Each UTF-8 ok
 *    fixture behind a BOM and with CRLF: the same import as the fixture. One with a character in Latin-1:
 *    refused as above, or imported with no record other than the fixture's. Never another error or a hang.
 * 6. Sniffing: each ok fixture scores higher with its own adapter than with any other (ties only as
 *    LEGITIMATE_TIES allows, broken by file name); the adapter's own export too; sniff answers 0 to 1.
 *
 * Round-trip rule (canonical -> format -> canonical):
 * - Records are generated (src/seed), given `source.platform` = the kit's platform, exported with a real
 *   context (fixed `now` after the seed's reference date, the adapter's default options, a jose-backed
 *   KommunSigner) and the output is imported from a file with the same platform, kommun and `now` (and a
 *   CredentialVerifier that knows the signer's keys). Re-imported records are matched by `source.id`.
 * - Each pair must be equal except exactly where loss entries say. Compared: every field but `provenance`,
 *   strings in NFC, arrays as multisets (items sorted by canonical JSON), an array or object left empty
 *   the same as none.
 * - Which entries apply where: an export entry's `source.pointer` names a place in the ORIGINAL record;
 *   an import entry's `target.pointer` (any kind) one in the RE-IMPORTED record. A pointer without an array
 *   index (`/achievements`, `/pupil/givenName`) names the same place in both records and applies to both; a
 *   pointer through an array index (`/grades/3`, `/evidence/0/id`) applies only to its own side, since
 *   dropped items renumber arrays. The pointer '' names the whole record: it may then not come back.
 * - Which record an export entry belongs to: the record the adapter pulled last, when the entry is
 *   reported before the next record is pulled (records are handed over one at a time, so this holds for
 *   adapters that report while mapping a record and for those that report right after yielding its
 *   output). An entry reported before the first pull or after the last belongs to the record whose
 *   document its `target.file` (else `source.file`) names (`<source.id>.<ext>`, as ELMO's zip entries
 *   are named). An entry no rule attributes is applied to every record of that export.
 * - Every export entry has a `source.pointer` that exists in its record (one without an array index may
 *   instead exist only in the re-imported record); every `defaulted` or `approximated` import entry a
 *   `target.pointer` that exists in the re-imported record.
 * - Nothing silently lost: a section of the original (or a field of `pupil` or `contact`) that is gone
 *   after the round trip must be named, or held, by a pointer of an entry of that pair.
 * - A re-imported record must be valid and not rejected, no pupil may come back that was not sent, the
 *   export must not change the records it is given, and no re-imported credential may fail verification
 *   (the generated records hold none, so any is one the export signed).
 */
import { isDeepStrictEqual } from 'node:util';
import { readFileSync } from 'node:fs';
import { checkAdapterOptions } from '../../../src/adapters/adapter-options';
import { AdapterInputError } from '../../../src/adapters/adapter-input.errors';
import type { ImportItem, LossEntry, VendorAdapter } from '../../../src/adapters/vendor-adapter.port';
import type { LearnerRecord } from '../../../src/records/learner-record.types';
import { validateLearnerRecord } from '../../../src/records/learner-record.validator';
import { generatePupils } from '../../../src/seed/pupil-generator';
import type { KitKeys } from './kit-keys';
import { discoverFixtures, type ExpectedError, type FixtureCase } from './kit-fixtures';
import {
  bundledLossReport,
  bytesInput,
  defaultOptions,
  fileInput,
  importContext,
  KIT_NOW,
  KIT_PLATFORM,
  runExport,
  runImport,
  type ExportRun,
  type ImportOutcome,
} from './kit-io';
import {
  comparable,
  differences,
  hasArrayIndex,
  parsePointer,
  pointerCovers,
  resolves,
} from './record-comparison';

export { createKitKeys, type KitKeys } from './kit-keys';
export { discoverFixtures, type FixtureCase } from './kit-fixtures';
export { defaultOptions, removeScratch } from './kit-io';

type RecordItem = Extract<ImportItem, { kind: 'record' }>;
type RejectedItem = Extract<ImportItem, { kind: 'rejected' }>;

export const imports = (adapter: VendorAdapter): boolean => typeof adapter.import === 'function';
export const exportsRecords = (adapter: VendorAdapter): boolean => typeof adapter.export === 'function';

const ITEM_SECTIONS = [
  'guardians',
  'enrolments',
  'groups',
  'grades',
  'assessments',
  'attendance',
  'supportMeasures',
  'achievements',
  'evidence',
] as const;

// ---------------------------------------------------------------------------------------------------------
// 0. What the adapter declares

/** The port's declarations agree with each other and with the options schema. */
export function declarationProblems(adapter: VendorAdapter, all: readonly VendorAdapter[]): string[] {
  const problems: string[] = [];
  if (!/^[a-z0-9]+([.-][a-z0-9]+)*$/.test(adapter.name))
    problems.push(`name "${adapter.name}" is not kebab-case`);
  if (all.filter((other) => other.name === adapter.name).length > 1)
    problems.push(`another adapter in the registry is also named "${adapter.name}"`);
  if (!/^[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$/.test(adapter.version))
    problems.push(`version "${adapter.version}" is not semver`);
  const importing = imports(adapter);
  const exporting = exportsRecords(adapter);
  if (importing !== adapter.mediaTypes.import.length > 0)
    problems.push(
      `import is ${importing ? '' : 'not '}implemented but mediaTypes.import lists ${adapter.mediaTypes.import.length}`,
    );
  if (exporting !== adapter.mediaTypes.export.length > 0)
    problems.push(
      `export is ${exporting ? '' : 'not '}implemented but mediaTypes.export lists ${adapter.mediaTypes.export.length}`,
    );
  if (importing !== adapter.reads.length > 0)
    problems.push(`reads (${adapter.reads.length}) does not match import`);
  if (exporting !== adapter.writes.length > 0)
    problems.push(`writes (${adapter.writes.length}) does not match export`);
  if (exporting && !adapter.exportFormat) problems.push('export without exportFormat');
  if (adapter.exportFormat && !adapter.mediaTypes.export.includes(adapter.exportFormat.mediaType))
    problems.push(`exportFormat.mediaType ${adapter.exportFormat.mediaType} is not in mediaTypes.export`);
  if (importing && !adapter.sniff)
    problems.push('import without sniff: an upload that names no format never finds it');
  if (adapter.optionsSchema) {
    try {
      // The check a registration runs (with the service's own formats, e.g. time-zone).
      const errors = checkAdapterOptions(adapter, defaultOptions(adapter));
      if (errors.length)
        problems.push(
          `the default options do not fit optionsSchema: ${errors.map((e) => `${e.pointer} ${e.detail}`).join('; ')}`,
        );
    } catch (error) {
      problems.push(`optionsSchema does not compile: ${(error as Error).message}`);
    }
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------------------
// 1. Fixtures

/** One fixture imports as its expect.json says; everything it yields is a valid record or a located rejection. */
export async function fixtureProblems(
  adapter: VendorAdapter,
  fixture: FixtureCase,
  keys: KitKeys,
): Promise<string[]> {
  const { expectation } = fixture;
  if (expectation.kind === 'unreadable') return [expectation.problem];
  const outcome = await runImport(adapter, fileInput(fixture.path), importContext(adapter), {
    verifier: keys.verifier,
  });
  const where = `${fixture.dir}/${fixture.file}`;
  if (outcome.kind === 'timed-out') return [`${where}: the import did not end in time`];

  if (expectation.kind === 'thrown') {
    if (outcome.kind !== 'thrown')
      return [
        `${where}: expected AdapterInputError ${expectation.code}, but the import completed with ${summary(outcome.items)}`,
      ];
    if (!(outcome.error instanceof AdapterInputError))
      return [
        `${where}: expected AdapterInputError ${expectation.code}, but it threw ${describeError(outcome.error)}`,
      ];
    const problems: string[] = [];
    if (outcome.error.code !== expectation.code)
      problems.push(
        `${where}: code ${outcome.error.code}, expected ${expectation.code} (${describeError(outcome.error)})`,
      );
    problems.push(...missingErrors(where, expectation.errors, outcome.error.errors ?? []));
    return problems;
  }

  if (outcome.kind === 'thrown')
    return [`${where}: expected the import to complete, but it threw ${describeError(outcome.error)}`];
  const problems = recordProblems(where, outcome.items);
  if (expectation.kind === 'rejected') {
    const errors = outcome.items.flatMap((item) => (item.kind === 'rejected' ? item.errors : []));
    problems.push(...missingErrors(where, expectation.errors, errors, 'rejected items'));
    return problems;
  }
  const counts = countItems(outcome.items);
  for (const [key, want] of Object.entries(expectation.counts))
    if (counts[key as keyof typeof counts] !== want)
      problems.push(
        `${where}: ${counts[key as keyof typeof counts]} ${key}, expected ${want} (${summary(outcome.items)})`,
      );
  return problems;
}

/** Imported records carry `source` and `provenance` as the import convention says, and only declared sections. */
export async function stampProblems(
  adapter: VendorAdapter,
  fixture: FixtureCase,
  keys: KitKeys,
): Promise<string[]> {
  const outcome = await runImport(adapter, fileInput(fixture.path), importContext(adapter), {
    verifier: keys.verifier,
  });
  if (outcome.kind !== 'items') return [];
  const where = `${fixture.dir}/${fixture.file}`;
  const problems: string[] = [];
  for (const item of outcome.items) {
    if (item.kind !== 'record') continue;
    const { record } = item;
    const who = `${where} pupil ${record.source.id}`;
    if (record.source.platform !== KIT_PLATFORM)
      problems.push(
        `${who}: source.platform is "${record.source.platform}", not the platform id "${KIT_PLATFORM}"`,
      );
    const undeclared = Object.keys(record).filter(
      (key) => !['schemaVersion', 'source', 'pupil'].includes(key) && !adapter.reads.includes(key as never),
    );
    if (undeclared.length > 0)
      problems.push(`${who}: fills ${undeclared.join(', ')}, which reads does not list`);
    const stamped: [string, unknown][] = [['/pupil', record.pupil]];
    for (const section of ITEM_SECTIONS)
      record[section]?.forEach((entry, i) => stamped.push([`/${section}/${i}`, entry]));
    for (const entry of item.loss ?? []) {
      if (entry.kind !== 'defaulted' && entry.kind !== 'approximated') continue;
      const pointer = entry.target?.pointer;
      if (pointer === undefined || !resolves(record, pointer))
        problems.push(
          `${who}: an import ${entry.kind} entry does not name a place the record has: ${JSON.stringify(entry)}`,
        );
    }
    for (const [pointer, holder] of stamped) {
      const provenance = (holder as { provenance?: Record<string, unknown> }).provenance;
      if (!provenance) {
        problems.push(`${who}: ${pointer} has no provenance`);
        continue;
      }
      const want = {
        sourcePlatform: KIT_PLATFORM,
        adapter: adapter.name,
        adapterVersion: adapter.version,
        importedAt: KIT_NOW.toISOString(),
      };
      const wrong = Object.entries(want).filter(([key, value]) => provenance[key] !== value);
      if (wrong.length > 0)
        problems.push(
          `${who}: ${pointer}/provenance has ${wrong.map(([k]) => `${k} ${JSON.stringify(provenance[k])}`).join(', ')}; expected ${wrong.map(([k, v]) => `${k} ${JSON.stringify(v)}`).join(', ')}`,
        );
    }
  }
  return problems.slice(0, 20);
}

function countItems(items: ImportItem[]): { records: number; deletions: number; rejected: number } {
  return {
    records: items.filter((i) => i.kind === 'record').length,
    deletions: items.filter((i) => i.kind === 'deletion').length,
    rejected: items.filter((i) => i.kind === 'rejected').length,
  };
}

function summary(items: ImportItem[]): string {
  const c = countItems(items);
  const rejected = items
    .filter((i): i is RejectedItem => i.kind === 'rejected')
    .slice(0, 3)
    .map((i) => JSON.stringify(i.errors.slice(0, 2)));
  return `${c.records} records, ${c.deletions} deletions, ${c.rejected} rejected${rejected.length ? ` ${rejected.join(' ')}` : ''}`;
}

function missingErrors(
  where: string,
  wanted: ExpectedError[],
  actual: readonly object[],
  what = 'errors',
): string[] {
  return wanted
    .filter((want) => !actual.some((error) => isSubset(want, error)))
    .map(
      (want) =>
        `${where}: no error matches ${JSON.stringify(want)}; the ${what}: ${JSON.stringify(actual).slice(0, 600)}`,
    );
}

function isSubset(want: object, actual: object): boolean {
  return Object.entries(want).every(([key, value]) =>
    isDeepStrictEqual((actual as Record<string, unknown>)[key], value),
  );
}

/** Every record valid; every rejection holds errors that say where. */
function recordProblems(where: string, items: ImportItem[]): string[] {
  const problems: string[] = [];
  for (const item of items) {
    if (item.kind === 'record') {
      const errors = validateLearnerRecord(item.record);
      if (errors.length > 0)
        problems.push(
          `${where}: pupil ${item.record?.source?.id} is not a valid record: ${JSON.stringify(errors.slice(0, 5))}`,
        );
    } else if (item.kind === 'rejected' && !located(item.errors)) {
      problems.push(`${where}: a rejected item does not say where: ${JSON.stringify(item)}`);
    }
  }
  return problems;
}

const LOCATION_KEYS = ['file', 'line', 'column', 'pointer', 'parameter'] as const;

/** Non-empty, and each error names a place. */
function located(errors: readonly object[] | undefined): boolean {
  return (
    errors !== undefined &&
    errors.length > 0 &&
    errors.every((e) => LOCATION_KEYS.some((key) => (e as Record<string, unknown>)[key] !== undefined))
  );
}

export function describeError(error: unknown): string {
  if (error instanceof AdapterInputError)
    return `AdapterInputError ${error.code} "${error.detail}" ${JSON.stringify(error.errors ?? []).slice(0, 400)}`;
  if (error instanceof Error) {
    const at = error.stack
      ?.split('\n')
      .find((line) => line.includes('/src/'))
      ?.trim();
    return `${error.name}: ${error.message}${at ? ` (${at})` : ''}`;
  }
  return `a non-Error value ${JSON.stringify(error)}`;
}

// ---------------------------------------------------------------------------------------------------------
// 2. Round trip

/** Generated pupils, as a platform registered in portabel would have them. */
export function kitRecords(
  seed: number,
  count: number,
  startIndex: number,
  kommunCode: string,
): LearnerRecord[] {
  return [...generatePupils({ kommunCode, count, seed, startIndex })].map((record) => ({
    ...record,
    source: { platform: KIT_PLATFORM, id: record.source.id },
  }));
}

export interface RoundTripPair {
  original: LearnerRecord;
  back?: RecordItem;
  exportLoss: LossEntry[];
}

export interface RoundTripResult {
  problems: string[];
  pairs: RoundTripPair[];
  run?: ExportRun;
}

/** Export, import, compare: see the rule at the top of this file. */
export async function roundTrip(
  adapter: VendorAdapter,
  originals: LearnerRecord[],
  keys: KitKeys,
  kommunCode: string,
  options: Record<string, unknown> = defaultOptions(adapter),
): Promise<RoundTripResult> {
  const run = await runExport(adapter, originals, { kommunCode, signer: keys.signer(kommunCode), options });
  if (run.error !== undefined)
    return { problems: [`export threw ${describeError(run.error)}`], pairs: [], run };
  const problems: string[] = [];
  for (const i of run.mutated)
    problems.push(`export changed the record it was given (pupil ${originals[i].source.id})`);
  const exportLoss = run.lossByRecord.map((entries) => [...entries, ...run.unattributed]);
  for (const entry of run.unattributed)
    if (!originals.some((original) => resolves(original, entry.source.pointer ?? '')))
      problems.push(
        `a loss entry no record owns names ${entry.source.pointer}, which no record has: ${JSON.stringify(entry)}`,
      );
  // Nothing written (every record reported as dropped whole): there is nothing to import.
  if (exportLoss.every((entries) => entries.some((e) => e.source.pointer === ''))) {
    const pairs = originals.map((original, i) => ({ original, exportLoss: exportLoss[i] }));
    pairs.forEach((pair, i) => problems.push(...exportPointerProblems(pair, run.lossByRecord[i])));
    return { problems, pairs, run };
  }

  const ctx = { ...importContext(adapter, kommunCode), options };
  const input = bytesInput(run.bytes, `round-trip.${adapter.exportFormat?.extension ?? 'out'}`);
  const outcome = await runImport(adapter, input, ctx, { verifier: keys.verifier });
  if (outcome.kind !== 'items')
    return { problems: [...problems, `the import of the export ${outcomeText(outcome)}`], pairs: [], run };

  const wholeRecordDropped = new Set(
    originals.filter((_, i) => exportLoss[i].some((e) => e.source.pointer === '')).map((r) => r.source.id),
  );
  const back = new Map<string, RecordItem>();
  for (const item of outcome.items) {
    if (item.kind === 'deletion')
      problems.push(`the import of the export yielded a deletion of ${item.sourceId}`);
    if (item.kind === 'rejected' && !(item.sourceId && wholeRecordDropped.has(item.sourceId)))
      problems.push(
        `the import of the export rejected ${item.sourceId ?? 'a pupil'}: ${JSON.stringify(item.errors).slice(0, 500)}`,
      );
    if (item.kind !== 'record') continue;
    const id = item.record.source.id;
    if (back.has(id)) problems.push(`the import of the export yielded pupil ${id} twice`);
    back.set(id, item);
    // The generated records hold no signed credentials, so whatever is signed now, the export signed.
    for (const [i, achievement] of (item.record.achievements ?? []).entries())
      if (achievement.verification?.status === 'failed')
        problems.push(
          `pupil ${id}: /achievements/${i} fails verification after the round trip: ${achievement.verification.method} ${achievement.verification.detail ?? ''}`,
        );
  }
  problems.push(...recordProblems('the import of the export', outcome.items));
  const sent = new Set(originals.map((r) => r.source.id));
  for (const id of back.keys())
    if (!sent.has(id)) problems.push(`pupil ${id} came back but was never exported`);

  const pairs = originals.map((original, i) => ({
    original,
    back: back.get(original.source.id),
    exportLoss: exportLoss[i],
  }));
  pairs.forEach((pair, i) =>
    problems.push(...exportPointerProblems(pair, run.lossByRecord[i]), ...pairProblems(pair)),
  );
  return { problems, pairs, run };
}

function outcomeText(outcome: ImportOutcome): string {
  if (outcome.kind === 'thrown') return `threw ${describeError(outcome.error)}`;
  if (outcome.kind === 'timed-out') return 'did not end in time';
  return `completed with ${summary(outcome.items)}`;
}

/**
 * An export entry names a place the original has; one without an array index applies to both records
 * (see the rule above), so it may instead name a place only the re-imported record has.
 */
function exportPointerProblems({ original, back }: RoundTripPair, entries: LossEntry[]): string[] {
  const problems: string[] = [];
  for (const entry of entries) {
    const pointer = entry.source.pointer;
    if (pointer === undefined)
      problems.push(
        `pupil ${original.source.id}: an export loss entry has no source.pointer: ${JSON.stringify(entry)}`,
      );
    else if (parsePointer(pointer) === undefined)
      problems.push(
        `pupil ${original.source.id}: export loss source.pointer "${pointer}" is not a JSON pointer`,
      );
    else if (
      !resolves(original, pointer) &&
      (hasArrayIndex(pointer) || !back || !resolves(back.record, pointer))
    )
      problems.push(
        `pupil ${original.source.id}: an export loss entry names ${pointer}, which neither record has: ${JSON.stringify(entry)}`,
      );
  }
  return problems;
}

function pairProblems({ original, back, exportLoss }: RoundTripPair): string[] {
  const id = original.source.id;
  const exportPointers = exportLoss.flatMap((e) =>
    e.source.pointer !== undefined ? [e.source.pointer] : [],
  );
  if (!back) {
    return exportPointers.includes('')
      ? []
      : [`pupil ${id} did not come back, and no export loss entry names the whole record (pointer "")`];
  }
  const problems: string[] = [];
  const importLoss = back.loss ?? [];
  const importPointers = importLoss.flatMap((e) =>
    e.target?.pointer !== undefined ? [e.target.pointer] : [],
  );
  for (const entry of importLoss) {
    if (entry.kind !== 'defaulted' && entry.kind !== 'approximated') continue;
    const pointer = entry.target?.pointer;
    if (pointer === undefined || !resolves(back.record, pointer))
      problems.push(
        `pupil ${id}: an import ${entry.kind} entry does not name a place the re-imported record has: ${JSON.stringify(entry)}`,
      );
  }
  const all = [...exportPointers, ...importPointers];
  problems.push(
    ...silentlyLost(original, back.record, all).map(
      (place) => `pupil ${id}: ${place} is gone after the round trip, and no loss entry names it`,
    ),
  );

  const originalSide = comparable(original, [
    ...exportPointers,
    ...importPointers.filter((p) => !hasArrayIndex(p)),
  ]);
  const backSide = comparable(back.record, [
    ...importPointers,
    ...exportPointers.filter((p) => !hasArrayIndex(p)),
  ]);
  if (originalSide === undefined || backSide === undefined) return problems;
  const diff = differences(originalSide, backSide);
  if (diff.length > 0)
    problems.push(`pupil ${id} differs where no loss entry says it may:\n    ${diff.join('\n    ')}`);
  return problems;
}

/** Sections, and fields of pupil and contact, that the original has and the re-import lacks, named by no pointer. */
function silentlyLost(original: LearnerRecord, back: LearnerRecord, pointers: string[]): string[] {
  const before = comparable(original, []) as Record<string, unknown>;
  const after = comparable(back, []) as Record<string, unknown>;
  const places: string[] = [];
  for (const key of Object.keys(before)) {
    if (!(key in after)) places.push(`/${key}`);
    else if (key === 'pupil' || key === 'contact')
      for (const field of Object.keys(before[key] as object))
        if (!(field in (after[key] as object))) places.push(`/${key}/${field}`);
  }
  return places.filter((place) => !pointers.some((p) => pointerCovers(p, place) || pointerCovers(place, p)));
}

/** Values of an `alg` option (a signing algorithm, as clr-2.0 has) the kit holds a key for. */
export function signingAlgorithms(adapter: VendorAdapter): string[] {
  const alg = (adapter.optionsSchema?.properties as Record<string, { enum?: unknown[] }> | undefined)?.alg;
  return (alg?.enum ?? []).filter((v): v is string => v === 'RS256' || v === 'EdDSA' || v === 'ES256');
}

// ---------------------------------------------------------------------------------------------------------
// 3. Deterministic output

/**
 * The same records and context give the same bytes and the same loss entries. (Not checked: other time
 * zones. Under jest, setting process.env.TZ does not reach the clock, so the kit cannot move it.)
 */
export async function determinismProblems(adapter: VendorAdapter, keys: KitKeys): Promise<string[]> {
  const records = [swedishRecord().record, ...kitRecords(20260302, 4, 40, '1980')];
  const env = { kommunCode: '1980', signer: keys.signer('1980') };
  const first = await runExport(adapter, records, env);
  if (first.error !== undefined) return [`export threw ${describeError(first.error)}`];
  const second = await runExport(adapter, records, env);
  if (second.error !== undefined) return [`a second export threw ${describeError(second.error)}`];
  const problems: string[] = [];
  if (first.bytes.length === 0) problems.push('the export wrote nothing, so there was nothing to compare');
  if (!second.bytes.equals(first.bytes))
    problems.push(`a second export wrote other bytes: ${firstDifference(first.bytes, second.bytes)}`);
  if (!isDeepStrictEqual(second.allLoss, first.allLoss))
    problems.push('a second export reported other loss entries');
  // A bundle carries its complete loss report, as the last entry: every entry reported, in order.
  const bundled = await bundledLossReport(first.bytes);
  if (first.bytes.readUInt32LE(0) === 0x04034b50 && !bundled)
    problems.push('the export is a bundle (zip) without loss-report.json');
  if (bundled && !isDeepStrictEqual(bundled.entries, first.allLoss))
    problems.push(
      `loss-report.json lists ${bundled.entries.length} entries, not the ${first.allLoss.length} reported`,
    );
  return problems;
}

function firstDifference(a: Buffer, b: Buffer): string {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  const show = (buf: Buffer): string =>
    JSON.stringify(buf.subarray(Math.max(0, i - 20), i + 40).toString('latin1'));
  return `${a.length} and ${b.length} bytes, first different at byte ${i}: ${show(a)} vs ${show(b)}`;
}

// ---------------------------------------------------------------------------------------------------------
// 4. Swedish text

interface Planted {
  pointer: string;
  text: string;
}

const DECOMPOSED_A_RING = 'a\u030a';

/**
 * A generated pupil with every section that holds free text, rewritten so that names and texts hold
 * å ä ö Å Ä Ö é, and å and ö written decomposed (letter + combining mark) as some platforms send them.
 */
export function swedishRecord(): { record: LearnerRecord; planted: Planted[] } {
  const candidates = kitRecords(4242, 400, 0, '1980');
  const record = candidates.find(
    (r) =>
      r.pupil.securityMarking === 'Ingen' &&
      r.contact?.addresses?.length &&
      r.guardians?.length &&
      r.enrolments?.length &&
      r.groups?.length &&
      r.grades?.some((g) => g.gradingTeacher) &&
      r.assessments?.length &&
      r.evidence?.some((e) => e.xapiStatement),
  );
  if (!record) throw new Error('the seed has no pupil with every text-bearing section; change the seed');
  const planted: Planted[] = [];
  const plant = (pointer: string, text: string): string => {
    planted.push({ pointer, text });
    return text;
  };
  const { pupil } = record;
  pupil.givenName = plant('/pupil/givenName', 'Åsa-Märta Hélène');
  pupil.middleName = plant('/pupil/middleName', 'Öhrn');
  pupil.familyName = plant('/pupil/familyName', `Ängström-H${DECOMPOSED_A_RING}kansson`);
  const guardian = record.guardians![0];
  guardian.givenName = plant('/guardians/0/givenName', 'Bjo\u0308rn Örjan');
  guardian.familyName = plant('/guardians/0/familyName', `${DECOMPOSED_A_RING.toUpperCase()}dahl-Lindé`);
  const address = record.contact!.addresses![0];
  address.streetAddress = plant('/contact/addresses/0/streetAddress', 'Östra Ågatan 5 Ä');
  address.locality = plant('/contact/addresses/0/locality', 'Västerås');
  record.groups![0].name = plant('/groups/0/name', '7Ä Hälsa och Öresund');
  const g = record.grades!.findIndex((grade) => grade.gradingTeacher);
  record.grades![g].gradingTeacher!.name = plant(`/grades/${g}/gradingTeacher/name`, 'Åke Öström');
  record.assessments![0].text = plant(
    '/assessments/0/text',
    `Läser med god förståelse; övar på å, ä och ö. Skriver H${DECOMPOSED_A_RING}kan och Émile rätt. ÅÄÖ.`,
  );
  if (record.supportMeasures?.[0]?.description !== undefined)
    record.supportMeasures[0].description = plant(
      '/supportMeasures/0/description',
      'Extra anpassning i läsförståelse för Åsa.',
    );
  const e = record.evidence!.findIndex((item) => item.xapiStatement);
  const item = record.evidence![e];
  const title = 'Läsövning: Ödets år i Älvkarleby';
  item.title = plant(`/evidence/${e}/title`, title);
  const statement = JSON.parse(JSON.stringify(item.xapiStatement)) as {
    actor: Record<string, unknown>;
    object: { definition: { name: Record<string, string> } };
  };
  statement.actor.name = [pupil.givenName, pupil.middleName, pupil.familyName].join(' ');
  statement.object.definition.name['sv-SE'] = title;
  item.xapiStatement = statement;
  planted.push({ pointer: `/evidence/${e}/xapiStatement`, text: `${String(statement.actor.name)} ${title}` });
  const invalid = validateLearnerRecord(record);
  if (invalid.length > 0) throw new Error(`the kit's Swedish record is invalid: ${JSON.stringify(invalid)}`);
  return { record, planted };
}

/**
 * The round trip of the Swedish record passes (NFC compared), every word with a letter beyond ASCII of each
 * text the export did not report as dropped is found in the re-imported record, and nothing is mojibake.
 */
export async function swedishTextProblems(adapter: VendorAdapter, keys: KitKeys): Promise<string[]> {
  const { record, planted } = swedishRecord();
  const result = await roundTrip(adapter, [record], keys, '1980');
  const problems = [...result.problems];
  const [pair] = result.pairs;
  if (!pair?.back) return problems;
  const texts = strings(pair.back.record).map((s) => s.normalize('NFC'));
  const corpus = texts.join('\n');
  for (const text of texts)
    if (/\uFFFD|Ã[\u0080-\u00BF]|Ã[¤¥¶„…–©]/.test(text))
      problems.push(`garbled text after the round trip: ${JSON.stringify(text)}`);
  const dropped = pair.exportLoss.filter((e) => e.kind === 'dropped').map((e) => e.source.pointer ?? '');
  for (const { pointer, text } of planted) {
    if (dropped.some((p) => pointerCovers(p, pointer))) continue;
    for (const word of swedishWords(text))
      if (!corpus.includes(word))
        problems.push(
          `"${word}" of ${pointer} (${JSON.stringify(text)}) is not in the re-imported record, and no loss entry says ${pointer} was dropped`,
        );
  }
  return problems;
}

function swedishWords(text: string): string[] {
  return text
    .normalize('NFC')
    .split(/[\s,.;:!?()"]+/)
    .filter((word) => /[^\u0000-\u007f]/.test(word));
}

function strings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(strings);
  if (value !== null && typeof value === 'object')
    return Object.entries(value).flatMap(([key, child]) => (key === 'provenance' ? [] : strings(child)));
  return [];
}

// ---------------------------------------------------------------------------------------------------------
// 5. Malformed input

export interface GarbageCase {
  name: string;
  fileName: string;
  bytes: Buffer;
  /**
   * refuse: an AdapterInputError that says where, or only located rejections (never silent acceptance);
   * tolerate: refuse, or complete with valid records and located rejections (a cut may fall between
   *   two pupils, so fewer records can be right);
   * same: import exactly as `reference` does;
   * same-or-refuse: refuse, or import records only as `reference` does.
   */
  expect: 'refuse' | 'tolerate' | 'same' | 'same-or-refuse';
  reference?: FixtureCase;
}

/** Garbage for every importing adapter, made from nothing and from its own ok fixtures. */
export function garbageCases(
  adapter: VendorAdapter,
  fixtures: FixtureCase[],
): { cases: GarbageCase[]; problems: string[] } {
  const ok = fixtures.filter((f) => f.dir === 'ok');
  const ext = ok[0]?.file.split('.').pop() ?? 'bin';
  const random = pseudoRandomBytes(4096, 0x5eed);
  const cases: GarbageCase[] = [
    { name: 'an empty file', fileName: `empty.${ext}`, bytes: Buffer.alloc(0), expect: 'refuse' },
    { name: '4 KB of random bytes', fileName: `random.${ext}`, bytes: random, expect: 'refuse' },
  ];
  if (adapter.mediaTypes.import.includes('application/zip'))
    cases.push({
      name: 'random bytes behind a zip signature',
      fileName: 'random.zip',
      bytes: Buffer.concat([Buffer.from('PK\u0003\u0004', 'latin1'), random]),
      expect: 'refuse',
    });
  for (const fixture of ok) {
    const bytes = readFileSync(fixture.path);
    cases.push({
      name: `the first half of ok/${fixture.file}`,
      fileName: fixture.file,
      bytes: bytes.subarray(0, Math.floor(bytes.length / 2)),
      expect: 'tolerate',
    });
  }
  const problems: string[] = [];
  const plainFixtures = ok.filter((f) => isPlainText(readFileSync(f.path)));
  for (const plain of plainFixtures) {
    const text = readFileSync(plain.path, 'utf8');
    cases.push(
      {
        name: `ok/${plain.file} behind a UTF-8 BOM`,
        fileName: plain.file,
        bytes: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, 'utf8')]),
        expect: 'same',
        reference: plain,
      },
      {
        name: `ok/${plain.file} with CRLF line ends`,
        fileName: plain.file,
        bytes: Buffer.from(text.replace(/\n/g, '\r\n'), 'utf8'),
        expect: 'same',
        reference: plain,
      },
    );
  }
  // One that yields records, where a character decoded wrongly would show.
  const withLatin1 = plainFixtures.filter((f) => /[\u0080-\u00ff]/.test(readFileSync(f.path, 'utf8')));
  const latin =
    withLatin1.find((f) => f.expectation.kind === 'counts' && (f.expectation.counts.records ?? 0) > 0) ??
    withLatin1[0];
  if (latin) {
    const text = readFileSync(latin.path, 'utf8');
    const at = text.search(/[\u0080-\u00ff]/);
    cases.push({
      name: `ok/${latin.file} with "${text[at]}" in Latin-1`,
      fileName: latin.file,
      bytes: Buffer.concat([
        Buffer.from(text.slice(0, at), 'utf8'),
        Buffer.from([text.charCodeAt(at)]),
        Buffer.from(text.slice(at + 1), 'utf8'),
      ]),
      expect: 'same-or-refuse',
      reference: latin,
    });
  } else if (plainFixtures.length > 0) {
    problems.push(
      'no ok fixture is UTF-8 text with a non-ASCII character (U+0080–U+00FF), so the kit cannot re-encode one in Latin-1: add one (Swedish names)',
    );
  }
  return { cases, problems };
}

/** UTF-8 text without BOM, CR or NUL: a fixture the kit can add those to. */
function isPlainText(bytes: Buffer): boolean {
  if (bytes.length === 0 || bytes.includes(0) || bytes.includes(0x0d)) return false;
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return false;
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}

function pseudoRandomBytes(length: number, seed: number): Buffer {
  const out = Buffer.alloc(length);
  let state = seed >>> 0;
  for (let i = 0; i < length; i++) {
    // mulberry32
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = ((t ^ (t >>> 14)) >>> 0) & 0xff;
  }
  return out;
}

export async function garbageProblems(
  adapter: VendorAdapter,
  garbage: GarbageCase,
  keys: KitKeys,
): Promise<string[]> {
  const ctx = importContext(adapter);
  const outcome = await runImport(adapter, bytesInput(garbage.bytes, garbage.fileName), ctx, {
    verifier: keys.verifier,
  });
  const on = `on ${garbage.name}`;
  if (outcome.kind === 'timed-out') return [`${on}: the import did not end in time (a hang)`];
  const refusedWell = (): string[] => {
    if (outcome.kind === 'thrown') {
      if (!(outcome.error instanceof AdapterInputError))
        return [`${on}: threw ${describeError(outcome.error)}, not an AdapterInputError`];
      return outcome.error.errors?.some((e) => LOCATION_KEYS.some((k) => e[k] !== undefined))
        ? []
        : [
            `${on}: ${describeError(outcome.error)} does not say where (no error with file, line, column or pointer)`,
          ];
    }
    return [];
  };

  let reference: ImportItem[] | undefined;
  if (garbage.reference) {
    const ref = await runImport(adapter, fileInput(garbage.reference.path), ctx, { verifier: keys.verifier });
    if (ref.kind !== 'items')
      return [`${on}: ok/${garbage.reference.file} itself does not import (${outcomeText(ref)})`];
    reference = ref.items;
  }
  if (outcome.kind === 'thrown') {
    if (garbage.expect === 'same')
      return [`${on}: expected the same import as the fixture, but it threw ${describeError(outcome.error)}`];
    return refusedWell();
  }

  const { items } = outcome;
  const problems = recordProblems(on, items);
  const counts = countItems(items);
  const records = items.filter((i): i is RecordItem => i.kind === 'record').map((i) => i.record);
  const referenceRecords = (reference ?? [])
    .filter((i): i is RecordItem => i.kind === 'record')
    .map((i) => i.record);
  switch (garbage.expect) {
    case 'refuse':
      if (counts.rejected === 0)
        problems.push(`${on}: completed without an error or a rejection (${summary(items)})`);
      if (counts.records > 0) problems.push(`${on}: made ${counts.records} records of it`);
      break;
    case 'tolerate':
      break;
    case 'same':
      if (!isDeepStrictEqual(withoutLoss(items), withoutLoss(reference ?? [])))
        problems.push(
          `${on}: imported otherwise than the fixture itself: ${summary(items)} vs ${summary(reference ?? [])}${firstRecordDifference(referenceRecords, records)}`,
        );
      break;
    case 'same-or-refuse': {
      const strange = records.filter((r) => !referenceRecords.some((ref) => isDeepStrictEqual(ref, r)));
      if (strange.length > 0)
        problems.push(
          `${on}: made ${strange.length} record(s) that differ from the fixture's (the character was decoded as something else)${firstRecordDifference(referenceRecords, strange)}`,
        );
      if (counts.records + counts.rejected < referenceRecords.length)
        problems.push(
          `${on}: ${referenceRecords.length - counts.records} pupil(s) of the fixture are neither imported nor rejected`,
        );
      break;
    }
  }
  return problems;
}

/** What an import yields, without where in the input each item was (a BOM shifts columns). */
function withoutLoss(items: ImportItem[]): unknown[] {
  return items.map((item) => {
    if (item.kind === 'record') return { kind: item.kind, record: item.record };
    if (item.kind === 'rejected') return { kind: item.kind, sourceId: item.sourceId };
    return { kind: item.kind, sourcePlatform: item.sourcePlatform, sourceId: item.sourceId };
  });
}

function firstRecordDifference(expected: LearnerRecord[], actual: LearnerRecord[]): string {
  for (const record of actual) {
    const twin = expected.find((r) => r.source.id === record.source.id);
    if (!twin) return `; pupil ${record.source.id} is not in the fixture's import`;
    const diff = differences(comparable(twin, []) ?? {}, comparable(record, []) ?? {}, 4);
    if (diff.length > 0) return `; pupil ${record.source.id}: ${diff.join('; ')}`;
  }
  return '';
}

// ---------------------------------------------------------------------------------------------------------
// 6. Sniffing

/**
 * Where sniff() may legitimately give an ok fixture of `adapter` the same score as `other`: the first
 * bytes alone cannot tell the formats apart (generic JSON, say). The kit then requires that the file
 * name `fileName` breaks the tie. Empty: no adapter ties with another on its fixtures today.
 */
export const LEGITIMATE_TIES: readonly {
  adapter: string;
  other: string;
  fixture: string;
  fileName: string;
  why: string;
}[] = [];

export const SNIFF_HEAD_BYTES = 64 * 1024;

/** The adapter's own ok fixtures score higher with it than with any other adapter. */
export function sniffProblems(
  adapter: VendorAdapter,
  fixtures: FixtureCase[],
  all: readonly VendorAdapter[],
): string[] {
  if (!adapter.sniff) return [];
  const problems: string[] = [];
  for (const fixture of fixtures.filter((f) => f.dir === 'ok')) {
    const head = readFileSync(fixture.path).subarray(0, SNIFF_HEAD_BYTES);
    const own = adapter.sniff(head, fixture.file);
    if (!(own > 0)) problems.push(`ok/${fixture.file}: its own sniff gives ${own}`);
    for (const other of all) {
      if (other === adapter || !other.sniff) continue;
      const score = other.sniff(head, fixture.file);
      if (score < own || score === 0) continue;
      const tie = LEGITIMATE_TIES.find(
        (t) => t.adapter === adapter.name && t.other === other.name && t.fixture === fixture.file,
      );
      if (score === own && tie) {
        if (!(adapter.sniff(head, tie.fileName) > other.sniff(head, tie.fileName)))
          problems.push(
            `ok/${fixture.file}: ties with ${other.name} (${score}), and the file name ${tie.fileName} does not break the tie`,
          );
        continue;
      }
      problems.push(`ok/${fixture.file}: ${other.name} scores ${score}, ${adapter.name} only ${own}`);
    }
  }
  return problems;
}

/** What the adapter exports, named as an export is (`export.<extension>`), sniffs as its own format. */
export async function exportSniffProblems(
  adapter: VendorAdapter,
  all: readonly VendorAdapter[],
  keys: KitKeys,
): Promise<string[]> {
  if (!adapter.sniff || !adapter.export) return [];
  const records = [swedishRecord().record, ...kitRecords(20260302, 3, 40, '1980')];
  const run = await runExport(adapter, records, { kommunCode: '1980', signer: keys.signer('1980') });
  if (run.error !== undefined) return [`export threw ${describeError(run.error)}`];
  if (run.bytes.length === 0) return ['export wrote nothing for pupils with every section'];
  const name = `export.${adapter.exportFormat?.extension ?? 'out'}`;
  const head = run.bytes.subarray(0, SNIFF_HEAD_BYTES);
  const own = adapter.sniff(head, name);
  const problems = own > 0 ? [] : [`its own export, as ${name}, sniffs as ${own}`];
  for (const other of all) {
    if (other === adapter || !other.sniff) continue;
    const score = other.sniff(head, name);
    if (score >= own && score > 0)
      problems.push(`its own export, as ${name}: ${other.name} scores ${score}, ${adapter.name} only ${own}`);
  }
  return problems;
}

/** sniff() answers a number from 0 to 1 for anything, and never throws. */
export function sniffRobustnessProblems(
  adapter: VendorAdapter,
  samples: { name: string; bytes: Buffer }[],
): string[] {
  if (!adapter.sniff) return [];
  const problems: string[] = [];
  for (const { name, bytes } of samples) {
    try {
      const score = adapter.sniff(bytes.subarray(0, SNIFF_HEAD_BYTES), name);
      if (typeof score !== 'number' || !(score >= 0 && score <= 1))
        problems.push(`${name}: sniff gives ${score}`);
    } catch (error) {
      problems.push(`${name}: sniff threw ${describeError(error)}`);
    }
  }
  return problems;
}

export function sniffSamples(all: readonly VendorAdapter[]): { name: string; bytes: Buffer }[] {
  const samples = [
    { name: 'empty', bytes: Buffer.alloc(0) },
    { name: 'random.bin', bytes: pseudoRandomBytes(4096, 7) },
    { name: 'one-byte.json', bytes: Buffer.from('{') },
    { name: 'bom-only.json', bytes: Buffer.from([0xef, 0xbb, 0xbf]) },
    { name: 'zip-signature.zip', bytes: Buffer.from('PK\u0003\u0004', 'latin1') },
  ];
  for (const adapter of all)
    for (const fixture of discoverFixtures(adapter).cases)
      samples.push({
        name: `${adapter.name}/${fixture.dir}/${fixture.file}`,
        bytes: readFileSync(fixture.path),
      });
  return samples;
}
