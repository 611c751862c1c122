import { createHash, randomUUID } from 'node:crypto';
import { CompactEncrypt, type CryptoKey, type JWK, type KeyObject } from 'jose';
import {
  DEFAULT_PACKAGE_TTL_SECONDS,
  PACKAGE_CONTENT_ENCRYPTION,
  PACKAGE_FORMAT_VERSION,
  PACKAGE_JWE_CTY,
  PACKAGE_JWE_TYP,
  PACKAGE_JWS_TYP,
  PACKAGE_KEY_MANAGEMENT_ALGS,
  manifestProblems,
  packageDocument,
  type SealedPackage,
  type SealInput,
  type TransferManifest,
} from './package-format';

/** Signs the package document as the sender: a compact JWS with the given typ and the signing key's kid. */
export type PackageSigner = (document: Uint8Array, typ: string) => Promise<string>;

/** The receiver's public encryption key (use: enc) as its JWKS publishes it. */
export interface ReceiverEncryptionKey {
  key: JWK | CryptoKey | KeyObject;
  kid: string;
  /** The key's published alg: ECDH-ES, ECDH-ES+A128KW or ECDH-ES+A256KW. */
  alg: string;
}

export interface SealOptions {
  sign: PackageSigner;
  encryptTo: ReceiverEncryptionKey;
  now?: Date;
  /** Fixed only in tests; a fresh UUID otherwise. */
  jti?: string;
}

const enc = new TextEncoder();

/**
 * Seals a transfer package: the sender signs {manifest, payload} (JWS, typ transfer-package+jws),
 * then it is encrypted to the receiver's key (JWE, typ transfer-package+jwe). The manifest's
 * `iss` and `aud` are repeated in the JWE header (RFC 7519 §5.3) so a receiver can turn away a
 * package for someone else before decrypting it. docs/transfer-package.md is the specification.
 */
export async function sealPackage(input: SealInput, options: SealOptions): Promise<SealedPackage> {
  if (!(PACKAGE_KEY_MANAGEMENT_ALGS as readonly string[]).includes(options.encryptTo.alg)) {
    throw new TypeError(`the receiver's key is for ${options.encryptTo.alg}, not an ECDH-ES algorithm`);
  }
  const payloadJson = enc.encode(JSON.stringify(input.payload));
  const iat = Math.floor((options.now ?? new Date()).getTime() / 1000);
  const manifest: TransferManifest = {
    formatVersion: PACKAGE_FORMAT_VERSION,
    jti: options.jti ?? randomUUID(),
    iss: input.sender.kommun,
    aud: input.receiver.kommun,
    sender: party(input.sender),
    receiver: party(input.receiver),
    pupil: { ref: input.pupil.ref },
    ...(input.purpose ? { purpose: input.purpose } : {}),
    schemaVersion: input.payload.record.schemaVersion,
    categories: [...input.categories],
    legalBasis: { ...input.legalBasis },
    consentReceipts: [...input.consentReceipts],
    iat,
    exp: iat + (input.ttlSeconds ?? DEFAULT_PACKAGE_TTL_SECONDS),
    payloadSha256: createHash('sha256').update(payloadJson).digest('hex'),
  };
  // A package its receiver would refuse is a bug on this side: say so here, not after delivery.
  const problems = manifestProblems(manifest);
  if (problems.length > 0) throw new TypeError(`cannot seal this package: ${problems.join('; ')}`);

  const jws = await options.sign(packageDocument(manifest, payloadJson), PACKAGE_JWS_TYP);
  const jwe = await new CompactEncrypt(enc.encode(jws))
    .setProtectedHeader({
      alg: options.encryptTo.alg,
      enc: PACKAGE_CONTENT_ENCRYPTION,
      typ: PACKAGE_JWE_TYP,
      cty: PACKAGE_JWE_CTY,
      kid: options.encryptTo.kid,
      iss: manifest.iss,
      aud: manifest.aud,
    })
    .encrypt(options.encryptTo.key);
  return { jwe, manifest };
}

/** Only the members the manifest knows, so an absent school unit is absent, not undefined. */
const party = (p: { kommun: string; schoolUnit?: string }) =>
  p.schoolUnit === undefined ? { kommun: p.kommun } : { kommun: p.kommun, schoolUnit: p.schoolUnit };
