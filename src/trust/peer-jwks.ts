import type { JSONWebKeySet, JWK } from 'jose';
import type { FieldError } from '../common/problem/domain-error';

/** A peer's JWK Set larger than this is refused (a kommun publishes a handful of keys). */
export const MAX_PEER_KEYS = 50;
export const MAX_JWKS_BYTES = 64 * 1024;

const KEY_TYPES = ['OKP', 'EC'] as const;
const CURVES: Record<string, readonly string[]> = { OKP: ['Ed25519', 'X25519'], EC: ['P-256'] };
/** Members that only a private (or symmetric) key has: a JWKS that holds one is refused outright. */
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];

/**
 * Checks a peer's JWK Set: the public OKP and EC keys in it (what transfer packages are signed and
 * encrypted with), each with a kid and a use; other key types are left out. Returns the set with only those members kept, or
 * the problems found, each at a JSON pointer below `at`.
 */
export function checkPeerJwks(value: unknown, at = ''): { jwks: JSONWebKeySet } | { errors: FieldError[] } {
  const errors: FieldError[] = [];
  const fail = (pointer: string, detail: string) => errors.push({ pointer: `${at}${pointer}`, detail });
  const keys = (value as { keys?: unknown } | null)?.keys;
  if (!value || typeof value !== 'object' || !Array.isArray(keys)) {
    fail('', 'must be a JWK Set: an object with a keys array');
    return { errors };
  }
  if (keys.length > MAX_PEER_KEYS) fail('/keys', `must hold at most ${MAX_PEER_KEYS} keys`);
  const kept: JWK[] = [];
  const kids = new Set<string>();
  keys.slice(0, MAX_PEER_KEYS).forEach((key: unknown, i) => {
    const p = `/keys/${i}`;
    if (!key || typeof key !== 'object' || Array.isArray(key)) return void fail(p, 'must be a JWK object');
    const k = key as Record<string, unknown>;
    const secret = PRIVATE_MEMBERS.find((m) => m in k);
    if (secret) return void fail(`${p}/${secret}`, 'must not be there: only public keys are accepted');
    // Keys packages cannot use (RSA for Open Badges verifiers, say) are left out, not refused.
    if (!(KEY_TYPES as readonly string[]).includes(String(k.kty))) return;
    if (!CURVES[String(k.kty)].includes(String(k.crv))) return;
    if (typeof k.x !== 'string' || (k.kty === 'EC' && typeof k.y !== 'string')) {
      return void fail(p, 'must hold the public key (x, and y for EC)');
    }
    if (typeof k.kid !== 'string' || k.kid.length === 0 || k.kid.length > 500) {
      return void fail(`${p}/kid`, 'must be a string of 1 to 500 characters');
    }
    if (kids.has(k.kid)) return void fail(`${p}/kid`, 'must be unique in the set');
    kids.add(k.kid);
    if (k.use !== 'sig' && k.use !== 'enc') return void fail(`${p}/use`, 'must be sig or enc');
    if (k.alg !== undefined && typeof k.alg !== 'string') return void fail(`${p}/alg`, 'must be a string');
    const jwk: JWK = { kty: String(k.kty), crv: String(k.crv), x: k.x, kid: k.kid, use: k.use };
    if (k.kty === 'EC') jwk.y = k.y as string;
    if (typeof k.alg === 'string') jwk.alg = k.alg;
    kept.push(jwk);
  });
  if (errors.length === 0 && kept.length === 0) {
    fail('/keys', 'must hold at least one public Ed25519, X25519 or P-256 key');
  }
  return errors.length > 0 ? { errors } : { jwks: { keys: kept } };
}

/** The keys of a set not revoked, of one use (a key without `use` is refused by checkPeerJwks). */
export const keysFor = (jwks: JSONWebKeySet, use: 'sig' | 'enc', revoked: ReadonlySet<string>): JWK[] =>
  jwks.keys.filter((k) => k.use === use && !revoked.has(String(k.kid)));
