// xAPI statements <-> the evidence section of the canonical record. Pure functions.
import { PLACEHOLDER_NAME } from '../../records/accumulating-sections';
import { canonicalJson, sha256Hex } from '../../records/record-content';
import type { Evidence, LearnerRecord, Provenance, Pupil } from '../../records/learner-record.types';
import type { Location, LossEntry } from '../vendor-adapter.port';
import { isObject, statementProblems } from './xapi-statement.validator';

export const XAPI_ADAPTER_NAME = 'xapi';
export const XAPI_ADAPTER_VERSION = '1.0.0';

/** Placeholder for a name no statement gives; the loss report says it was defaulted. */
/** Where the format does not name the pupil (an earlier import's name is kept over it). */
export const UNKNOWN_NAME = PLACEHOLDER_NAME;

type Json = Record<string, unknown>;

export const PUPIL_ID_SOURCES = ['account.name', 'mbox', 'mbox_sha1sum', 'openid'] as const;
export type PupilIdSource = (typeof PUPIL_ID_SOURCES)[number];

/** How an actor becomes a pupil of this platform (the registration's options). */
export interface XapiOptions {
  /** The platform's account home page: actors with an account elsewhere are not its pupils. */
  accountHomePage?: string;
  /** Which identifier of the actor is the pupil's id; by default the first of account, mbox, mbox_sha1sum, openid. */
  pupilIdFrom?: PupilIdSource;
}

const MAX_URI = 2048;
const MAX_SHORT_TEXT = 1000;
/** Language tags tried first for a title: the pupil's language, then English. */
const TITLE_LANGUAGES = ['sv-SE', 'sv', 'en-US', 'en-GB', 'en'];
/** RFC 3339 date-time with seconds and offset: what the record's IsoDateTime accepts as it is. */
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/** The pupil's id an actor stands for, or why it stands for none (pointer relative to the statement). */
export function pupilIdOf(
  actor: unknown,
  options: XapiOptions,
): { id: string } | { pointer: string; detail: string } {
  if (!isObject(actor)) return { pointer: '/actor', detail: 'is required to know whose statement it is' };
  if (actor.objectType === 'Group') {
    return {
      pointer: '/actor/objectType',
      detail: 'a Group is not one pupil: only statements about an Agent are kept',
    };
  }
  const account = isObject(actor.account) ? actor.account : undefined;
  const values: Record<PupilIdSource, unknown> = {
    'account.name': account?.name,
    mbox: actor.mbox,
    mbox_sha1sum: actor.mbox_sha1sum,
    openid: actor.openid,
  };
  const from = options.pupilIdFrom ?? PUPIL_ID_SOURCES.find((source) => typeof values[source] === 'string');
  const value = from ? values[from] : undefined;
  if (!from || typeof value !== 'string' || value === '') {
    return {
      pointer: '/actor',
      detail: `has no ${options.pupilIdFrom ?? 'identifier'} to know which pupil it is`,
    };
  }
  if (
    from === 'account.name' &&
    options.accountHomePage !== undefined &&
    !sameHome(account?.homePage, options.accountHomePage)
  ) {
    return {
      pointer: '/actor/account/homePage',
      detail: `is not this platform's (${options.accountHomePage})`,
    };
  }
  if (value.length > 256)
    return { pointer: '/actor', detail: 'its identifier is longer than 256 characters' };
  return { id: value };
}

function sameHome(a: unknown, b: string): boolean {
  return typeof a === 'string' && a.replace(/\/+$/, '') === b.replace(/\/+$/, '');
}

/**
 * A statement as an evidence item: kept as received, `uri` the statement's id as a URN (or, without
 * one, what it is about), `sha256` of its canonical JSON (keys sorted), recordedAt its timestamp (or
 * when it was stored). `loss` gets what had to be approximated.
 */
export function evidenceOf(
  statement: Json,
  provenance: Provenance | undefined,
  at: Location,
  target: string,
  loss: LossEntry[],
): Evidence {
  const digest = sha256Hex(canonicalJson(statement));
  const statementId = typeof statement.id === 'string' ? statement.id.toLowerCase() : undefined;
  const title = titleOf(statement.object);
  const recordedAt = recordedAtOf(statement, at, target, loss);
  loss.push({
    kind: 'approximated',
    source: at,
    target: { pointer: `${target}/sha256` },
    detail: "the digest is of the statement's canonical JSON: the statement is the artefact here",
  });
  if (!statementId) {
    loss.push({
      kind: 'defaulted',
      source: at,
      target: { pointer: `${target}/id` },
      detail: 'the statement has no id: the evidence id is derived from its digest',
    });
  }
  return {
    id: statementId ?? `xapi-${digest.slice(0, 32)}`,
    uri: uriOf(statement, statementId, digest, at, target, loss),
    sha256: digest,
    ...(title ? { title } : {}),
    xapiStatement: statement,
    ...(recordedAt ? { recordedAt } : {}),
    ...(provenance ? { provenance } : {}),
  };
}

function uriOf(
  statement: Json,
  statementId: string | undefined,
  digest: string,
  at: Location,
  target: string,
  loss: LossEntry[],
): string {
  if (statementId) return `urn:uuid:${statementId}`;
  const object = isObject(statement.object) ? statement.object : {};
  const about =
    object.objectType === 'StatementRef' && typeof object.id === 'string'
      ? `urn:uuid:${object.id.toLowerCase()}`
      : typeof object.id === 'string'
        ? asUri(object.id)
        : undefined;
  if (about && about.length <= MAX_URI) return about;
  loss.push({
    kind: 'approximated',
    source: { ...at, pointer: `${at.pointer ?? ''}/object` },
    target: { pointer: `${target}/uri` },
    detail: 'the statement has no id and its object no IRI of at most 2048 characters: its digest names it',
  });
  return `urn:sha256:${digest}`;
}

/** RFC 3987 §3.1: an IRI becomes a URI by percent-encoding its non-ASCII characters as UTF-8. */
function asUri(iri: string): string {
  return iri.replace(/[^\u0000-\u007f]+/g, (chars) => encodeURIComponent(chars));
}

function titleOf(object: unknown): string | undefined {
  const definition = isObject(object) && isObject(object.definition) ? object.definition : undefined;
  const names =
    definition && isObject(definition.name) ? (definition.name as Record<string, unknown>) : undefined;
  if (!names) return undefined;
  const language = TITLE_LANGUAGES.find((tag) => typeof names[tag] === 'string') ?? Object.keys(names)[0];
  const title = language !== undefined ? names[language] : undefined;
  if (typeof title !== 'string' || title.trim() === '') return undefined;
  return title.length <= MAX_SHORT_TEXT ? title : `${title.slice(0, MAX_SHORT_TEXT - 1)}…`;
}

function recordedAtOf(statement: Json, at: Location, target: string, loss: LossEntry[]): string | undefined {
  const field =
    statement.timestamp !== undefined ? 'timestamp' : statement.stored !== undefined ? 'stored' : undefined;
  if (!field) return undefined;
  const value = statement[field] as string;
  if (RFC3339.test(value)) return value;
  // ISO 8601 without seconds or offset: xAPI §4.5 lets an LRS read a missing offset as UTC.
  const withOffset = /(Z|[+-]\d{2}:?\d{2}|[+-]\d{2})$/i.test(value) ? value : `${value}Z`;
  const normalised = new Date(withOffset).toISOString();
  loss.push({
    kind: 'approximated',
    source: { ...at, pointer: `${at.pointer ?? ''}/${field}` },
    target: { pointer: `${target}/recordedAt` },
    detail: `${value} is written as the RFC 3339 time ${normalised}`,
  });
  return normalised;
}

/**
 * The pupil as statements know it: the actor's display name, or placeholders the loss report names.
 * xAPI says nothing of civic number or security marking; the pipeline matches the pupil by source id.
 */
export function pupilOf(
  actorName: string | undefined,
  at: Location,
  provenance: Provenance,
  loss: LossEntry[],
): Pupil {
  const words = (actorName ?? '').normalize('NFC').split(/\s+/).filter(Boolean);
  const note = (field: string, kind: 'defaulted' | 'approximated', detail: string): void => {
    loss.push({
      kind,
      source: { ...at, pointer: `${at.pointer ?? ''}/actor` },
      target: { pointer: `/pupil/${field}` },
      detail,
    });
  };
  let givenName = UNKNOWN_NAME;
  let familyName = UNKNOWN_NAME;
  if (words.length >= 2) {
    givenName = clip(words.slice(0, -1).join(' '), 200);
    familyName = clip(words[words.length - 1], 200);
    note(
      'givenName',
      'approximated',
      'xAPI has one display name: all but its last word are taken as given names',
    );
    note(
      'familyName',
      'approximated',
      'xAPI has one display name: its last word is taken as the family name',
    );
  } else {
    note('givenName', 'defaulted', `no statement names the pupil in full: "${UNKNOWN_NAME}" stands in`);
    if (words.length === 1) {
      familyName = clip(words[0], 200);
      note('familyName', 'approximated', 'the one-word display name is taken as the family name');
    } else {
      note('familyName', 'defaulted', `no statement names the pupil: "${UNKNOWN_NAME}" stands in`);
    }
  }
  loss.push({
    kind: 'defaulted',
    source: at,
    target: { pointer: '/pupil/securityMarking' },
    detail:
      'xAPI has no security marking: "Ingen" stands in, and the pipeline must keep a marked pupil’s own',
  });
  return { givenName, familyName, securityMarking: 'Ingen', provenance };
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : text.slice(0, max);
}

// ---------------------------------------------------------------------------------------------------------
// Export: the statements a record holds, and what the rest of it loses.

const OTHER_SECTIONS = [
  'contact',
  'guardians',
  'enrolments',
  'groups',
  'grades',
  'assessments',
  'attendance',
  'supportMeasures',
  'achievements',
] as const;

const PUPIL_FIELDS = [
  'civicNo',
  'givenName',
  'middleName',
  'familyName',
  'birthDate',
  'sex',
  'securityMarking',
  'externalIdentifiers',
] as const;

/** Evidence fields an import derives from the statement alone. */
const EVIDENCE_FIELDS = ['id', 'uri', 'sha256', 'mediaType', 'title', 'recordedAt'] as const;

/**
 * The statements of one record, as received, and a loss entry for everything else. An evidence item's
 * own fields go only as far as the statement carries them: what an import would derive from the
 * statement is compared with what the item holds, and each difference is reported.
 */
export function statementsOf(
  record: LearnerRecord,
  options: XapiOptions,
): { statements: Json[]; loss: LossEntry[] } {
  const loss: LossEntry[] = [];
  for (const section of OTHER_SECTIONS) {
    if (record[section] !== undefined) {
      loss.push({
        kind: 'dropped',
        source: { pointer: `/${section}` },
        detail: 'xAPI statements carry learning activity only',
      });
    }
  }
  for (const field of PUPIL_FIELDS) {
    if (record.pupil[field] !== undefined) {
      loss.push({
        kind: 'dropped',
        source: { pointer: `/pupil/${field}` },
        detail:
          'a statement identifies its actor by account or e-mail only; statements are exported as received',
      });
    }
  }
  const statements: Json[] = [];
  record.evidence?.forEach((item, i) => {
    const pointer = `/evidence/${i}`;
    const statement = item.xapiStatement;
    if (!statement) {
      loss.push({
        kind: 'dropped',
        source: { pointer },
        detail: 'an artefact without an xAPI statement has no place in a StatementResult',
      });
      return;
    }
    const problems = statementProblems(statement, '');
    if (problems.length > 0) {
      loss.push({
        kind: 'dropped',
        source: { pointer: `${pointer}/xapiStatement${problems[0].pointer ?? ''}` },
        detail: `not a valid xAPI 1.0.3 statement, so not exported: ${problems[0].detail}`,
      });
      return;
    }
    statements.push(statement);
    const owner = pupilIdOf(statement.actor, options);
    if (!('id' in owner) || owner.id !== record.source.id) {
      loss.push({
        kind: 'approximated',
        source: { pointer },
        detail:
          'id' in owner
            ? `the statement's actor is the pupil ${owner.id} of this platform: an import attaches it there`
            : `an import cannot attach the statement to a pupil: actor ${owner.detail}`,
      });
      return;
    }
    const back = evidenceOf(statement, undefined, { pointer: '' }, pointer, []);
    for (const field of EVIDENCE_FIELDS) {
      if (item[field] === undefined || item[field] === back[field]) continue;
      loss.push({
        kind: back[field] === undefined ? 'dropped' : 'approximated',
        source: { pointer: `${pointer}/${field}` },
        detail:
          back[field] === undefined
            ? `the statement does not carry the evidence's ${field}`
            : `the statement does not carry the evidence's ${field}: an import derives ${String(back[field])} from it`,
      });
    }
  });
  if (statements.length === 0) {
    loss.push({
      kind: 'dropped',
      source: { pointer: '' },
      detail: 'the pupil has no xAPI statements: nothing of the record is written',
    });
  }
  return { statements, loss };
}
