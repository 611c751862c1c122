import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/env.schema';

/** Media type of what travels between peers: a compact JWE (a package) or JWS (an acknowledgement). */
export const JOSE_MEDIA_TYPE = 'application/jose';

/**
 * How a post to a peer went:
 *  - `ok`: the peer has it (2xx), with its answer;
 *  - `retry`: try again later (the peer is down, slow, overloaded, or failed on its side);
 *  - `refused`: the peer refused this very content (4xx): sending it again cannot help.
 */
export type PeerPostResult =
  | { kind: 'ok'; status: number; body: Record<string, unknown> }
  | { kind: 'retry'; error: { status?: number; code: string; detail: string }; retryAfterMs?: number }
  | { kind: 'refused'; status: number; problem: Record<string, unknown> };

/**
 * Posts JOSE objects to other portabel instances over HTTP(S). Never throws for what the network or
 * the peer does: every outcome is a result the outbox records. Nothing personal is in an error text
 * (the body is encrypted or a signature; the peer's problem documents name no pupil).
 */
@Injectable()
export class PeerClient {
  /** Aborted when the application shuts down: attempts in flight end as `retry` and are made again later. */
  private readonly stopping = new AbortController();

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  async post(url: string, body: string): Promise<PeerPostResult> {
    const signal = AbortSignal.any([
      this.stopping.signal,
      AbortSignal.timeout(this.config.TRANSFER_DELIVERY_TIMEOUT_MS),
    ]);
    let res: Response;
    try {
      res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': JOSE_MEDIA_TYPE, accept: 'application/json, application/problem+json' },
        body,
        signal,
        redirect: 'error',
      });
    } catch (err) {
      const e = err as Error & { cause?: { code?: string } };
      const code =
        e.name === 'TimeoutError'
          ? 'TIMEOUT'
          : e.name === 'AbortError'
            ? 'ABORTED'
            : (e.cause?.code ?? 'NETWORK');
      return { kind: 'retry', error: { code, detail: `The peer could not be reached (${code}).` } };
    }
    let parsed: Record<string, unknown> = {};
    try {
      const text = await res.text();
      parsed = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    } catch {
      parsed = {};
    }
    if (res.ok) return { kind: 'ok', status: res.status, body: parsed };
    if (res.status === 408 || res.status === 429 || res.status >= 500) {
      const retryAfter = Number(res.headers.get('retry-after'));
      return {
        kind: 'retry',
        error: {
          status: res.status,
          code: typeof parsed.code === 'string' ? parsed.code : `HTTP_${res.status}`,
          detail: typeof parsed.detail === 'string' ? parsed.detail : `The peer answered ${res.status}.`,
        },
        ...(Number.isFinite(retryAfter) && retryAfter > 0 ? { retryAfterMs: retryAfter * 1000 } : {}),
      };
    }
    return { kind: 'refused', status: res.status, problem: parsed };
  }

  /** Ends attempts in flight (at shutdown); they are retried from the outbox after the restart. */
  stop(): void {
    this.stopping.abort();
  }
}
