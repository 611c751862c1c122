// Finds an adapter's fixtures (src/adapters/<name>/fixtures/{ok,not-ok}/<case>.<ext> + <case>.expect.json)
// and reads what each expects. An expectation of a shape not listed here is an error, never a skip.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { VendorAdapter } from '../../../src/adapters/vendor-adapter.port';

export const ADAPTERS_DIR = join(__dirname, '../../../src/adapters');

export type Counts = Partial<Record<'records' | 'deletions' | 'rejected', number>>;

/** The error fields an expectation may name; each expected error must be a subset of one actual error. */
export type ExpectedError = Partial<Record<'file' | 'pointer' | 'parameter' | 'detail', string>> &
  Partial<Record<'line' | 'column', number>>;

export type Expectation =
  /** ok: the import completes with these counts (each count given is checked). */
  | { kind: 'counts'; counts: Counts }
  /** not-ok: the import throws an AdapterInputError with this code and (at least) these errors. */
  | { kind: 'thrown'; code: string; errors: ExpectedError[] }
  /** not-ok: the import completes, and its rejected items hold (at least) these errors. */
  | { kind: 'rejected'; errors: ExpectedError[] };

export interface FixtureCase {
  dir: 'ok' | 'not-ok';
  /** `<case>.<ext>` */
  file: string;
  path: string;
  /** What the expect.json says, or why it cannot be read. */
  expectation: Expectation | { kind: 'unreadable'; problem: string };
}

export interface AdapterFixtures {
  cases: FixtureCase[];
  /** Things wrong with the folder as a whole: missing folder, a fixture without expectation, and so on. */
  problems: string[];
}

const EXPECT_SUFFIX = '.expect.json';
const COUNT_KEYS = ['records', 'deletions', 'rejected'];
const ERROR_KEYS: Record<string, 'string' | 'number'> = {
  file: 'string',
  pointer: 'string',
  parameter: 'string',
  detail: 'string',
  line: 'number',
  column: 'number',
};

export function fixturesDir(adapter: VendorAdapter): string {
  return join(ADAPTERS_DIR, adapter.name, 'fixtures');
}

export function discoverFixtures(adapter: VendorAdapter): AdapterFixtures {
  const root = fixturesDir(adapter);
  const cases: FixtureCase[] = [];
  const problems: string[] = [];
  if (!existsSync(root)) return { cases, problems: [`${root} does not exist`] };
  for (const dir of ['ok', 'not-ok'] as const) {
    const folder = join(root, dir);
    if (!existsSync(folder)) {
      problems.push(`fixtures/${dir} does not exist`);
      continue;
    }
    const names = readdirSync(folder)
      .filter((name) => statSync(join(folder, name)).isFile())
      .sort();
    const inputs = names.filter((name) => !name.endsWith(EXPECT_SUFFIX));
    const expectations = new Set(names.filter((name) => name.endsWith(EXPECT_SUFFIX)));
    if (inputs.length === 0) problems.push(`fixtures/${dir} holds no fixture`);
    for (const file of inputs) {
      const expectFile = `${caseName(file)}${EXPECT_SUFFIX}`;
      const path = join(folder, file);
      if (!expectations.delete(expectFile)) {
        problems.push(`fixtures/${dir}/${file} has no ${expectFile}`);
        continue;
      }
      cases.push({ dir, file, path, expectation: readExpectation(join(folder, expectFile), dir) });
    }
    for (const orphan of expectations) problems.push(`fixtures/${dir}/${orphan} belongs to no fixture`);
  }
  const ok = cases.filter((c) => c.dir === 'ok').map((c) => c.file);
  const stems = new Set(ok.map(caseName));
  if (stems.size !== ok.length) problems.push('two ok fixtures share a case name (one expect.json for both)');
  return { cases, problems };
}

/** `two-pupils.zip` -> `two-pupils` (the name up to the last dot). */
export function caseName(file: string): string {
  const dot = file.lastIndexOf('.');
  return dot > 0 ? file.slice(0, dot) : file;
}

function readExpectation(path: string, dir: 'ok' | 'not-ok'): FixtureCase['expectation'] {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    return { kind: 'unreadable', problem: `${path} is not JSON: ${(error as Error).message}` };
  }
  const problem = (why: string): FixtureCase['expectation'] => ({
    kind: 'unreadable',
    problem: `${path}: ${why}: ${JSON.stringify(raw)}`,
  });
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return problem('not an object');
  const value = raw as Record<string, unknown>;
  const keys = Object.keys(value);

  if (dir === 'ok') {
    if (keys.length === 0 || keys.some((k) => !COUNT_KEYS.includes(k)))
      return problem(`an ok expectation has only ${COUNT_KEYS.join(', ')}`);
    const counts: Counts = {};
    for (const key of keys) {
      const n = value[key];
      if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) return problem(`${key} must be a count`);
      counts[key as keyof Counts] = n;
    }
    return { kind: 'counts', counts };
  }

  if (typeof value.code === 'string') {
    if (keys.some((k) => k !== 'code' && k !== 'errors'))
      return problem('a thrown expectation has only code and errors');
    const errors = expectedErrors(value.errors ?? []);
    return typeof errors === 'string' ? problem(errors) : { kind: 'thrown', code: value.code, errors };
  }
  if (Array.isArray(value.rejected)) {
    if (keys.length !== 1) return problem('a rejected expectation has only rejected');
    if (value.rejected.length === 0) return problem('rejected must name at least one error');
    const errors = expectedErrors(value.rejected);
    return typeof errors === 'string' ? problem(errors) : { kind: 'rejected', errors };
  }
  return problem('a not-ok expectation is {"code", "errors"?} or {"rejected": [...]}');
}

function expectedErrors(value: unknown): ExpectedError[] | string {
  if (!Array.isArray(value)) return 'errors must be a list';
  for (const error of value) {
    if (error === null || typeof error !== 'object' || Array.isArray(error))
      return 'an error must be an object';
    for (const [key, field] of Object.entries(error as Record<string, unknown>)) {
      if (!(key in ERROR_KEYS)) return `an error field "${key}" the kit does not know`;
      if (typeof field !== ERROR_KEYS[key]) return `error field "${key}" must be a ${ERROR_KEYS[key]}`;
    }
  }
  return value as ExpectedError[];
}
