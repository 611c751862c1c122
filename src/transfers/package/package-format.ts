import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import type { LossEntry } from '../../adapters/vendor-adapter.port';
import type { Category } from '../../consent/categories';
import type { LegalBasis } from '../../consent/purposes';
import type { LearnerRecord } from '../../records/learner-record.types';

/** Explicit types (RFC 8725 §3.11): no other token portabel or anyone issues can pass for a package. */
export const PACKAGE_JWS_TYP = 'transfer-package+jws';
export const PACKAGE_JWE_TYP = 'transfer-package+jwe';
/** The JWE's content is the compact JWS above (RFC 7516 §4.1.12). */
export const PACKAGE_JWE_CTY = PACKAGE_JWS_TYP;

/** Signature algorithms a package may be signed with; everything else (none, HS*, RS*) is refused. */
export const PACKAGE_SIGNING_ALGS = ['EdDSA', 'ES256'] as const;
/** Key agreement to the receiver's encryption key, in the alg the receiver published for that key. */
export const PACKAGE_KEY_MANAGEMENT_ALGS = ['ECDH-ES', 'ECDH-ES+A128KW', 'ECDH-ES+A256KW'] as const;
export const PACKAGE_CONTENT_ENCRYPTION = 'A256GCM';

export const PACKAGE_FORMAT_VERSION = 1;
export const DEFAULT_PACKAGE_TTL_SECONDS = 14 * 86_400;
/** Default ceiling for a whole compact JWE; a 1 MB record seals to about 1.8 MB. */
export const DEFAULT_MAX_PACKAGE_BYTES = 8 * 1024 * 1024;

export interface PackageParty {
  kommun: string;
  /** Skolenhetskod. */
  schoolUnit?: string;
}

/** The signed manifest (openapi/schemas/transfer-manifest.v1.schema.json). */
export interface TransferManifest {
  formatVersion: 1;
  /** Package id, a UUID: each is opened once. */
  jti: string;
  /** Sending kommun; equals sender.kommun. */
  iss: string;
  /** Receiving kommun; equals receiver.kommun. */
  aud: string;
  sender: PackageParty;
  receiver: PackageParty;
  pupil: { ref: string };
  /** A school change (`transfer`, also when absent) or a data subject's direct transmission (GDPR Art. 20(2)). */
  purpose?: 'transfer' | 'portability';
  /** The canonical record schema version of the payload's record. */
  schemaVersion: string;
  categories: Category[];
  legalBasis: Partial<Record<Category, LegalBasis>>;
  consentReceipts: string[];
  /** NumericDate seconds. */
  iat: number;
  exp: number;
  /** Lowercase hex SHA-256 of the payload member's exact bytes in the signed document. */
  payloadSha256: string;
}

/** What travels: the record as the decision point minimised it, and the report of what it left out. */
export interface TransferPayload {
  record: LearnerRecord;
  loss: LossEntry[];
}

export interface SealInput {
  sender: PackageParty;
  receiver: PackageParty;
  pupil: { ref: string };
  /** `transfer` unless said. */
  purpose?: 'transfer' | 'portability';
  categories: Category[];
  legalBasis: Partial<Record<Category, LegalBasis>>;
  consentReceipts: string[];
  payload: TransferPayload;
  /** From sealing to expiry; 14 days unless said. */
  ttlSeconds?: number;
}

export interface SealedPackage {
  /** The compact JWE: what is delivered. */
  jwe: string;
  manifest: TransferManifest;
}

export interface OpenedPackage {
  manifest: TransferManifest;
  payload: TransferPayload;
  /** The sender's key that verified the signature. */
  sender: { kommun: string; kid: string; alg: string };
  /** The inner compact JWS: the sender's signature over manifest and payload, worth keeping as proof. */
  jws: string;
}

// ---------------------------------------------------------------------------------------------------
// The signed document's layout. Its bytes are exactly {"manifest":M,"payload":P} with no whitespace
// between those tokens, so that the payload's hash is over bytes both sides see, without a
// canonicalisation step (JCS would cost more than the signature on a 1 MB record).

const enc = new TextEncoder();
const HEAD = enc.encode('{"manifest":');
const MIDDLE = enc.encode(',"payload":');
const TAIL = enc.encode('}');

/** The document to sign: the manifest's JSON and the payload's JSON bytes as given. */
export function packageDocument(manifest: TransferManifest, payloadJson: Uint8Array): Uint8Array {
  return Buffer.concat([HEAD, enc.encode(JSON.stringify(manifest)), MIDDLE, payloadJson, TAIL]);
}

/**
 * Splits a signed document into the manifest's and the payload's bytes, or says why it cannot.
 * The manifest's end is found by scanning its JSON (strings and escapes respected): UTF-8 never
 * puts an ASCII byte inside a multi-byte character, so scanning bytes is scanning characters.
 */
export function splitPackageDocument(
  doc: Uint8Array,
): { manifest: Uint8Array; payload: Uint8Array } | { error: string } {
  if (!startsWith(doc, HEAD, 0)) return { error: 'The signed document does not start with the manifest.' };
  const start = HEAD.length;
  const end = endOfJsonObject(doc, start);
  if (end < 0) return { error: 'The manifest is not a JSON object.' };
  if (!startsWith(doc, MIDDLE, end)) return { error: 'The manifest is not followed by the payload.' };
  if (doc.length < end + MIDDLE.length + 2 || doc[doc.length - 1] !== TAIL[0]) {
    return { error: 'The signed document does not end after the payload.' };
  }
  return { manifest: doc.subarray(start, end), payload: doc.subarray(end + MIDDLE.length, doc.length - 1) };
}

function startsWith(doc: Uint8Array, prefix: Uint8Array, at: number): boolean {
  if (doc.length < at + prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (doc[at + i] !== prefix[i]) return false;
  return true;
}

const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/** Index just past the JSON object starting at `start`, or -1. Validity is left to JSON.parse. */
function endOfJsonObject(doc: Uint8Array, start: number): number {
  if (doc[start] !== OPEN_BRACE) return -1;
  let depth = 0;
  let inString = false;
  for (let i = start; i < doc.length; i++) {
    const b = doc[i];
    if (inString) {
      if (b === BACKSLASH) i++;
      else if (b === QUOTE) inString = false;
    } else if (b === QUOTE) inString = true;
    else if (b === OPEN_BRACE || b === OPEN_BRACKET) depth++;
    else if (b === CLOSE_BRACE || b === CLOSE_BRACKET) {
      depth--;
      if (depth === 0) return b === CLOSE_BRACE ? i + 1 : -1;
    }
  }
  return -1;
}

// ---------------------------------------------------------------------------------------------------
// The manifest's schema, the one openapi/ publishes.

const SCHEMA_FILE = join('openapi', 'schemas', 'transfer-manifest.v1.schema.json');

function findSchemaFile(): string {
  for (let dir = __dirname; ; dir = dirname(dir)) {
    const candidate = join(dir, SCHEMA_FILE);
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) throw new Error(`${SCHEMA_FILE} not found in any folder above ${__dirname}`);
  }
}

export const TRANSFER_MANIFEST_SCHEMA = JSON.parse(readFileSync(findSchemaFile(), 'utf8')) as Record<
  string,
  unknown
>;

const ajv = new Ajv2020({ allErrors: true, strict: true });
addFormats(ajv, ['uuid']);
const validateManifestSchema = ajv.compile<TransferManifest>(TRANSFER_MANIFEST_SCHEMA);

/** The manifest's problems as sentences (schema, then the rules across fields); empty when it is sound. */
export function manifestProblems(manifest: unknown): string[] {
  if (!validateManifestSchema(manifest)) {
    return (validateManifestSchema.errors ?? []).map((e) =>
      `${e.instancePath || '/'} ${e.message ?? ''}`.trim(),
    );
  }
  const problems: string[] = [];
  if (manifest.iss !== manifest.sender.kommun) problems.push('iss is not sender.kommun');
  if (manifest.aud !== manifest.receiver.kommun) problems.push('aud is not receiver.kommun');
  if (manifest.exp <= manifest.iat) problems.push('exp is not after iat');
  for (const c of manifest.categories) {
    if (!manifest.legalBasis[c]) problems.push(`legalBasis names no basis for ${c}`);
  }
  for (const c of Object.keys(manifest.legalBasis)) {
    if (!(manifest.categories as string[]).includes(c))
      problems.push(`legalBasis names ${c}, which is not included`);
  }
  return problems;
}
