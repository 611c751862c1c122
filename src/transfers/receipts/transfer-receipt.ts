import { compactVerify, decodeProtectedHeader, type JWTVerifyGetKey } from 'jose';

/** Explicit type (RFC 8725 §3.11): no package, token or other receipt can pass for an acknowledgement. */
export const RECEIPT_TYP = 'transfer-receipt+jws';
export const RECEIPT_ALGS = ['EdDSA', 'ES256'];

/**
 * The receiving kommun's signed acknowledgement of a package: which package (`packageJti`), the
 * registrar's decision and its reason, and when. Signed (compact JWS, JSON payload) by the receiver's
 * kommun key; the sender verifies it against its trust registry.
 */
export interface TransferReceipt {
  /** The acknowledging (receiving) kommun. */
  iss: string;
  /** The kommun that sent the package. */
  aud: string;
  /** The receipt's own id. */
  jti: string;
  packageJti: string;
  outcome: 'accepted' | 'rejected';
  reason: string | null;
  /** NumericDate seconds, and the decision's time in full. */
  iat: number;
  decidedAt: string;
}

const KOMMUN = /^[0-9]{4}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The claims of a receipt, unverified: only to find whose trust registry and keys check it. */
export function peekReceipt(jws: string): { iss: string; aud: string } | undefined {
  try {
    const parts = jws.split('.');
    if (parts.length !== 3) return undefined;
    const claims = JSON.parse(
      Buffer.from(parts[1], 'base64url').toString('utf8'),
    ) as Partial<TransferReceipt>;
    if (typeof claims.iss !== 'string' || !KOMMUN.test(claims.iss)) return undefined;
    if (typeof claims.aud !== 'string' || !KOMMUN.test(claims.aud)) return undefined;
    return { iss: claims.iss, aud: claims.aud };
  } catch {
    return undefined;
  }
}

/** Verifies a receipt's signature, type and shape; says why not with a message (never the reason text). */
export async function verifyReceipt(
  jws: string,
  keys: JWTVerifyGetKey,
): Promise<{ ok: true; receipt: TransferReceipt; kid: string } | { ok: false; why: string }> {
  let header;
  try {
    header = decodeProtectedHeader(jws);
  } catch {
    return { ok: false, why: 'not a compact JWS' };
  }
  if (header.typ !== RECEIPT_TYP) return { ok: false, why: `typ is not ${RECEIPT_TYP}` };
  if (!header.alg || !RECEIPT_ALGS.includes(header.alg))
    return { ok: false, why: `algorithm ${String(header.alg)} is not allowed` };
  let payload: Uint8Array;
  try {
    ({ payload } = await compactVerify(jws, keys as Parameters<typeof compactVerify>[1], {
      algorithms: RECEIPT_ALGS,
    }));
  } catch (err) {
    return {
      ok: false,
      why: `the signature does not verify with the sender's trusted keys (${(err as Error).name})`,
    };
  }
  let r: TransferReceipt;
  try {
    r = JSON.parse(new TextDecoder().decode(payload)) as TransferReceipt;
  } catch {
    return { ok: false, why: 'the payload is not JSON' };
  }
  const sound =
    KOMMUN.test(r.iss) &&
    KOMMUN.test(r.aud) &&
    typeof r.jti === 'string' &&
    UUID.test(r.packageJti) &&
    (r.outcome === 'accepted' || r.outcome === 'rejected') &&
    (r.reason === null || (typeof r.reason === 'string' && r.reason.length <= 2000)) &&
    Number.isInteger(r.iat) &&
    typeof r.decidedAt === 'string';
  if (!sound) return { ok: false, why: 'the payload is not a transfer receipt' };
  return { ok: true, receipt: r, kid: header.kid ?? '' };
}
