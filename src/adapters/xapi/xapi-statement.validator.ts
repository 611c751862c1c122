// The essentials of a valid xAPI 1.0.3 statement (Part Two, §2.4), checked before a statement is kept.
// Not an LRS's full conformance: enough that what is kept is a statement an LRS would accept.
import type { FieldError } from '../../common/problem/domain-error';

type Json = Record<string, unknown>;

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** An absolute IRI: a scheme, then no whitespace (RFC 3987 in the large). */
const IRI = /^[a-z][a-z0-9+.-]*:[^\s]+$/i;
/** ISO 8601 as xAPI §4.5 uses it: date, time, optional fraction and offset. */
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}(:?\d{2})?)?$/i;
const SHA1_HEX = /^[0-9a-f]{40}$/i;
const AGENT_IFIS = ['mbox', 'mbox_sha1sum', 'openid', 'account'] as const;

export function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Problems of one statement, each with a JSON pointer into the input (`at` is the statement's). */
export function statementProblems(statement: unknown, at: string): FieldError[] {
  const errors: FieldError[] = [];
  const add = (pointer: string, detail: string): void => {
    errors.push({ pointer, detail });
  };
  if (!isObject(statement)) {
    add(at, 'must be an xAPI statement (an object)');
    return errors;
  }
  if (statement.id !== undefined && !(typeof statement.id === 'string' && UUID.test(statement.id))) {
    add(`${at}/id`, 'must be a UUID');
  }
  checkStatementCore(statement, at, add, false);
  for (const field of ['timestamp', 'stored'] as const) {
    if (statement[field] !== undefined) checkTimestamp(statement[field], `${at}/${field}`, add);
  }
  if (
    statement.version !== undefined &&
    !(typeof statement.version === 'string' && /^1\.0(\.\d+)?$/.test(statement.version))
  ) {
    add(`${at}/version`, 'must be an xAPI 1.0.x version, e.g. 1.0.3');
  }
  if (statement.attachments !== undefined) checkAttachments(statement.attachments, `${at}/attachments`, add);
  return errors;
}

type Add = (pointer: string, detail: string) => void;

function checkStatementCore(statement: Json, at: string, add: Add, sub: boolean): void {
  if (statement.actor === undefined) add(`${at}/actor`, 'is required');
  else checkActor(statement.actor, `${at}/actor`, add);

  if (!isObject(statement.verb))
    add(`${at}/verb`, statement.verb === undefined ? 'is required' : 'must be an object');
  else {
    if (!isIri(statement.verb.id)) add(`${at}/verb/id`, 'must be an IRI');
    if (statement.verb.display !== undefined)
      checkLanguageMap(statement.verb.display, `${at}/verb/display`, add);
  }

  if (!isObject(statement.object))
    add(`${at}/object`, statement.object === undefined ? 'is required' : 'must be an object');
  else checkObject(statement.object, `${at}/object`, add, sub);

  if (statement.result !== undefined && !isObject(statement.result)) add(`${at}/result`, 'must be an object');
  if (statement.context !== undefined) {
    if (!isObject(statement.context)) add(`${at}/context`, 'must be an object');
    else if (
      statement.context.registration !== undefined &&
      !(typeof statement.context.registration === 'string' && UUID.test(statement.context.registration))
    ) {
      add(`${at}/context/registration`, 'must be a UUID');
    }
  }
  if (statement.timestamp !== undefined && sub) checkTimestamp(statement.timestamp, `${at}/timestamp`, add);
}

function checkActor(actor: unknown, at: string, add: Add): void {
  if (!isObject(actor)) {
    add(at, 'must be an Agent or a Group');
    return;
  }
  const type = actor.objectType ?? 'Agent';
  if (type !== 'Agent' && type !== 'Group') {
    add(`${at}/objectType`, 'must be Agent or Group');
    return;
  }
  const ifis = AGENT_IFIS.filter((ifi) => actor[ifi] !== undefined);
  if (ifis.length > 1) add(at, `must have exactly one identifier, not ${ifis.join(' and ')}`);
  if (type === 'Agent' && ifis.length === 0)
    add(at, 'an Agent needs one of mbox, mbox_sha1sum, openid or account');
  if (type === 'Group') {
    if (actor.member !== undefined && !Array.isArray(actor.member))
      add(`${at}/member`, 'must be an array of Agents');
    if (ifis.length === 0 && !Array.isArray(actor.member))
      add(`${at}/member`, 'an anonymous Group needs its members');
    if (Array.isArray(actor.member)) {
      actor.member.forEach((member, i) => {
        if (isObject(member) && member.objectType === 'Group')
          add(`${at}/member/${i}/objectType`, 'a Group cannot contain a Group');
        else checkActor(member, `${at}/member/${i}`, add);
      });
    }
  }
  if (
    actor.mbox !== undefined &&
    !(typeof actor.mbox === 'string' && /^mailto:[^\s@]+@[^\s@]+$/i.test(actor.mbox))
  ) {
    add(`${at}/mbox`, 'must be a mailto: IRI');
  }
  if (
    actor.mbox_sha1sum !== undefined &&
    !(typeof actor.mbox_sha1sum === 'string' && SHA1_HEX.test(actor.mbox_sha1sum))
  ) {
    add(`${at}/mbox_sha1sum`, 'must be a SHA-1 digest in hex');
  }
  if (actor.openid !== undefined && !isIri(actor.openid)) add(`${at}/openid`, 'must be an IRI');
  if (actor.account !== undefined) {
    if (!isObject(actor.account)) add(`${at}/account`, 'must be an object with homePage and name');
    else {
      if (!isIri(actor.account.homePage)) add(`${at}/account/homePage`, 'must be an IRL');
      if (!(typeof actor.account.name === 'string' && actor.account.name !== ''))
        add(`${at}/account/name`, 'must not be empty');
    }
  }
  if (actor.name !== undefined && typeof actor.name !== 'string') add(`${at}/name`, 'must be a string');
}

function checkObject(object: Json, at: string, add: Add, sub: boolean): void {
  const type = object.objectType ?? 'Activity';
  switch (type) {
    case 'Activity':
      if (!isIri(object.id)) add(`${at}/id`, 'must be an IRI');
      if (object.definition !== undefined && !isObject(object.definition))
        add(`${at}/definition`, 'must be an object');
      else if (isObject(object.definition)) {
        for (const map of ['name', 'description'] as const) {
          if (object.definition[map] !== undefined)
            checkLanguageMap(object.definition[map], `${at}/definition/${map}`, add);
        }
      }
      return;
    case 'Agent':
    case 'Group':
      checkActor(object, at, add);
      return;
    case 'StatementRef':
      if (!(typeof object.id === 'string' && UUID.test(object.id)))
        add(`${at}/id`, 'must be the UUID of a statement');
      return;
    case 'SubStatement':
      if (sub) {
        add(`${at}/objectType`, 'a SubStatement cannot contain a SubStatement');
        return;
      }
      for (const forbidden of ['id', 'stored', 'version', 'authority'] as const) {
        if (object[forbidden] !== undefined) add(`${at}/${forbidden}`, 'is not allowed in a SubStatement');
      }
      checkStatementCore(object, at, add, true);
      return;
    default:
      add(`${at}/objectType`, 'must be Activity, Agent, Group, StatementRef or SubStatement');
  }
}

function checkTimestamp(value: unknown, at: string, add: Add): void {
  if (typeof value !== 'string' || !TIMESTAMP.test(value) || Number.isNaN(Date.parse(value))) {
    add(at, 'must be an ISO 8601 timestamp, e.g. 2026-03-12T10:15:00Z');
  } else if (/-00:?00$/.test(value)) {
    add(at, 'must not use the offset -00:00 (xAPI §4.5)');
  }
}

function checkLanguageMap(value: unknown, at: string, add: Add): void {
  if (!isObject(value) || Object.values(value).some((v) => typeof v !== 'string')) {
    add(at, 'must be a language map of strings');
  }
}

function checkAttachments(value: unknown, at: string, add: Add): void {
  if (!Array.isArray(value)) {
    add(at, 'must be an array');
    return;
  }
  value.forEach((attachment, i) => {
    const here = `${at}/${i}`;
    if (!isObject(attachment)) {
      add(here, 'must be an object');
      return;
    }
    if (!isIri(attachment.usageType)) add(`${here}/usageType`, 'must be an IRI');
    if (typeof attachment.contentType !== 'string') add(`${here}/contentType`, 'is required');
    if (!(Number.isInteger(attachment.length) && (attachment.length as number) >= 0))
      add(`${here}/length`, 'must be a whole number of bytes');
    if (typeof attachment.sha2 !== 'string') add(`${here}/sha2`, 'is required');
    if (attachment.display === undefined) add(`${here}/display`, 'is required');
  });
}

function isIri(value: unknown): boolean {
  return typeof value === 'string' && IRI.test(value);
}
