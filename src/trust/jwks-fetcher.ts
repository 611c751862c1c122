import { Injectable } from '@nestjs/common';
import type { JSONWebKeySet } from 'jose';
import { checkPeerJwks, MAX_JWKS_BYTES } from './peer-jwks';

const TIMEOUT_MS = 5_000;

/** A fetch's outcome: the peer's checked keys, or a short reason fit for the peer's status and the log. */
export type FetchResult = { ok: true; jwks: JSONWebKeySet } | { ok: false; error: string };

/**
 * Fetches a peer's JWK Set over HTTP(S): five seconds at most, 64 KB at most, no redirects to
 * elsewhere, and only public keys kept (checkPeerJwks). Never throws.
 */
@Injectable()
export class JwksFetcher {
  async fetch(uri: string): Promise<FetchResult> {
    let response: Response;
    try {
      response = await fetch(uri, {
        headers: { accept: 'application/jwk-set+json, application/json' },
        redirect: 'error',
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
    } catch (err) {
      const e = err as Error & { cause?: { code?: string } };
      return { ok: false, error: `cannot fetch ${uri}: ${e.cause?.code ?? e.name}` };
    }
    if (!response.ok) {
      await response.body?.cancel();
      return { ok: false, error: `${uri} answered ${response.status}` };
    }
    const text = await readLimited(response, MAX_JWKS_BYTES);
    if (text === undefined) return { ok: false, error: `${uri} sent more than ${MAX_JWKS_BYTES} bytes` };
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return { ok: false, error: `${uri} did not send JSON` };
    }
    const checked = checkPeerJwks(body);
    if ('errors' in checked) {
      const first = checked.errors[0];
      return {
        ok: false,
        error: `${uri} sent no usable JWK Set: ${first.pointer ?? ''} ${first.detail}`.trim(),
      };
    }
    return { ok: true, jwks: checked.jwks };
  }
}

async function readLimited(response: Response, limit: number): Promise<string | undefined> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => undefined);
      return undefined;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}
