import { generateKeyPair, KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import { calculateJwkThumbprint, type JWK } from 'jose';
import { invalidKeyKind } from './keys.errors';

const generate = promisify(generateKeyPair);

export const SIGNING_ALGS = ['EdDSA', 'ES256', 'RS256'] as const;
export type SigningAlg = (typeof SIGNING_ALGS)[number];

/** JWE key management algorithms an encryption key may be published for (JWK `alg`). */
export const ENCRYPTION_ALGS = ['ECDH-ES', 'ECDH-ES+A128KW', 'ECDH-ES+A256KW'] as const;
export type EncryptionAlg = (typeof ENCRYPTION_ALGS)[number];

export const ENCRYPTION_CURVES = ['X25519', 'P-256'] as const;
export type EncryptionCurve = (typeof ENCRYPTION_CURVES)[number];

export type KeyUse = 'sig' | 'enc';
export type KeyStatus = 'active' | 'retired' | 'revoked';

/** What kind of key: a kommun has at most one active key of each kind. */
export type KeySpec =
  { use: 'sig'; alg: SigningAlg } | { use: 'enc'; alg: EncryptionAlg; crv: EncryptionCurve };

/** Ed25519: small, fast, deterministic signatures (RFC 8037); what portabel signs with by default. */
export const DEFAULT_SIGNING = { use: 'sig', alg: 'EdDSA' } as const satisfies KeySpec;
/** X25519 key agreement (RFC 8037 §3.2) for JWEs sent to the kommun, transfer packages above all. */
export const DEFAULT_ENCRYPTION = { use: 'enc', alg: 'ECDH-ES', crv: 'X25519' } as const satisfies KeySpec;

/** The members that make up the public key (RFC 7638 §3.2), per key type. */
const PUBLIC_MEMBERS: Record<string, readonly string[]> = {
  OKP: ['kty', 'crv', 'x'],
  EC: ['kty', 'crv', 'x', 'y'],
  RSA: ['kty', 'n', 'e'],
};

/** Only the public members of a JWK; whatever else it held (`d`, primes) is left behind. */
export function publicPart(jwk: JWK): JWK {
  const members = PUBLIC_MEMBERS[jwk.kty ?? ''];
  if (!members) throw new Error(`unsupported key type ${String(jwk.kty)}`);
  const out: Record<string, unknown> = {};
  for (const m of members) out[m] = (jwk as Record<string, unknown>)[m];
  return out;
}

/** What tells two keys of the same use and alg apart: the curve, or the key type for RSA. */
export const curveOf = (jwk: JWK): string => jwk.crv ?? jwk.kty ?? '';

export function specCurve(spec: KeySpec): string {
  if (spec.use === 'enc') return spec.crv;
  return spec.alg === 'EdDSA' ? 'Ed25519' : spec.alg === 'ES256' ? 'P-256' : 'RSA';
}

export function specOf(use: KeyUse, alg: string, publicJwk: JWK): KeySpec {
  return use === 'sig'
    ? { use, alg: alg as SigningAlg }
    : { use, alg: alg as EncryptionAlg, crv: curveOf(publicJwk) as EncryptionCurve };
}

export const sameSpec = (a: KeySpec, b: KeySpec): boolean =>
  a.use === b.use && a.alg === b.alg && specCurve(a) === specCurve(b);

export const specLabel = (spec: KeySpec): string =>
  spec.use === 'sig' ? `sig/${spec.alg}` : `enc/${spec.alg}/${spec.crv}`;

export interface GeneratedKey {
  /** RFC 7638 SHA-256 thumbprint of the public key. */
  thumbprint: string;
  publicJwk: JWK;
  privateJwk: JWK;
}

async function keyPair(spec: KeySpec): Promise<{ publicKey: KeyObject; privateKey: KeyObject }> {
  switch (specCurve(spec)) {
    case 'Ed25519':
      return generate('ed25519');
    case 'X25519':
      return generate('x25519');
    case 'P-256':
      return generate('ec', { namedCurve: 'P-256' });
    default:
      // RS256 for Open Badges 3 / CLR verifiers, which must support it; 2048 bits is their floor.
      return generate('rsa', { modulusLength: 2048, publicExponent: 0x10001 });
  }
}

/** A fresh key pair of this kind, as JWKs, named by its thumbprint. Off the event loop (libuv pool). */
export async function generateKey(spec: KeySpec): Promise<GeneratedKey> {
  const { publicKey, privateKey } = await keyPair(spec);
  const publicJwk = publicPart(publicKey.export({ format: 'jwk' }));
  const privateJwk = privateKey.export({ format: 'jwk' }) as JWK;
  return { thumbprint: await calculateJwkThumbprint(publicJwk, 'sha256'), publicJwk, privateJwk };
}

/** The kind of key asked for by use, alg and curve; one that does not exist is a 400 naming the field. */
export function parseKeySpec(use: KeyUse, alg?: string, crv?: string): KeySpec {
  if (use === 'sig') {
    if (crv !== undefined) {
      throw invalidKeyKind('/crv', 'crv is only for encryption keys: a signing alg names its curve.');
    }
    const sigAlg = alg ?? DEFAULT_SIGNING.alg;
    if (!(SIGNING_ALGS as readonly string[]).includes(sigAlg)) {
      throw invalidKeyKind('/alg', `A signing key's alg is one of ${SIGNING_ALGS.join(', ')}.`);
    }
    return { use, alg: sigAlg as SigningAlg };
  }
  const encAlg = alg ?? DEFAULT_ENCRYPTION.alg;
  if (!(ENCRYPTION_ALGS as readonly string[]).includes(encAlg)) {
    throw invalidKeyKind('/alg', `An encryption key's alg is one of ${ENCRYPTION_ALGS.join(', ')}.`);
  }
  const curve = crv ?? DEFAULT_ENCRYPTION.crv;
  if (!(ENCRYPTION_CURVES as readonly string[]).includes(curve)) {
    throw invalidKeyKind('/crv', `An encryption key's crv is one of ${ENCRYPTION_CURVES.join(', ')}.`);
  }
  return { use, alg: encAlg as EncryptionAlg, crv: curve as EncryptionCurve };
}
