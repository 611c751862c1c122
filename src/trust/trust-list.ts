import { createLocalJWKSet, decodeProtectedHeader, jwtVerify, type JSONWebKeySet } from 'jose';
import type { FieldError } from '../common/problem/domain-error';
import { checkPeerJwks } from './peer-jwks';
import { trustListInvalid } from './trust.errors';

/** Explicit type (RFC 8725 §3.11): no other token can pass for a trust list. */
export const TRUST_LIST_TYP = 'trust-list+jws';
export const TRUST_LIST_ALGS = ['EdDSA', 'ES256'];
export const MAX_LIST_PEERS = 2000;

const KOMMUN = /^[0-9]{4}$/;
const SCHOOL_UNIT = /^[0-9]{8}$/;
const HTTP_URL = /^https?:\/\/[^\s/?#]+(\/[^\s?#]*)?$/;

/** One member of the federation as the operator lists it. */
export interface TrustListPeer {
  code: string;
  name: string;
  /** Where the member's portabel is reached (its PUBLIC_BASE_URL). */
  baseUrl: string;
  /** The member's keys, inline; or else fetched from jwksUri; or else from baseUrl's per-kommun JWKS. */
  jwks?: JSONWebKeySet;
  jwksUri?: string;
  schoolUnits?: string[];
  /** Keys of this member that must never be trusted again. */
  revokedKids?: string[];
}

/** The claims of a signed trust list. */
export interface TrustList {
  /** The federation operator. */
  iss: string;
  /** Issued, seconds since the epoch. */
  iat: number;
  exp?: number;
  /** Increases with every list the operator publishes: an older list never replaces a newer one. */
  sequence: number;
  peers: TrustListPeer[];
}

/**
 * Verifies a trust list (compact JWS, typ trust-list+jws, EdDSA or ES256) against the operators'
 * keys and checks its content. Throws trust-list-invalid naming what is wrong.
 */
export async function verifyTrustList(
  jws: string,
  operatorKeys: JSONWebKeySet | null,
  now: Date,
): Promise<{ list: TrustList; kid: string }> {
  if (!operatorKeys || operatorKeys.keys.length === 0) {
    throw trustListInvalid(
      'NO_OPERATOR_KEYS',
      'This installation trusts no federation operator (TRUST_OPERATOR_JWKS_FILE is not set).',
    );
  }
  let header;
  try {
    header = decodeProtectedHeader(jws);
  } catch {
    throw trustListInvalid('MALFORMED', 'The trust list is not a compact JWS.');
  }
  if (header.typ !== TRUST_LIST_TYP) {
    throw trustListInvalid(
      'WRONG_TYPE',
      `A trust list has typ ${TRUST_LIST_TYP}, not ${String(header.typ)}.`,
    );
  }
  if (!TRUST_LIST_ALGS.includes(String(header.alg))) {
    throw trustListInvalid('ALG_NOT_ALLOWED', `A trust list is signed with ${TRUST_LIST_ALGS.join(' or ')}.`);
  }
  let payload: Record<string, unknown>;
  try {
    ({ payload } = await jwtVerify(jws, createLocalJWKSet(operatorKeys), {
      typ: TRUST_LIST_TYP,
      algorithms: TRUST_LIST_ALGS,
      requiredClaims: ['iss', 'iat'],
      currentDate: now,
    }));
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'ERR_JWT_EXPIRED') throw trustListInvalid('EXPIRED', 'The trust list has expired.');
    if (code === 'ERR_JWT_CLAIM_VALIDATION_FAILED') {
      throw trustListInvalid('CLAIMS', `The trust list's claims are not valid: ${(err as Error).message}.`);
    }
    throw trustListInvalid('SIGNATURE', "The trust list's signature does not verify with an operator's key.");
  }
  const errors = listProblems(payload);
  if (errors.length > 0)
    throw trustListInvalid('CONTENT', 'The trust list names peers that are not valid.', errors);
  return { list: payload as unknown as TrustList, kid: String(header.kid ?? '') };
}

function listProblems(payload: Record<string, unknown>): FieldError[] {
  const errors: FieldError[] = [];
  const fail = (pointer: string, detail: string) => errors.push({ pointer, detail });
  if (!Number.isSafeInteger(payload.sequence) || (payload.sequence as number) < 1) {
    fail('/sequence', 'must be a positive integer');
  }
  if (!Array.isArray(payload.peers)) {
    fail('/peers', 'must be an array');
    return errors;
  }
  if (payload.peers.length > MAX_LIST_PEERS) fail('/peers', `must hold at most ${MAX_LIST_PEERS} peers`);
  const codes = new Set<string>();
  payload.peers.slice(0, MAX_LIST_PEERS).forEach((peer: Record<string, unknown>, i) => {
    const p = `/peers/${i}`;
    if (!peer || typeof peer !== 'object') return void fail(p, 'must be an object');
    if (typeof peer.code !== 'string' || !KOMMUN.test(peer.code))
      fail(`${p}/code`, 'must be a four-digit kommun code');
    else if (codes.has(peer.code)) fail(`${p}/code`, 'must not be listed twice');
    else codes.add(peer.code);
    if (typeof peer.name !== 'string' || peer.name.length < 1 || peer.name.length > 200) {
      fail(`${p}/name`, 'must be a string of 1 to 200 characters');
    }
    if (typeof peer.baseUrl !== 'string' || !HTTP_URL.test(peer.baseUrl))
      fail(`${p}/baseUrl`, 'must be an http(s) URL');
    if (peer.jwks !== undefined && peer.jwksUri !== undefined) fail(p, 'must give jwks or jwksUri, not both');
    if (peer.jwks !== undefined) {
      const checked = checkPeerJwks(peer.jwks, `${p}/jwks`);
      if ('errors' in checked) errors.push(...checked.errors);
    }
    if (peer.jwksUri !== undefined && (typeof peer.jwksUri !== 'string' || !HTTP_URL.test(peer.jwksUri))) {
      fail(`${p}/jwksUri`, 'must be an http(s) URL');
    }
    if (
      peer.schoolUnits !== undefined &&
      (!Array.isArray(peer.schoolUnits) ||
        !peer.schoolUnits.every((s) => typeof s === 'string' && SCHOOL_UNIT.test(s)))
    ) {
      fail(`${p}/schoolUnits`, 'must be an array of eight-digit skolenhetskoder');
    }
    if (
      peer.revokedKids !== undefined &&
      (!Array.isArray(peer.revokedKids) ||
        !peer.revokedKids.every((k) => typeof k === 'string' && k.length > 0 && k.length <= 500))
    ) {
      fail(`${p}/revokedKids`, 'must be an array of key ids');
    }
  });
  return errors;
}
