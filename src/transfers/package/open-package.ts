import { createHash } from 'node:crypto';
import {
  compactDecrypt,
  compactVerify,
  decodeProtectedHeader,
  type CompactJWEHeaderParameters,
  type CryptoKey,
  type JWK,
  type KeyObject,
  type ProtectedHeaderParameters,
} from 'jose';
import { categoriesIn, sectionsOf } from '../../consent/categories';
import { checkLearnerRecord } from '../../records/learner-record.validator';
import {
  DEFAULT_MAX_PACKAGE_BYTES,
  manifestProblems,
  PACKAGE_CONTENT_ENCRYPTION,
  PACKAGE_JWE_CTY,
  PACKAGE_JWE_TYP,
  PACKAGE_JWS_TYP,
  PACKAGE_KEY_MANAGEMENT_ALGS,
  PACKAGE_SIGNING_ALGS,
  splitPackageDocument,
  type OpenedPackage,
  type TransferManifest,
  type TransferPayload,
} from './package-format';
import {
  PackageAlgorithmNotAllowedError,
  PackageExpiredError,
  PackageInvalidRecordError,
  PackageMalformedError,
  PackagePayloadHashMismatchError,
  PackageReplayedError,
  PackageRevokedKeyError,
  PackageTamperedError,
  PackageTooLargeError,
  PackageUntrustedSenderError,
  PackageWrongReceiverError,
  PackageWrongTypeError,
} from './transfer-package.errors';

/**
 * A sender's verification keys: a JWK Set, and the kids it must never be trusted with again. A plain
 * JWKS is one (no revocations known).
 */
export interface SenderKeys {
  keys: JWK[];
  revokedKids?: readonly string[];
}

/** Decrypts the compact JWE as the receiver; may throw a TransferPackageRefused of its own. */
export type PackageDecrypter = (jwe: string, header: CompactJWEHeaderParameters) => Promise<Uint8Array>;

export interface OpenPackageOptions {
  /** The receiver's private encryption key, or a function that decrypts with it (KeysService.decrypt). */
  decrypt: JWK | CryptoKey | KeyObject | PackageDecrypter;
  /**
   * The sender's keys, or where to find them by the sender's kommun code and the kid its signature
   * names (null: not a trusted peer).
   */
  verificationKeys: SenderKeys | ((senderKommun: string, kid: string) => Promise<SenderKeys | null>);
  /** This kommun: a package addressed to another is refused. Leave out only to inspect (the CLI). */
  expectedReceiver?: string;
  now?: Date;
  /** Largest compact JWE accepted, in bytes (8 MiB unless said). */
  maxBytes?: number;
  /**
   * Whether the package id was seen before. Only asks: the caller records the jti once it keeps
   * the package (the inbox, with a unique constraint). Left out, replay is not checked (the CLI).
   */
  seenJti?: (jti: string, manifest: TransferManifest) => boolean | Promise<boolean>;
  /** Leeway for clocks apart, in seconds, on expiry. */
  clockToleranceSeconds?: number;
}

export const NOT_DECRYPTABLE =
  "The package does not decrypt: it was changed, or not encrypted to this kommun's key.";
const COMPACT_JWE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
const dec = new TextDecoder('utf-8', { fatal: true });

/**
 * Opens a transfer package, running every check in the order docs/transfer-package.md gives, and
 * throws the first refusal (a TransferPackageRefused subclass). Pure but for the callbacks: the
 * receiving service and the offline `portabel verify` both use it.
 */
export async function openPackage(jwe: string, options: OpenPackageOptions): Promise<OpenedPackage> {
  const now = Math.floor((options.now ?? new Date()).getTime() / 1000);
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_PACKAGE_BYTES;

  // 1. Size, before any work on it.
  const size = Buffer.byteLength(jwe, 'utf8');
  if (size > maxBytes) throw new PackageTooLargeError(size, maxBytes);

  // 2-5. The JWE header (integrity-protected as the JWE's additional data, so checked again by 6).
  const header = jweHeader(jwe);
  if (header.typ !== PACKAGE_JWE_TYP || header.cty !== PACKAGE_JWE_CTY) {
    throw new PackageWrongTypeError(
      `A package's JWE has typ ${PACKAGE_JWE_TYP} and cty ${PACKAGE_JWE_CTY}, not ${String(header.typ)} and ${String(header.cty)}.`,
    );
  }
  if (
    !(PACKAGE_KEY_MANAGEMENT_ALGS as readonly string[]).includes(String(header.alg)) ||
    header.enc !== PACKAGE_CONTENT_ENCRYPTION ||
    header.zip !== undefined
  ) {
    throw new PackageAlgorithmNotAllowedError(
      `A package is encrypted with ${PACKAGE_KEY_MANAGEMENT_ALGS.join(', ')} and ${PACKAGE_CONTENT_ENCRYPTION}, ` +
        `uncompressed; this one uses ${String(header.alg)} and ${String(header.enc)}.`,
    );
  }
  if (typeof header.iss !== 'string' || typeof header.aud !== 'string') {
    throw new PackageMalformedError("The JWE header does not name the package's iss and aud.");
  }
  if (options.expectedReceiver !== undefined && header.aud !== options.expectedReceiver) {
    throw new PackageWrongReceiverError(header.aud, options.expectedReceiver);
  }

  // 6. Decryption: AES-GCM authenticates ciphertext and header alike.
  const jws = await decryptInner(jwe, header, options.decrypt);

  // 7-8. The inner JWS's header.
  const inner = jwsHeader(jws);
  if (inner.typ !== PACKAGE_JWS_TYP) {
    throw new PackageWrongTypeError(`A package's JWS has typ ${PACKAGE_JWS_TYP}, not ${String(inner.typ)}.`);
  }
  const alg = String(inner.alg);
  if (!(PACKAGE_SIGNING_ALGS as readonly string[]).includes(alg)) {
    throw new PackageAlgorithmNotAllowedError(
      `A package is signed with ${PACKAGE_SIGNING_ALGS.join(' or ')}, not ${alg}.`,
    );
  }

  // 9-11. The sender's key: a trusted peer's, not revoked, then the signature.
  const sender = header.iss;
  const kid = inner.kid;
  if (typeof kid !== 'string' || kid === '') {
    throw new PackageUntrustedSenderError('The signature names no key (kid).');
  }
  const senderKeys =
    typeof options.verificationKeys === 'function'
      ? await options.verificationKeys(sender, kid)
      : options.verificationKeys;
  if (!senderKeys) throw new PackageUntrustedSenderError(`Kommun ${sender} is not a trusted peer.`);
  if (senderKeys.revokedKids?.includes(kid)) throw new PackageRevokedKeyError(kid);
  const key = senderKeys.keys.find((k) => k.kid === kid && (k.use === undefined || k.use === 'sig'));
  if (!key) throw new PackageUntrustedSenderError(`The key ${kid} is not one of kommun ${sender}'s keys.`);
  if (key.alg !== undefined && key.alg !== alg) {
    throw new PackageAlgorithmNotAllowedError(`The key ${kid} is for ${key.alg}, not ${alg}.`);
  }
  let document: Uint8Array;
  try {
    document = (await compactVerify(jws, key, { algorithms: [alg] })).payload;
  } catch {
    throw new PackageTamperedError("The sender's signature does not verify.");
  }

  // 12. The signed document: {"manifest":…,"payload":…} and a sound manifest.
  const parts = splitPackageDocument(document);
  if ('error' in parts) throw new PackageMalformedError(parts.error);
  const manifest = parseJson(parts.manifest, 'manifest') as TransferManifest;
  const problems = manifestProblems(manifest);
  if (problems.length > 0)
    throw new PackageMalformedError(`The manifest is not sound: ${problems.join('; ')}.`);

  // 13-14. What the sender signed must agree with how it was addressed and who signed it.
  if (manifest.iss !== sender) {
    throw new PackageUntrustedSenderError(
      `Signed with a key of kommun ${sender}, but says it is from ${manifest.iss}.`,
    );
  }
  if (manifest.aud !== header.aud) throw new PackageWrongReceiverError(manifest.aud, header.aud);
  if (options.expectedReceiver !== undefined && manifest.aud !== options.expectedReceiver) {
    throw new PackageWrongReceiverError(manifest.aud, options.expectedReceiver);
  }

  // 15-16. Time and uniqueness.
  if (manifest.exp + (options.clockToleranceSeconds ?? 30) <= now)
    throw new PackageExpiredError(manifest.exp);
  if (options.seenJti && (await options.seenJti(manifest.jti, manifest)))
    throw new PackageReplayedError(manifest.jti);

  // 17-18. The payload: its bytes as signed, then the canonical schema.
  if (createHash('sha256').update(parts.payload).digest('hex') !== manifest.payloadSha256) {
    throw new PackagePayloadHashMismatchError();
  }
  const payload = parseJson(parts.payload, 'payload') as TransferPayload;
  checkPayload(payload, manifest);

  return { manifest, payload, sender: { kommun: sender, kid, alg }, jws };
}

/**
 * Who a package says it is from and to, read from its JWE header without any check: for routing
 * (which hosted kommun's inbox it is for) and for logs, never for trust. Null if it has no such
 * header; openPackage checks everything, these claims included.
 */
export function packageAddress(jwe: string): { iss: string; aud: string; kid?: string } | null {
  try {
    const header = decodeProtectedHeader(jwe);
    if (typeof header.iss !== 'string' || typeof header.aud !== 'string') return null;
    return {
      iss: header.iss,
      aud: header.aud,
      ...(typeof header.kid === 'string' ? { kid: header.kid } : {}),
    };
  } catch {
    return null;
  }
}

function jweHeader(jwe: string): CompactJWEHeaderParameters {
  if (!COMPACT_JWE.test(jwe)) throw new PackageMalformedError('Not a compact JWE (five base64url parts).');
  if (!jwe.split('.').every(canonicalBase64url)) {
    throw new PackageMalformedError('A part of the JWE is not canonical base64url.');
  }
  try {
    return decodeProtectedHeader(jwe) as CompactJWEHeaderParameters;
  } catch {
    throw new PackageMalformedError('The JWE header is not base64url-encoded JSON.');
  }
}

const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/**
 * Whether the unused low bits of the last character are zero (RFC 4648 §3.5). Decoders ignore
 * them, so without this check a changed character there would change nothing and go unnoticed.
 */
function canonicalBase64url(segment: string): boolean {
  const rest = segment.length % 4;
  if (rest === 0) return true;
  if (rest === 1) return false;
  const last = BASE64URL.indexOf(segment[segment.length - 1]);
  return (last & (rest === 2 ? 0b1111 : 0b11)) === 0;
}

function jwsHeader(jws: string): ProtectedHeaderParameters {
  if (jws.split('.').length !== 3) throw new PackageMalformedError('The JWE does not hold a compact JWS.');
  try {
    return decodeProtectedHeader(jws);
  } catch {
    throw new PackageMalformedError('The JWS header is not base64url-encoded JSON.');
  }
}

async function decryptInner(
  jwe: string,
  header: CompactJWEHeaderParameters,
  decrypt: OpenPackageOptions['decrypt'],
): Promise<string> {
  let plaintext: Uint8Array;
  if (typeof decrypt === 'function') {
    // The decrypter maps its own failures (to refusals, or to errors that are not the package's fault).
    plaintext = await decrypt(jwe, header);
  } else {
    try {
      const opened = await compactDecrypt(jwe, decrypt, {
        keyManagementAlgorithms: [String(header.alg)],
        contentEncryptionAlgorithms: [PACKAGE_CONTENT_ENCRYPTION],
      });
      plaintext = opened.plaintext;
    } catch {
      // jose says only that it failed, and should not say more: a changed byte, or another key.
      throw new PackageTamperedError(NOT_DECRYPTABLE);
    }
  }
  try {
    return dec.decode(plaintext);
  } catch {
    throw new PackageMalformedError('The decrypted content is not UTF-8 text.');
  }
}

function parseJson(bytes: Uint8Array, what: string): unknown {
  try {
    return JSON.parse(dec.decode(bytes));
  } catch {
    throw new PackageMalformedError(`The ${what} is not JSON.`);
  }
}

function checkPayload(payload: TransferPayload, manifest: TransferManifest): void {
  if (!payload || typeof payload !== 'object' || !Array.isArray(payload.loss)) {
    throw new PackageInvalidRecordError('The payload is not {record, loss[]}.', [
      { pointer: '/loss', detail: 'must be an array' },
    ]);
  }
  const { schemaErrors, ruleErrors } = checkLearnerRecord(payload.record);
  const errors = schemaErrors.length > 0 ? schemaErrors : ruleErrors;
  if (errors.length > 0) {
    throw new PackageInvalidRecordError(
      `The record breaks the canonical schema in ${errors.length} place(s).`,
      errors.slice(0, 50).map((e) => ({ pointer: `/record${e.pointer}`, detail: e.detail })),
    );
  }
  // Only what the manifest declares (and the decision point allowed) may be in the record.
  const undeclared = categoriesIn(payload.record).filter((c) => !manifest.categories.includes(c));
  if (undeclared.length > 0) {
    throw new PackageInvalidRecordError(
      `The record holds categories its manifest does not declare: ${undeclared.join(', ')}.`,
      undeclared
        .flatMap((c) => sectionsOf(c).filter((s) => payload.record[s] !== undefined))
        .map((s) => ({ pointer: `/record/${s}`, detail: 'is in a category the manifest does not include' })),
    );
  }
  if (payload.record.schemaVersion !== manifest.schemaVersion) {
    throw new PackageInvalidRecordError('The record is not of the schema version its manifest names.', [
      { pointer: '/record/schemaVersion', detail: `must be ${manifest.schemaVersion}` },
    ]);
  }
}
