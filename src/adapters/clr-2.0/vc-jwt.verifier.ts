import {
  compactVerify,
  decodeProtectedHeader,
  importJWK,
  type JWK,
  type ProtectedHeaderParameters,
} from 'jose';
import { parseStrictJson } from '../../common/http/strict-json';
import type { VerificationStatus } from '../../records/learner-record.types';
import type { CredentialVerifier } from '../vendor-adapter.port';

/**
 * Algorithms a VC-JWT may use. OB 3.0 §8.2: RS256 is the one every verifier must support; ES256 and
 * EdDSA are allowed. Never `none` or an HMAC (RFC 8725 §3.1, §3.2): a shared secret proves nothing
 * about an issuer.
 */
export const ALLOWED_ALGORITHMS = ['RS256', 'ES256', 'EdDSA'] as const;
export type AllowedAlgorithm = (typeof ALLOWED_ALGORITHMS)[number];

/**
 * `typ` values accepted when present. OB 3.0 §8.2.2 says "JWT"; VC-JOSE-COSE, which OB 3.0 refers to
 * for VCDM 2.0, says "vc+jwt". Anything else is another kind of token and must not pass for a credential.
 */
const ALLOWED_TYPES = ['JWT', 'vc+jwt'];

/** Parts of a JWK that only a private key has: a header holding one is a leak, not a proof. */
const PRIVATE_JWK_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k', 'oth'];

const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

export type Json = Record<string, unknown>;

export interface VcJwtCheck {
  status: VerificationStatus;
  method: string;
  detail?: string;
  /** The credential the payload carries (the `vc` claim under VCDM 1.1, the payload itself under 2.0). */
  credential?: Json;
}

export function looksLikeCompactJws(text: string): boolean {
  return COMPACT_JWS.test(text);
}

/**
 * Verifies a credential secured as VC-JWT, as OB 3.0 §8.2.6 and CLR 2.0 describe: the signature with
 * the key named by `kid` (through the verifier, which dereferences it against the trust registry) or
 * embedded as `jwk`, then the registered claims against the credential. Never throws: a bad proof is a
 * result, and the credential is still kept as received.
 */
export async function checkVcJwt(jwt: string, now: Date, verifier?: CredentialVerifier): Promise<VcJwtCheck> {
  if (!looksLikeCompactJws(jwt)) {
    return { status: 'failed', method: 'VC-JWT', detail: 'not a compact JWS (three base64url parts)' };
  }
  let header: ProtectedHeaderParameters;
  try {
    header = decodeProtectedHeader(jwt);
  } catch {
    return { status: 'failed', method: 'VC-JWT', detail: 'the JOSE header is not readable JSON' };
  }
  const credential = decodeCredential(jwt);
  const alg = typeof header.alg === 'string' ? header.alg : '(none)';
  const refused = refuseHeader(header, alg);
  if (refused) return { status: 'failed', method: `VC-JWT ${alg}`, detail: refused, credential };

  const signature = await checkSignature(jwt, header, alg as AllowedAlgorithm, verifier);
  if (signature.status !== 'verified') return { ...signature, credential };
  if (!credential) {
    return { status: 'failed', method: signature.method, detail: 'the payload is not a JSON object' };
  }
  const claimsProblem = claimProblem(jwt, credential, now);
  if (claimsProblem) return { status: 'failed', method: signature.method, detail: claimsProblem, credential };
  return { ...signature, credential };
}

function refuseHeader(header: ProtectedHeaderParameters, alg: string): string | undefined {
  if (!(ALLOWED_ALGORITHMS as readonly string[]).includes(alg)) {
    return `algorithm ${alg} is not allowed (only ${ALLOWED_ALGORITHMS.join(', ')})`;
  }
  if (header.typ !== undefined && !ALLOWED_TYPES.includes(header.typ)) {
    return `typ ${header.typ} is not a credential's (expected JWT or vc+jwt)`;
  }
  if (header.crit !== undefined) return 'the header has critical extensions (crit), which are not understood';
  if (header.kid === undefined && header.jwk === undefined) {
    return 'the header has neither kid nor jwk, so no key can be found (OB 3.0 §8.2.2)';
  }
  return undefined;
}

async function checkSignature(
  jwt: string,
  header: ProtectedHeaderParameters,
  alg: AllowedAlgorithm,
  verifier: CredentialVerifier | undefined,
): Promise<{ status: VerificationStatus; method: string; detail?: string }> {
  // A kid is dereferenced by the verifier, which knows the trusted issuers' keys; an embedded jwk
  // only shows that the holder of that key signed, so it is the fallback.
  if (typeof header.kid === 'string' && verifier) {
    const result = await verifier.verifyJwt(jwt);
    return {
      status: result.status,
      method: result.method,
      ...(result.detail ? { detail: result.detail } : {}),
    };
  }
  if (header.jwk !== undefined) return verifyWithEmbeddedKey(jwt, header.jwk, alg);
  return {
    status: 'unverified',
    method: `VC-JWT ${alg}`,
    detail: `the key ${String(header.kid)} was not dereferenced: no credential verifier was given to this import`,
  };
}

async function verifyWithEmbeddedKey(
  jwt: string,
  jwk: JWK,
  alg: AllowedAlgorithm,
): Promise<{ status: VerificationStatus; method: string; detail?: string }> {
  const method = `VC-JWT ${alg}, key embedded in the header (jwk)`;
  if (typeof jwk !== 'object' || jwk === null)
    return { status: 'failed', method, detail: 'jwk is not a JWK' };
  if (PRIVATE_JWK_MEMBERS.some((member) => member in jwk)) {
    return { status: 'failed', method, detail: 'the embedded jwk holds private or symmetric key material' };
  }
  try {
    const key = await importJWK(jwk, alg);
    await compactVerify(jwt, key, { algorithms: [alg] });
  } catch (error) {
    const code = (error as { code?: string }).code;
    return {
      status: 'failed',
      method,
      detail:
        code === 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED'
          ? 'the signature does not match the header and payload'
          : `the signature cannot be checked: ${code ?? 'unusable key'}`,
    };
  }
  return {
    status: 'verified',
    method,
    detail: 'signature valid for the key in the header; that key is not bound to the issuer by a kid',
  };
}

/** The credential in the payload, when the payload segment is readable JSON. */
function decodeCredential(jwt: string): Json | undefined {
  const payload = decodePayload(jwt);
  if (!payload) return undefined;
  return isObject(payload.vc) ? payload.vc : payload;
}

function decodePayload(jwt: string): Json | undefined {
  try {
    const value = parseStrictJson(Buffer.from(jwt.split('.')[1], 'base64url'));
    return isObject(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/** OB 3.0 §8.2.6.1: the registered claims must restate the credential, and it must be in force now. */
function claimProblem(jwt: string, credential: Json, now: Date): string | undefined {
  const claims = decodePayload(jwt) ?? {};
  const issuer = issuerId(credential);
  if (claims.iss !== issuer) return `iss ${String(claims.iss)} does not match the issuer ${String(issuer)}`;
  const subjectId = firstSubject(credential)?.id;
  if (subjectId !== undefined && claims.sub !== subjectId) {
    return `sub ${String(claims.sub)} does not match credentialSubject.id`;
  }
  if (credential.id !== undefined && claims.jti !== credential.id) {
    return `jti ${String(claims.jti)} does not match the credential's id`;
  }
  const validFrom = credential.validFrom ?? credential.issuanceDate;
  if (typeof claims.nbf !== 'number') return 'nbf is missing';
  if (typeof validFrom !== 'string' || Math.floor(Date.parse(validFrom) / 1000) !== claims.nbf) {
    return 'nbf does not match validFrom (issuanceDate)';
  }
  if (claims.nbf * 1000 > now.getTime()) return 'the credential is not valid yet (nbf is in the future)';
  if (claims.exp !== undefined) {
    if (typeof claims.exp !== 'number') return 'exp is not a NumericDate';
    if (claims.exp * 1000 <= now.getTime()) return 'the credential has expired (exp)';
  }
  return undefined;
}

export function issuerId(credential: Json): string | undefined {
  const issuer = credential.issuer;
  if (typeof issuer === 'string') return issuer;
  return isObject(issuer) && typeof issuer.id === 'string' ? issuer.id : undefined;
}

/** VCDM allows several subjects; CLR and OB 3.0 have one. */
export function firstSubject(credential: Json): Json | undefined {
  const subject = Array.isArray(credential.credentialSubject)
    ? (credential.credentialSubject as unknown[])[0]
    : credential.credentialSubject;
  return isObject(subject) ? subject : undefined;
}

export function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
