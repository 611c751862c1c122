import { Injectable } from '@nestjs/common';
import { CompactSign, compactVerify, decodeProtectedHeader, importJWK, type CryptoKey, type JWK } from 'jose';
import { KeysService } from '../keys/keys.service';
import { canonicalize } from './audit-canonical';
import { INSTALLATION_CHAIN } from './audit-entry';
import { AuditSecrets } from './audit-secrets';

/** Explicit JWS types (RFC 8725 §3.11), so that neither can pass for the other or for any other token. */
export const CHECKPOINT_TYP = 'audit-checkpoint+jws';
export const EXPORT_TYP = 'audit-export+jws';

/** The key id of the installation chain's HS256 signatures (the installation has no published key). */
export const INSTALLATION_KID = 'urn:portabel:audit:installation';

export type SignatureCheck =
  | { ok: true; payload: Record<string, unknown> }
  | { ok: false; reason: 'checkpoint-signature-invalid' | 'checkpoint-key-untrusted'; detail: string };

/** Checks signatures of one chain against the keys it trusts, looked up once. */
export interface ChainTrust {
  check(jws: string, typ: string): Promise<SignatureCheck>;
}

const SIGNING_ALGS = ['EdDSA', 'ES256', 'RS256'];
const thumbprintOf = (kid: string): string => kid.slice(kid.lastIndexOf('#') + 1);

/**
 * Signs what the audit log vouches for (checkpoints, exports): as the kommun, with its signing key
 * through KeysService (verifiable by anyone with the kommun's JWKS); the installation chain with
 * an HS256 key derived from the master key (only this installation can check it, and a database
 * superuser cannot forge it). Payloads are signed in their JCS form, so their bytes are reproducible.
 */
@Injectable()
export class AuditSigner {
  constructor(
    private readonly keys: KeysService,
    private readonly secrets: AuditSecrets,
  ) {}

  async sign(kommunCode: string, payload: object, typ: string): Promise<string> {
    const bytes = new TextEncoder().encode(canonicalize(payload));
    if (kommunCode === INSTALLATION_CHAIN) {
      return new CompactSign(bytes)
        .setProtectedHeader({ alg: 'HS256', typ, kid: INSTALLATION_KID, cty: 'json' })
        .sign(this.secrets.installationSigningKey());
    }
    return this.keys.signJws(kommunCode, bytes, { typ, cty: 'json' });
  }

  /**
   * The chain's trust: every signing key of the kommun that is not revoked, retired ones included
   * (rotation retires a key that was never compromised, and what it signed before stays good); a
   * revoked key may be in other hands, so nothing it signed counts.
   */
  async trust(kommunCode: string): Promise<ChainTrust> {
    if (kommunCode === INSTALLATION_CHAIN) {
      const secret = this.secrets.installationSigningKey();
      return { check: (jws, typ) => verifyWith(jws, typ, () => ({ key: secret, alg: 'HS256' })) };
    }
    const signing = (await this.keys.list(kommunCode)).filter((k) => k.use === 'sig');
    const byThumbprint = new Map(signing.map((k) => [k.thumbprint, k]));
    return {
      check: (jws, typ) =>
        verifyWith(jws, typ, async (kid, alg) => {
          const key = byThumbprint.get(thumbprintOf(kid));
          if (!key) return 'signed by a key the kommun does not have';
          if (key.status === 'revoked') return 'signed by a revoked key';
          if (key.alg !== alg || !SIGNING_ALGS.includes(alg)) return undefined;
          return { key: await importJWK(key.publicJwk as JWK, alg), alg };
        }),
    };
  }
}

type KeyFor = (
  kid: string,
  alg: string,
) =>
  | { key: Uint8Array | CryptoKey; alg: string }
  | string
  | undefined
  | Promise<{ key: Uint8Array | CryptoKey; alg: string } | string | undefined>;

async function verifyWith(jws: string, typ: string, keyFor: KeyFor): Promise<SignatureCheck> {
  let header: { alg?: string; kid?: string; typ?: string };
  try {
    header = decodeProtectedHeader(jws);
  } catch {
    return { ok: false, reason: 'checkpoint-signature-invalid', detail: 'not a compact JWS' };
  }
  if (header.typ !== typ) {
    return { ok: false, reason: 'checkpoint-signature-invalid', detail: `typ is not ${typ}` };
  }
  const found = await keyFor(String(header.kid ?? ''), String(header.alg ?? ''));
  if (typeof found === 'string') return { ok: false, reason: 'checkpoint-key-untrusted', detail: found };
  if (!found) {
    return {
      ok: false,
      reason: 'checkpoint-signature-invalid',
      detail: 'the algorithm does not fit the key',
    };
  }
  try {
    const { payload } = await compactVerify(jws, found.key, { algorithms: [found.alg] });
    return { ok: true, payload: JSON.parse(new TextDecoder().decode(payload)) as Record<string, unknown> };
  } catch {
    return { ok: false, reason: 'checkpoint-signature-invalid', detail: 'the signature does not verify' };
  }
}
