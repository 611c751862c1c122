import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import Ajv2020, { type ErrorObject, type Format, type FormatDefinition } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { fullFormats } from 'ajv-formats/dist/formats';
import { civicNoBirthDate, civicNoProblem } from './civic-number';
import type { CivicNo, LearnerRecord } from './learner-record.types';

/** One problem in a record: where (RFC 6901 JSON pointer into the record) and what, for people. */
export interface FieldError {
  pointer: string;
  detail: string;
}

export type JsonSchemaObject = { [keyword: string]: unknown };

/** Both violations of the schema and, for a record that conforms, of the rules it cannot express. */
export interface LearnerRecordCheck {
  /** The record does not fit the schema (a malformed request, 400). Empty when it fits. */
  schemaErrors: FieldError[];
  /** The record fits but breaks a domain rule (422). Only checked once schemaErrors is empty. */
  ruleErrors: FieldError[];
}

const SCHEMA_FILE = join('openapi', 'schemas', 'learner-record.v1.schema.json');

/**
 * Reads and parses the LearnerRecord v1 JSON Schema; each call returns a fresh object the caller may change.
 * Walks up from this file to the first folder holding the schema, so it works from src/ under jest and from
 * dist/src/ when built. (Not common/project-root: that needs openapi.yaml too, and the schema is all we need.)
 */
export function loadLearnerRecordSchema(): JsonSchemaObject {
  return JSON.parse(readFileSync(findSchemaFile(), 'utf8')) as JsonSchemaObject;
}

function findSchemaFile(): string {
  for (let dir = __dirname; ; dir = dirname(dir)) {
    const candidate = join(dir, SCHEMA_FILE);
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) throw new Error(`${SCHEMA_FILE} not found in any folder above ${__dirname}`);
  }
}

/** The LearnerRecord v1 JSON Schema, parsed once and frozen (use loadLearnerRecordSchema for a copy to edit). */
export const LEARNER_RECORD_SCHEMA: Readonly<JsonSchemaObject> = deepFreeze(loadLearnerRecordSchema());

const ajv = new Ajv2020({ allErrors: true, strict: true });
addFormats(ajv, ['email', 'uri']);
ajv.addFormat('date', rememberingValid(fullFormats.date));
ajv.addFormat('date-time', rememberingValid(fullFormats['date-time']));

/**
 * A format whose checker remembers the texts it has found valid. A kommun's import checks half a
 * million grades, each with a date and a provenance time, and they are nearly all the same few
 * texts (one import time, a term's dates): the full date checks were 30 % of the schema check.
 */
function rememberingValid(format: Format): FormatDefinition<string> {
  if (typeof format !== 'object' || format instanceof RegExp || typeof format.validate !== 'function')
    throw new Error('ajv-formats: a date format without a validate function');
  const check = format.validate as (text: string) => boolean;
  const compare = format.compare as FormatDefinition<string>['compare'];
  const valid = new Set<string>();
  const validate = (text: string): boolean => {
    if (valid.has(text)) return true;
    if (!check(text)) return false;
    if (valid.size >= 4096) valid.clear();
    valid.add(text);
    return true;
  };
  return { type: 'string', validate, compare };
}

const validateSchema = ajv.compile<LearnerRecord>(LEARNER_RECORD_SCHEMA);

/**
 * Checks a candidate record against the schema and, once it conforms, against the rules the schema cannot
 * express (valid civic numbers, date order, unique ids), keeping the two kinds apart.
 */
export function checkLearnerRecord(input: unknown): LearnerRecordCheck {
  if (!validateSchema(input))
    return { schemaErrors: toFieldErrors(validateSchema.errors ?? []), ruleErrors: [] };
  return { schemaErrors: [], ruleErrors: domainErrors(input) };
}

/** All problems of a candidate record, schema first (see checkLearnerRecord); empty for a valid record. */
export function validateLearnerRecord(input: unknown): FieldError[] {
  const { schemaErrors, ruleErrors } = checkLearnerRecord(input);
  return schemaErrors.length > 0 ? schemaErrors : ruleErrors;
}

// ---------------------------------------------------------------------------------------------------------
// Schema errors: ajv's errors turned into one pointer and one short sentence each.

/** Patterns of the schema, said in words. */
const PATTERN_DETAILS: Record<string, string> = {
  '^[0-9]{4}$': 'must be 4 digits (kommunkod)',
  '^[0-9]{8}$': 'must be 8 digits (skolenhetskod)',
  '^[0-9]{12}$': 'must be 12 digits, YYYYMMDDNNNN',
  '^[A-Z]{2}$': 'must be an ISO 3166-1 alpha-2 country code, e.g. SE',
  '^[a-f0-9]{64}$': 'must be a SHA-256 digest as 64 lowercase hex characters',
  '^(HT|VT)[0-9]{4}$': 'must be HT or VT followed by a year, e.g. HT2025',
  '^[A-ZÅÄÖ0-9]{1,10}$': 'must be a subject code of up to 10 capital letters or digits, e.g. MA',
  '^[A-ZÅÄÖ0-9]{2,12}$': 'must be a curriculum code of capital letters and digits, e.g. LGR22',
  '^[A-ZÅÄÖ0-9]{1,20}$': 'must be a programme code of capital letters and digits, e.g. NA',
  '^\\+?[0-9][0-9 ()-]{2,49}$':
    'must be a phone number of digits, spaces, ( ) and -, optionally starting with +',
};

const FORMAT_DETAILS: Record<string, string> = {
  date: 'must be a date, YYYY-MM-DD',
  'date-time': 'must be a date and time with offset, e.g. 2026-08-15T08:00:00Z',
  email: 'must be an e-mail address',
  uri: 'must be an absolute URI',
};

const TYPE_NAMES: Record<string, string> = {
  string: 'a string',
  integer: 'an integer',
  number: 'a number',
  boolean: 'true or false',
  object: 'an object',
  array: 'an array',
  null: 'null',
};

function toFieldErrors(errors: ErrorObject[]): FieldError[] {
  const result: FieldError[] = [];
  const seen = new Set<string>();
  for (const error of collapseAlternatives(errors)) {
    const fieldError = describe(error);
    if (!fieldError) continue;
    const key = `${fieldError.pointer}\u0000${fieldError.detail}`;
    if (seen.has(key)) continue;
    seen.add(key);
    result.push(fieldError);
  }
  return result;
}

/**
 * An anyOf reports its own failure and every branch's. When every branch failed only on type, one error
 * names the allowed types; otherwise the branches whose type matched say what is wrong more precisely.
 */
function collapseAlternatives(errors: ErrorObject[]): ErrorObject[] {
  const anyOfs = errors.filter((e) => e.keyword === 'anyOf' || e.keyword === 'oneOf');
  if (anyOfs.length === 0) return errors;
  const replaced = new Map<ErrorObject, ErrorObject[]>();
  const dropped = new Set<ErrorObject>();
  for (const alternative of anyOfs) {
    const prefix = `${alternative.schemaPath}/`;
    const branches = new Map<string, ErrorObject[]>();
    for (const error of errors) {
      if (!error.schemaPath.startsWith(prefix)) continue;
      dropped.add(error);
      const branch = error.schemaPath.slice(prefix.length).split('/')[0];
      branches.set(branch, [...(branches.get(branch) ?? []), error]);
    }
    const isTypeMismatch = (branchErrors: ErrorObject[]): boolean =>
      branchErrors.length === 1 &&
      branchErrors[0].keyword === 'type' &&
      branchErrors[0].instancePath === alternative.instancePath;
    const specific = [...branches.values()].filter((branchErrors) => !isTypeMismatch(branchErrors));
    if (specific.length > 0) {
      replaced.set(alternative, specific.flat());
    } else {
      const types = [...branches.values()].map((branchErrors) => String(branchErrors[0].params.type));
      replaced.set(alternative, [{ ...alternative, keyword: 'type', params: { type: types.join(',') } }]);
    }
  }
  return errors.flatMap((error) => {
    if (replaced.has(error)) return replaced.get(error) ?? [];
    return dropped.has(error) ? [] : [error];
  });
}

function describe(error: ErrorObject): FieldError | undefined {
  const at = error.instancePath;
  const params = error.params as Record<string, unknown>;
  const limit = String(params.limit);
  switch (error.keyword) {
    // The then-branch's own error says what is wrong; the if wrapper adds nothing.
    case 'if':
      return undefined;
    case 'required':
      return { pointer: childPointer(at, String(params.missingProperty)), detail: 'is required' };
    case 'additionalProperties':
      return { pointer: childPointer(at, String(params.additionalProperty)), detail: 'unknown field' };
    case 'type': {
      const names = String(params.type)
        .split(',')
        .map((type) => TYPE_NAMES[type] ?? type);
      return { pointer: at, detail: `must be ${names.join(' or ')}` };
    }
    case 'enum':
      return { pointer: at, detail: `must be one of: ${(params.allowedValues as unknown[]).join(', ')}` };
    case 'const':
      return { pointer: at, detail: `must be ${JSON.stringify(params.allowedValue)}` };
    case 'format':
      return {
        pointer: at,
        detail: FORMAT_DETAILS[String(params.format)] ?? `must be a valid ${String(params.format)}`,
      };
    case 'pattern':
      return {
        pointer: at,
        detail: PATTERN_DETAILS[String(params.pattern)] ?? `must match ${String(params.pattern)}`,
      };
    case 'minLength':
      return {
        pointer: at,
        detail: params.limit === 1 ? 'must not be empty' : `must be at least ${limit} characters`,
      };
    case 'maxLength':
      return { pointer: at, detail: `must be at most ${limit} characters` };
    case 'minItems':
      return { pointer: at, detail: `must have at least ${limit} items` };
    case 'maxItems':
      return { pointer: at, detail: `must have at most ${limit} items` };
    case 'maxProperties':
      return { pointer: at, detail: `must have at most ${limit} fields` };
    case 'minimum':
      return { pointer: at, detail: `must be at least ${limit}` };
    case 'maximum':
      return { pointer: at, detail: `must be at most ${limit}` };
    default:
      return { pointer: at, detail: error.message ?? 'is not valid' };
  }
}

// ---------------------------------------------------------------------------------------------------------
// Domain rules: run on a record that already conforms to the schema.

function domainErrors(record: LearnerRecord): FieldError[] {
  const errors: FieldError[] = [];

  const pupilCivicNo = record.pupil.civicNo;
  checkCivicNo(pupilCivicNo, '/pupil/civicNo', errors);
  if (pupilCivicNo && isSwedish(pupilCivicNo) && record.pupil.birthDate) {
    const encoded = civicNoBirthDate(pupilCivicNo.value);
    if (encoded && encoded !== record.pupil.birthDate) {
      errors.push({ pointer: '/pupil/birthDate', detail: `does not match the date in civicNo (${encoded})` });
    }
  }
  record.guardians?.forEach((guardian, i) =>
    checkCivicNo(guardian.civicNo, `/guardians/${i}/civicNo`, errors),
  );

  record.enrolments?.forEach((enrolment, i) =>
    checkOrder(enrolment.startDate, enrolment.endDate, `/enrolments/${i}/endDate`, 'startDate', errors),
  );
  record.groups?.forEach((group, i) =>
    checkOrder(group.startDate, group.endDate, `/groups/${i}/endDate`, 'startDate', errors),
  );
  record.supportMeasures?.forEach((measure, i) =>
    checkOrder(measure.decidedDate, measure.endDate, `/supportMeasures/${i}/endDate`, 'decidedDate', errors),
  );

  record.attendance?.forEach((term, i) => {
    const { validAbsenceMinutes: valid, invalidAbsenceMinutes: invalid, scheduledMinutes: scheduled } = term;
    if (
      valid !== undefined &&
      invalid !== undefined &&
      scheduled !== undefined &&
      valid + invalid > scheduled
    ) {
      errors.push({
        pointer: `/attendance/${i}/scheduledMinutes`,
        detail: 'must be at least validAbsenceMinutes + invalidAbsenceMinutes',
      });
    }
  });

  checkUniqueIds(record.guardians, '/guardians', errors);
  checkUniqueIds(record.groups, '/groups', errors);
  checkUniqueIds(record.evidence, '/evidence', errors);
  return errors;
}

function isSwedish(civicNo: CivicNo): boolean {
  return civicNo.nationality === undefined || civicNo.nationality === 'SE';
}

function checkCivicNo(civicNo: CivicNo | undefined, pointer: string, errors: FieldError[]): void {
  if (!civicNo || !isSwedish(civicNo)) return;
  const problem = civicNoProblem(civicNo.value);
  if (problem)
    errors.push({
      pointer: `${pointer}/value`,
      detail: `is not a valid personnummer or samordningsnummer: ${problem}`,
    });
}

function checkOrder(
  start: string,
  end: string | undefined,
  pointer: string,
  startName: string,
  errors: FieldError[],
): void {
  // RFC 3339 full-dates order the same as strings.
  if (end !== undefined && end < start) errors.push({ pointer, detail: `must not be before ${startName}` });
}

function checkUniqueIds(items: { id: string }[] | undefined, pointer: string, errors: FieldError[]): void {
  const firstIndex = new Map<string, number>();
  items?.forEach((item, i) => {
    const first = firstIndex.get(item.id);
    if (first === undefined) firstIndex.set(item.id, i);
    else errors.push({ pointer: `${pointer}/${i}/id`, detail: `duplicates ${pointer}/${first}/id` });
  });
}

// ---------------------------------------------------------------------------------------------------------

function childPointer(parent: string, property: string): string {
  return `${parent}/${property.replace(/~/g, '~0').replace(/\//g, '~1')}`;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
