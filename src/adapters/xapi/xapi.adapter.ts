import { parseStrictJson } from '../../common/http/strict-json';
import { DomainError, type FieldError } from '../../common/problem/domain-error';
import { canonicalJson } from '../../records/record-content';
import type { Evidence, LearnerRecord, Provenance } from '../../records/learner-record.types';
import { validateLearnerRecord } from '../../records/learner-record.validator';
import { AdapterInputError } from '../adapter-input.errors';
import type {
  AdapterInput,
  ExportContext,
  ImportContext,
  ImportItem,
  LossEntry,
  VendorAdapter,
} from '../vendor-adapter.port';
import {
  evidenceOf,
  PUPIL_ID_SOURCES,
  pupilIdOf,
  pupilOf,
  statementsOf,
  XAPI_ADAPTER_NAME,
  XAPI_ADAPTER_VERSION,
  type XapiOptions,
} from './xapi.mapper';
import { isObject, statementProblems } from './xapi-statement.validator';

/** A StatementResult or a batch is parsed whole; an LRS pages far below this. */
const MAX_INPUT_BYTES = 32 * 1024 * 1024;
/** One statement, as canonical JSON: far above any real one, below what a 10 MB field makes. */
const MAX_STATEMENT_CHARS = 1024 * 1024;
/** The record's evidence[] holds at most 5000 items. */
const MAX_STATEMENTS_PER_PUPIL = 5000;

type Json = Record<string, unknown>;

/**
 * xAPI 1.0.3 statements as evidence of learning activity.
 *
 * Import: one statement, an array of statements (a POST batch), or a StatementResult
 * `{statements, more}` as an LRS returns it (`more` is not followed: fetch the pages and import each).
 * Statements are grouped by the pupil their actor is (options: accountHomePage, pupilIdFrom), one record
 * per pupil in the order pupils first appear; each statement becomes an evidence item keeping it as
 * received. A pupil with an invalid statement is rejected whole, as an LRS rejects a whole batch.
 *
 * Export: every statement the records hold, as one StatementResult, in record and evidence order.
 */
export const xapiAdapter: VendorAdapter = {
  name: XAPI_ADAPTER_NAME,
  version: XAPI_ADAPTER_VERSION,
  title: 'xAPI 1.0.3 statements',
  mediaTypes: { import: ['application/json'], export: ['application/json'] },
  reads: ['evidence'],
  accumulates: ['evidence'],
  writes: ['evidence'],
  optionsSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      accountHomePage: {
        description:
          "The platform's account home page; statements by actors with an account elsewhere are rejected.",
        type: 'string',
        format: 'uri',
      },
      pupilIdFrom: {
        description:
          "Which identifier of the actor is the pupil's id in this platform (default: the first present).",
        enum: [...PUPIL_ID_SOURCES],
      },
    },
  },
  sniff: sniffXapi,
  import: importXapi,
  export: exportXapi,
  exportFormat: { mediaType: 'application/json', extension: 'json' },
};

function sniffXapi(head: Buffer, fileName?: string): number {
  const text = head
    .toString('utf8')
    .replace(/^\ufeff/, '')
    .trimStart();
  if (!text.startsWith('{') && !text.startsWith('[')) return 0;
  const byName = /xapi|statement/i.test(fileName ?? '') ? 0.05 : 0;
  if (text.includes('adlnet.gov/expapi/verbs/')) return 0.9 + byName;
  const hasParts = ['"actor"', '"verb"', '"object"'].every((key) => text.includes(key));
  if (hasParts) return (text.includes('"statements"') ? 0.85 : 0.8) + byName;
  return 0;
}

interface Located {
  statement: unknown;
  pointer: string;
}

async function* importXapi(input: AdapterInput, ctx: ImportContext): AsyncIterable<ImportItem> {
  const options = ctx.options as XapiOptions;
  const located = locateStatements(await readJson(input));
  const importedAt = ctx.now.toISOString();
  const provenance = (sourceId?: string): Provenance => ({
    sourcePlatform: ctx.platformId,
    ...(sourceId ? { sourceId } : {}),
    adapter: XAPI_ADAPTER_NAME,
    adapterVersion: XAPI_ADAPTER_VERSION,
    importedAt,
  });

  // Pupils in the order they first appear; statements that cannot be attributed are rejected alone.
  const pupils = new Map<string, Located[]>();
  for (const item of located) {
    const problems = statementProblems(item.statement, item.pointer);
    const actorProblems = isObject(item.statement)
      ? problems.filter((p) => (p.pointer ?? '').startsWith(`${item.pointer}/actor`))
      : problems;
    const owner = pupilIdOf(isObject(item.statement) ? item.statement.actor : undefined, options);
    if (actorProblems.length === 0 && 'id' in owner) {
      pupils.set(owner.id, [...(pupils.get(owner.id) ?? []), item]);
      continue;
    }
    const errors =
      actorProblems.length > 0 || 'id' in owner
        ? actorProblems
        : [{ pointer: `${item.pointer}${owner.pointer}`, detail: owner.detail }];
    yield { kind: 'rejected', source: { pointer: item.pointer }, errors };
  }

  const byStatementId = new Map<string, { canonical: string; pointer: string }>();
  for (const [pupilId, statements] of pupils) {
    const errors: FieldError[] = [];
    const loss: LossEntry[] = [];
    const evidence: Evidence[] = [];
    const seenDigests = new Set<string>();
    let actorName: string | undefined;
    for (const { statement, pointer } of statements) {
      const problems = statementProblems(statement, pointer);
      if (problems.length > 0) {
        errors.push(...problems);
        continue;
      }
      const kept = statement as Json;
      const canonical = canonicalJson(kept);
      if (canonical.length > MAX_STATEMENT_CHARS) {
        errors.push({ pointer, detail: `the statement is larger than ${MAX_STATEMENT_CHARS} characters` });
        continue;
      }
      if (typeof kept.id === 'string') {
        const id = kept.id.toLowerCase();
        const earlier = byStatementId.get(id);
        if (earlier && earlier.canonical !== canonical) {
          errors.push({
            pointer: `${pointer}/id`,
            detail: `another statement (${earlier.pointer}) has this id`,
          });
          continue;
        }
        byStatementId.set(id, { canonical, pointer });
      }
      if (seenDigests.has(canonical)) {
        loss.push({ kind: 'dropped', source: { pointer }, detail: 'the same statement again: kept once' });
        continue;
      }
      seenDigests.add(canonical);
      const actor = kept.actor as Json;
      if (actorName === undefined && typeof actor.name === 'string' && actor.name.trim() !== '')
        actorName = actor.name;
      const sourceId = typeof kept.id === 'string' ? kept.id.toLowerCase() : undefined;
      evidence.push(
        evidenceOf(kept, provenance(sourceId), { pointer }, `/evidence/${evidence.length}`, loss),
      );
    }
    const first = { pointer: statements[0].pointer };
    if (evidence.length > MAX_STATEMENTS_PER_PUPIL) {
      errors.push({
        ...first,
        detail: `more than ${MAX_STATEMENTS_PER_PUPIL} statements for one pupil: import them in parts`,
      });
    }
    if (errors.length > 0) {
      yield { kind: 'rejected', sourceId: pupilId, source: first, errors };
      continue;
    }
    const record: LearnerRecord = {
      schemaVersion: '1.0',
      source: { platform: ctx.platformId, id: pupilId },
      pupil: pupilOf(actorName, first, provenance(pupilId), loss),
      evidence,
    };
    const problems = validateLearnerRecord(record);
    if (problems.length > 0) {
      // Everything above is bounded and checked, so this is a value the schema refuses unforeseen here.
      yield {
        kind: 'rejected',
        sourceId: pupilId,
        source: first,
        errors: problems.map((p) => ({
          ...first,
          detail: `the record would be invalid at ${p.pointer}: ${p.detail}`,
        })),
      };
      continue;
    }
    yield { kind: 'record', record, loss, source: first };
  }
}

async function readJson(input: AdapterInput): Promise<unknown> {
  const inFile = input.fileName ? { file: input.fileName } : {};
  if (input.size > MAX_INPUT_BYTES) {
    throw new AdapterInputError(
      'XAPI.TOO_LARGE',
      `An xAPI file may be at most ${MAX_INPUT_BYTES} bytes; split it into pages.`,
      [{ ...inFile, detail: `the file has ${input.size} bytes` }],
    );
  }
  const chunks: Buffer[] = [];
  for await (const chunk of input.open() as AsyncIterable<Buffer>) chunks.push(chunk);
  let bytes = Buffer.concat(chunks);
  if (bytes.subarray(0, 3).equals(Buffer.from([0xef, 0xbb, 0xbf]))) bytes = bytes.subarray(3);
  try {
    return parseStrictJson(bytes);
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    // The parser's place (line/column, or a pointer) is kept; the file name says which upload.
    throw new AdapterInputError(
      error.code.replace(/^BODY\./, 'XAPI.'),
      error.detail,
      (error.errors ?? [{ detail: error.detail }]).map((e) => ({ ...inFile, ...e })),
    );
  }
}

/** The statements of a batch, a StatementResult or a single statement, with their pointers. */
function locateStatements(value: unknown): Located[] {
  if (Array.isArray(value)) return value.map((statement, i) => ({ statement, pointer: `/${i}` }));
  if (isObject(value) && value.statements !== undefined) {
    if (!Array.isArray(value.statements)) {
      throw new AdapterInputError(
        'XAPI.NOT_STATEMENTS',
        'statements of a StatementResult must be an array.',
        [{ pointer: '/statements', detail: 'must be an array of statements' }],
      );
    }
    return value.statements.map((statement, i) => ({ statement, pointer: `/statements/${i}` }));
  }
  if (isObject(value) && ['actor', 'verb', 'object'].some((key) => key in value))
    return [{ statement: value, pointer: '' }];
  throw new AdapterInputError(
    'XAPI.NOT_STATEMENTS',
    'The JSON is neither an xAPI statement, an array of statements nor a StatementResult.',
    [{ pointer: '', detail: 'expected a statement, an array of statements, or {"statements": [...]}' }],
  );
}

async function* exportXapi(records: AsyncIterable<LearnerRecord>, ctx: ExportContext): AsyncIterable<string> {
  const options = ctx.options as XapiOptions;
  yield '{"statements":[';
  let first = true;
  for await (const record of records) {
    const { statements, loss } = statementsOf(record, options);
    for (const entry of loss) ctx.loss(entry);
    for (const statement of statements) {
      yield `${first ? '' : ','}${JSON.stringify(statement)}`;
      first = false;
    }
  }
  // xAPI §2.1.4: an empty `more` says there is nothing further to fetch.
  yield '],"more":""}';
}
