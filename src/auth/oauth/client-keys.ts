import { createLocalJWKSet, createRemoteJWKSet, importJWK, type JWK, type JWTVerifyGetKey } from 'jose';
import type { FieldError } from '../../common/problem/domain-error';

/** What a client assertion may be signed with (RFC 8725 §3.1). Never HS*, never none. */
export const ASSERTION_ALGORITHMS = ['RS256', 'PS256', 'ES256', 'EdDSA'];
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k', 'oth'];
const MAX_KEYS = 10;

/** Why a client's JWKS cannot be used, one entry per bad key; empty when it is fine. */
export async function checkClientJwks(jwks: { keys?: unknown }): Promise<FieldError[]> {
  if (!Array.isArray(jwks.keys) || jwks.keys.length === 0 || jwks.keys.length > MAX_KEYS) {
    return [{ pointer: '/jwks/keys', detail: `must hold 1 to ${MAX_KEYS} public keys` }];
  }
  const errors: FieldError[] = [];
  for (const [i, key] of (jwks.keys as JWK[]).entries()) {
    const pointer = `/jwks/keys/${i}`;
    if (typeof key !== 'object' || key === null) {
      errors.push({ pointer, detail: 'must be a JWK object' });
      continue;
    }
    const privateMember = PRIVATE_MEMBERS.find((m) => m in key);
    if (privateMember)
      errors.push({
        pointer: `${pointer}/${privateMember}`,
        detail: 'a private key part must never be sent',
      });
    else if (!['RSA', 'EC', 'OKP'].includes(String(key.kty)))
      errors.push({ pointer: `${pointer}/kty`, detail: 'must be RSA, EC or OKP' });
    else if (key.use !== undefined && key.use !== 'sig')
      errors.push({ pointer: `${pointer}/use`, detail: 'must be sig' });
    else if (key.alg !== undefined && !ASSERTION_ALGORITHMS.includes(key.alg)) {
      errors.push({ pointer: `${pointer}/alg`, detail: `must be one of ${ASSERTION_ALGORITHMS.join(', ')}` });
    } else if (key.kty === 'RSA' && Buffer.from(String(key.n ?? ''), 'base64url').length < 256) {
      errors.push({ pointer: `${pointer}/n`, detail: 'an RSA key must be at least 2048 bits' });
    } else {
      try {
        await importJWK(key, key.alg ?? defaultAlg(key));
      } catch {
        errors.push({ pointer, detail: 'is not a usable public key' });
      }
    }
  }
  return errors;
}

function defaultAlg(key: JWK): string {
  if (key.kty === 'RSA') return 'RS256';
  if (key.kty === 'EC') return 'ES256';
  return 'EdDSA';
}

/** The key set a client's assertions are verified with: inline, or fetched and cached by jose. */
export function clientKeySet(client: {
  jwks: { keys: unknown[] } | null;
  jwksUri: string | null;
}): JWTVerifyGetKey {
  if (client.jwks) return createLocalJWKSet(client.jwks as { keys: JWK[] });
  return createRemoteJWKSet(new URL(client.jwksUri!), { cooldownDuration: 30_000, cacheMaxAge: 600_000 });
}
