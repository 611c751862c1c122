import { Injectable } from '@nestjs/common';
import type { TenantTx } from '../../database/tenant-db';
import { DomainError } from '../problem/domain-error';
import { PROBLEMS } from '../problem/problem-types';

export interface StoredResponse<T> {
  status: number;
  body: T;
  headers: Record<string, string>;
}

const KEY = /^[\x21-\x7e]{1,200}$/;

/**
 * Idempotency-Key (draft-ietf-httpapi-idempotency-key-header): the same key with the same request
 * replays the first answer; with another request it is a 409. The key row is written in the
 * caller's transaction, so a concurrent duplicate waits on it and a failed attempt leaves no key.
 */
@Injectable()
export class IdempotencyService {
  static validKey(key: string): boolean {
    return KEY.test(key);
  }

  async run<T>(
    tx: TenantTx,
    kommunCode: string,
    key: string,
    requestHash: string,
    work: () => Promise<StoredResponse<T>>,
  ): Promise<StoredResponse<T> & { replayed: boolean }> {
    const claimed = await tx.query(
      `INSERT INTO idempotency_keys AS k (kommun_code, key, request_hash) VALUES ($1, $2, $3)
       ON CONFLICT (kommun_code, key) DO UPDATE
         SET request_hash = EXCLUDED.request_hash, status_code = NULL, response_body = NULL,
             response_headers = NULL, created_at = now(), expires_at = now() + interval '24 hours'
         WHERE k.expires_at < now()
       RETURNING key`,
      [kommunCode, key, requestHash],
    );
    if (claimed.length === 0) {
      const [stored] = await tx.query<{
        request_hash: string;
        status_code: number | null;
        response_body: T;
        response_headers: Record<string, string>;
      }>(
        `SELECT request_hash, status_code, response_body, response_headers FROM idempotency_keys
          WHERE kommun_code = $1 AND key = $2`,
        [kommunCode, key],
      );
      if (!stored || stored.request_hash !== requestHash || stored.status_code === null) {
        throw new DomainError(
          PROBLEMS.idempotencyKeyReused,
          'IDEMPOTENCY.KEY_REUSED',
          'This Idempotency-Key was already used with a different request. Use a new key for a new request.',
        );
      }
      return {
        status: stored.status_code,
        body: stored.response_body,
        headers: stored.response_headers,
        replayed: true,
      };
    }
    const response = await work();
    await tx.query(
      `UPDATE idempotency_keys SET status_code = $3, response_body = $4::jsonb, response_headers = $5::jsonb
        WHERE kommun_code = $1 AND key = $2`,
      [kommunCode, key, response.status, JSON.stringify(response.body), JSON.stringify(response.headers)],
    );
    return { ...response, replayed: false };
  }
}
