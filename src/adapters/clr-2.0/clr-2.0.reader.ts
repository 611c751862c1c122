// One received credential (a CLR, or a single Open Badges 3.0 credential) -> one pupil's record.
import { PLACEHOLDER_NAME } from '../../records/accumulating-sections';
import { createHash } from 'node:crypto';
import type { FieldError } from '../../common/problem/domain-error';
import { isValidSwedishCivicNo } from '../../records/civic-number';
import type { Achievement, LearnerRecord, Provenance, Pupil } from '../../records/learner-record.types';
import { validateLearnerRecord } from '../../records/learner-record.validator';
import type { ImportContext, ImportItem, ImportServices, Location, LossEntry } from '../vendor-adapter.port';
import { checkVcJwt, firstSubject, isObject, issuerId, type Json, type VcJwtCheck } from './vc-jwt.verifier';

export const CLR_ADAPTER_NAME = 'clr-2.0';
export const CLR_ADAPTER_VERSION = '1.0.0';

/** Limits of the canonical record (learner-record.v1): a stored credential string, a short text. */
const MAX_STORED_JWT_CHARS = 100_000;
const MAX_SHORT_TEXT = 1000;
const MAX_METHOD = 200;
const MAX_IDENTIFIER = 256;
/** achievements[] holds at most 1000: the CLR itself and what it carries. */
export const MAX_NESTED_CREDENTIALS = 999;

/** Placeholder for a name the credential does not give; the loss report says it was defaulted. */
/** Where the format does not name the pupil (an earlier import's name is kept over it). */
export const UNKNOWN_NAME = PLACEHOLDER_NAME;

/** Which pupil a credential belongs to, when the credential cannot say (options of the import). */
export interface ClrImportOptions {
  pupilSourceId?: string;
  pupilCivicNo?: string;
}

/** A credential as it arrived: a compact JWS or a JSON object, and where it was in the input. */
export interface ReceivedCredential {
  raw: string | Json;
  at: Location;
}

type Rejected = Extract<ImportItem, { kind: 'rejected' }>;

/**
 * Verifies the credential and everything it carries, and makes the record of the pupil it is about:
 * one achievement per credential, kept as received with its verification result. The pupil section is
 * only what the credential says about its subject, completed with defaults the loss report names; the
 * pipeline matches the pupil by `source.id`.
 */
export async function readCredential(
  received: ReceivedCredential,
  ctx: ImportContext,
  services: ImportServices,
): Promise<ImportItem> {
  const options = ctx.options as ClrImportOptions;
  const checkedAt = ctx.now.toISOString();
  const top = await verifyReceived(received.raw, ctx.now, services);
  const credential = top.credential;
  const loss: LossEntry[] = [];

  if (credential && !typeList(credential).includes('VerifiableCredential')) {
    return reject(received.at, '/type', 'is not a verifiable credential (type lacks VerifiableCredential)');
  }
  const who = identifyPupil(credential, options, received.at);
  if ('kind' in who) return who;

  const provenance = (sourceId?: string): Provenance => ({
    sourcePlatform: ctx.platformId,
    ...(sourceId ? { sourceId } : {}),
    adapter: CLR_ADAPTER_NAME,
    adapterVersion: CLR_ADAPTER_VERSION,
    importedAt: checkedAt,
  });

  const achievements: Achievement[] = [];
  const keep = (raw: string | Json, check: VcJwtCheck, at: Location): void => {
    if (typeof raw === 'string' && raw.length > MAX_STORED_JWT_CHARS) {
      loss.push({
        kind: 'dropped',
        source: at,
        detail:
          `a credential of ${raw.length} characters is larger than a stored one may be (${MAX_STORED_JWT_CHARS}); ` +
          `its proof (${check.method}) was ${check.status}${check.detail ? `: ${check.detail}` : ''}`,
      });
      return;
    }
    achievements.push(achievementOf(raw, check, checkedAt, provenance));
  };
  keep(received.raw, top, received.at);

  const nested =
    credential && typeList(credential).includes('ClrCredential') ? nestedCredentials(credential) : [];
  if (nested.length > MAX_NESTED_CREDENTIALS) {
    return reject(
      received.at,
      '/credentialSubject/verifiableCredential',
      `holds ${nested.length} credentials; at most ${MAX_NESTED_CREDENTIALS} can be kept for one pupil`,
    );
  }
  for (const [k, entry] of nested.entries()) {
    const at = { ...received.at, pointer: `/credentialSubject/verifiableCredential/${k}` };
    const inner = envelopedJwt(entry) ?? entry;
    if (typeof inner !== 'string' && !isObject(inner)) {
      loss.push({ kind: 'dropped', source: at, detail: 'neither a VC-JWT nor a credential object' });
      continue;
    }
    keep(inner, await verifyReceived(inner, ctx.now, services), at);
  }

  const pupil = pupilOf(who, received.at, loss, provenance(who.sourceId));
  const record: LearnerRecord = {
    schemaVersion: '1.0',
    source: { platform: ctx.platformId, id: who.sourceId },
    pupil,
    ...(achievements.length > 0 ? { achievements } : {}),
  };
  const problems = validateLearnerRecord(record);
  if (problems.length > 0) {
    // Everything above is bounded, so this is a value the schema refuses in a way not foreseen here.
    return {
      kind: 'rejected',
      sourceId: who.sourceId,
      source: received.at,
      errors: problems.map((p) => ({
        ...received.at,
        detail: `the record would be invalid at ${p.pointer}: ${p.detail}`,
      })),
    };
  }
  return { kind: 'record', record, loss, source: received.at };
}

async function verifyReceived(raw: string | Json, now: Date, services: ImportServices): Promise<VcJwtCheck> {
  if (typeof raw === 'string') return checkVcJwt(raw, now, services.verifier);
  return { ...embeddedProofCheck(raw), credential: raw };
}

/**
 * Data Integrity proofs (eddsa-rdfc-2022, Ed25519Signature2020) sign the RDF canonical form of the
 * JSON-LD document (RDFC-1.0), which needs a JSON-LD processor and the contexts; portabel has neither,
 * so it says so rather than pretending: such a credential is recorded as unverified, never verified.
 */
function embeddedProofCheck(credential: Json): Omit<VcJwtCheck, 'credential'> {
  const proofs = (Array.isArray(credential.proof) ? credential.proof : [credential.proof]).filter(isObject);
  if (proofs.length === 0) {
    return {
      status: 'unverified',
      method: 'none',
      detail: 'the credential has no proof: nothing says who issued it',
    };
  }
  const method = proofs
    .map((p) => [p.type, p.cryptosuite].filter((v) => typeof v === 'string').join(' '))
    .join(', ');
  return {
    status: 'unverified',
    method: clip(method || 'unknown proof', MAX_METHOD),
    detail:
      'a Data Integrity proof signs the RDF canonical form (RDFC-1.0) of the JSON-LD document, which ' +
      'this import cannot compute; the proof was not checked',
  };
}

function achievementOf(
  raw: string | Json,
  check: VcJwtCheck,
  checkedAt: string,
  provenance: (sourceId?: string) => Provenance,
): Achievement {
  const credential = check.credential;
  const issuer = credential ? issuerName(credential) : undefined;
  const name = credential ? credentialName(credential) : undefined;
  const id =
    credential && typeof credential.id === 'string' && credential.id.length <= MAX_IDENTIFIER
      ? credential.id
      : undefined;
  return {
    format: typeof raw === 'string' ? 'vc-jwt' : 'vc-json',
    credential: raw,
    ...(issuer ? { issuer } : {}),
    ...(name ? { name } : {}),
    verification: {
      status: check.status,
      method: clip(check.method, MAX_METHOD),
      checkedAt,
      ...(check.detail ? { detail: clip(check.detail, MAX_SHORT_TEXT) } : {}),
    },
    provenance: provenance(id),
  };
}

function issuerName(credential: Json): string | undefined {
  const issuer = credential.issuer;
  const name = isObject(issuer) && typeof issuer.name === 'string' ? issuer.name : issuerId(credential);
  return name ? clip(name.normalize('NFC'), MAX_SHORT_TEXT) : undefined;
}

function credentialName(credential: Json): string | undefined {
  const achievement = firstSubject(credential)?.achievement;
  const name =
    typeof credential.name === 'string'
      ? credential.name
      : isObject(achievement) && typeof achievement.name === 'string'
        ? achievement.name
        : undefined;
  return name ? clip(name.normalize('NFC'), MAX_SHORT_TEXT) : undefined;
}

function nestedCredentials(credential: Json): unknown[] {
  const carried = firstSubject(credential)?.verifiableCredential;
  if (carried === undefined) return [];
  return Array.isArray(carried) ? carried : [carried];
}

/** VCDM 2.0 §4.13: a JWT-secured credential inside another as an EnvelopedVerifiableCredential. */
function envelopedJwt(entry: unknown): string | undefined {
  if (!isObject(entry) || !typeList(entry).includes('EnvelopedVerifiableCredential')) return undefined;
  const prefix = 'data:application/vc+jwt,';
  return typeof entry.id === 'string' && entry.id.startsWith(prefix)
    ? entry.id.slice(prefix.length)
    : undefined;
}

// ---------------------------------------------------------------------------------------------------------
// Whose credential it is.

interface PupilFacts {
  sourceId: string;
  sourceIdFrom: string;
  civicNo?: string;
  fullName?: string;
}

const SOURCED_ID_TYPES = ['sourcedId', 'oneRosterSourcedId', 'sisSourcedId', 'lisSourcedId'];

/**
 * The pupil's id, in this order: the import's `pupilSourceId` option (a registrar importing a pupil's
 * credential into that pupil's record), the subject's sourcedId identity (what portabel's own CLR
 * carries), the subject's id (a DID or URL: stable for the holder). With `pupilCivicNo`, a hashed
 * national identity number in the subject must match it.
 */
function identifyPupil(
  credential: Json | undefined,
  options: ClrImportOptions,
  at: Location,
): PupilFacts | Rejected {
  const subject = credential ? firstSubject(credential) : undefined;
  const identities = Array.isArray(subject?.identifier) ? (subject.identifier as unknown[]) : [];
  const plain = (types: string[]): string | undefined => {
    for (const identity of identities) {
      if (isObject(identity) && identity.hashed !== true && types.includes(String(identity.identityType))) {
        if (typeof identity.identityHash === 'string' && identity.identityHash.trim() !== '')
          return identity.identityHash.trim();
      }
    }
    return undefined;
  };

  let sourceId: string | undefined;
  let sourceIdFrom = '/credentialSubject';
  if (options.pupilSourceId !== undefined) {
    sourceId = options.pupilSourceId;
    sourceIdFrom = 'options.pupilSourceId';
  } else if (plain(SOURCED_ID_TYPES)) {
    sourceId = plain(SOURCED_ID_TYPES);
    sourceIdFrom = '/credentialSubject/identifier';
  } else if (typeof subject?.id === 'string') {
    sourceId = subject.id;
    sourceIdFrom = '/credentialSubject/id';
  }
  if (sourceId === undefined) {
    return reject(
      at,
      credential ? '/credentialSubject' : '',
      credential
        ? 'does not identify its subject (no id, no sourcedId identity); say whose it is with the option pupilSourceId'
        : 'the credential cannot be read, so it cannot say whose it is; give the option pupilSourceId',
    );
  }
  if (sourceId.length > MAX_IDENTIFIER) {
    return reject(
      at,
      sourceIdFrom.startsWith('/') ? sourceIdFrom : '',
      `the pupil's id is longer than ${MAX_IDENTIFIER} characters`,
    );
  }

  let civicNo: string | undefined;
  if (options.pupilCivicNo !== undefined) {
    if (!isValidSwedishCivicNo(options.pupilCivicNo)) {
      return reject(at, '', 'the option pupilCivicNo is not a valid personnummer or samordningsnummer');
    }
    const mismatch = hashedCivicNoMismatch(identities, options.pupilCivicNo);
    if (mismatch !== undefined) {
      return reject(
        at,
        `/credentialSubject/identifier/${mismatch}`,
        'is the hash of another civic number than pupilCivicNo',
      );
    }
    civicNo = options.pupilCivicNo;
  }
  const fullName = plain(['name'])?.normalize('NFC');
  return { sourceId, sourceIdFrom, ...(civicNo ? { civicNo } : {}), ...(fullName ? { fullName } : {}) };
}

/** Index of a hashed national identity number that is not the hash of `civicNo`, if any. */
function hashedCivicNoMismatch(identities: unknown[], civicNo: string): number | undefined {
  for (const [i, identity] of identities.entries()) {
    if (!isObject(identity) || identity.hashed !== true || identity.identityType !== 'nationalIdentityNumber')
      continue;
    const hash = typeof identity.identityHash === 'string' ? identity.identityHash.toLowerCase() : '';
    const salt = typeof identity.salt === 'string' ? identity.salt : '';
    const expected = `sha256$${createHash('sha256')
      .update(civicNo + salt)
      .digest('hex')}`;
    if (hash !== expected) return i;
  }
  return undefined;
}

function pupilOf(who: PupilFacts, at: Location, loss: LossEntry[], provenance: Provenance): Pupil {
  const { givenName, familyName } = splitName(who.fullName);
  const note = (field: string, kind: 'defaulted' | 'approximated', detail: string): void => {
    loss.push({
      kind,
      source: { ...at, pointer: '/credentialSubject/identifier' },
      target: { pointer: `/pupil/${field}` },
      detail,
    });
  };
  if (who.fullName === undefined) {
    note('givenName', 'defaulted', `the credential does not name its subject: "${UNKNOWN_NAME}" stands in`);
    note('familyName', 'defaulted', `the credential does not name its subject: "${UNKNOWN_NAME}" stands in`);
  } else if (givenName === UNKNOWN_NAME) {
    note(
      'givenName',
      'defaulted',
      `the subject's name is one word: "${UNKNOWN_NAME}" stands in for a given name`,
    );
    note('familyName', 'approximated', 'the one-word name is taken as the family name');
  } else {
    note('givenName', 'approximated', 'OB 3.0 has one name: all but its last word are taken as given names');
    note('familyName', 'approximated', 'OB 3.0 has one name: its last word is taken as the family name');
  }
  loss.push({
    kind: 'defaulted',
    source: at,
    target: { pointer: '/pupil/securityMarking' },
    detail:
      'a credential has no security marking: "Ingen" stands in, and the pipeline must keep a marked pupil’s own',
  });
  return {
    ...(who.civicNo ? { civicNo: { value: who.civicNo, nationality: 'SE' } } : {}),
    givenName,
    familyName,
    securityMarking: 'Ingen',
    provenance,
  };
}

function splitName(fullName: string | undefined): { givenName: string; familyName: string } {
  const words = (fullName ?? '').split(/\s+/).filter(Boolean);
  if (words.length === 0) return { givenName: UNKNOWN_NAME, familyName: UNKNOWN_NAME };
  if (words.length === 1) return { givenName: UNKNOWN_NAME, familyName: clip(words[0], 200) };
  return {
    givenName: clip(words.slice(0, -1).join(' '), 200),
    familyName: clip(words[words.length - 1], 200),
  };
}

// ---------------------------------------------------------------------------------------------------------

export function typeList(value: Json): string[] {
  const type = value.type;
  if (typeof type === 'string') return [type];
  return Array.isArray(type) ? type.filter((t): t is string => typeof t === 'string') : [];
}

function reject(at: Location, pointer: string, detail: string): Rejected {
  const error: FieldError = { ...fieldPlace(at), pointer, detail };
  return { kind: 'rejected', source: { ...at, pointer }, errors: [error] };
}

function fieldPlace(at: Location): Omit<FieldError, 'detail'> {
  return { ...(at.file ? { file: at.file } : {}), ...(at.line ? { line: at.line } : {}) };
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
