import { readFileSync } from 'node:fs';
import type { JSONWebKeySet } from 'jose';
import { checkPeerJwks } from './peer-jwks';

/**
 * Reads the federation operators' public keys (a JWK Set in a file) at start, so that a bad file
 * stops the start rather than every trust list. Only public Ed25519 and P-256 signing keys count.
 */
export function loadOperatorKeys(file: string | undefined): JSONWebKeySet | null {
  if (!file) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`TRUST_OPERATOR_JWKS_FILE ${file} cannot be read as JSON: ${(err as Error).message}`);
  }
  const checked = checkPeerJwks(parsed);
  if ('errors' in checked) {
    const lines = checked.errors.map((e) => `${e.pointer} ${e.detail}`).join('; ');
    throw new Error(`TRUST_OPERATOR_JWKS_FILE ${file} is not a usable JWK Set: ${lines}`);
  }
  const keys = checked.jwks.keys.filter((k) => k.use === 'sig');
  if (keys.length === 0) throw new Error(`TRUST_OPERATOR_JWKS_FILE ${file} holds no signing key (use sig)`);
  return { keys };
}
