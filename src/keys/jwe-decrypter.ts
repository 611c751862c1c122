import { Inject, Injectable } from '@nestjs/common';
import { compactDecrypt, decodeProtectedHeader, type CompactJWEHeaderParameters } from 'jose';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/env.schema';
import { KeyRing } from './key-ring';
import { ENCRYPTION_ALGS } from './key-specs';
import { jweUndecryptable } from './keys.errors';
import { isPublished, kidUrl, thumbprintOf } from './keys.mapper';
import { KommunKeyRow, KommunKeysRepository } from './kommun-keys.repository';

export interface DecryptOptions {
  /** Allowed content encryption (`enc`); by default the AES-GCM and AES-CBC-HMAC ones. */
  contentEncryptionAlgorithms?: string[];
}

export interface Decrypted {
  plaintext: Uint8Array;
  protectedHeader: CompactJWEHeaderParameters;
  /** The kid (URL) of the key that decrypted it. */
  kid: string;
}

const CONTENT_ENCRYPTION = [
  'A256GCM',
  'A192GCM',
  'A128GCM',
  'A256CBC-HS512',
  'A192CBC-HS384',
  'A128CBC-HS256',
];

/**
 * Compact JWEs sent to a kommun. Only ECDH-ES key agreement is accepted, and for each key only its
 * own published alg (RFC 8725 §3.1: no algorithm the key was not made for). Every refusal is a 422
 * with its own code, so a receiver can say why a package was turned away.
 */
@Injectable()
export class JweDecrypter {
  private readonly baseUrl: string;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly repository: KommunKeysRepository,
    private readonly ring: KeyRing,
  ) {
    this.baseUrl = config.PUBLIC_BASE_URL;
  }

  async decrypt(kommunCode: string, jwe: string, options: DecryptOptions): Promise<Decrypted> {
    let header: CompactJWEHeaderParameters;
    try {
      header = decodeProtectedHeader(jwe) as CompactJWEHeaderParameters;
    } catch {
      throw jweUndecryptable('JWE_MALFORMED', 'Not a compact JWE.');
    }
    if (!(ENCRYPTION_ALGS as readonly string[]).includes(String(header.alg))) {
      throw jweUndecryptable(
        'JWE_ALG_NOT_ALLOWED',
        `Key management algorithm ${String(header.alg)} is not accepted.`,
      );
    }
    for (const row of await this.candidates(kommunCode, header)) {
      const key = await this.ring.privateKey(row);
      try {
        const { plaintext, protectedHeader } = await compactDecrypt(jwe, key, {
          keyManagementAlgorithms: [row.alg],
          contentEncryptionAlgorithms: options.contentEncryptionAlgorithms ?? CONTENT_ENCRYPTION,
        });
        return { plaintext, protectedHeader, kid: kidUrl(this.baseUrl, kommunCode, row.kid) };
      } catch {
        // jose says no more than that it failed (and should not): try the next key, if any.
      }
    }
    throw jweUndecryptable(
      'JWE_DECRYPT_FAILED',
      "The JWE does not decrypt with the kommun's encryption keys.",
    );
  }

  /** The key the JWE names, if it is one that may open it; without a kid, every published one of that alg. */
  private async candidates(kommunCode: string, header: CompactJWEHeaderParameters): Promise<KommunKeyRow[]> {
    const now = new Date();
    if (typeof header.kid !== 'string') {
      return (await this.repository.all(kommunCode)).filter(
        (r) => r.use === 'enc' && r.alg === header.alg && isPublished(r, now),
      );
    }
    // An active key comes from the ring's cached list, as for signing (transfers open many packages
    // a second): this instance's revocations apply at once, another instance's within the minute.
    // Any other key is looked up, so a retired key's grace period is read fresh.
    const thumbprint = thumbprintOf(header.kid);
    const row =
      (await this.ring.activeByKid(kommunCode, thumbprint)) ??
      (await this.repository.find(kommunCode, thumbprint));
    if (!row || row.use !== 'enc') {
      throw jweUndecryptable('JWE_UNKNOWN_KEY', 'The JWE names no encryption key of this kommun.');
    }
    if (row.status === 'revoked') {
      throw jweUndecryptable('JWE_KEY_REVOKED', 'The JWE was encrypted to a revoked key.');
    }
    if (!isPublished(row, now)) {
      throw jweUndecryptable('JWE_KEY_EXPIRED', 'The JWE was encrypted to a key past its grace period.');
    }
    if (row.alg !== header.alg) {
      throw jweUndecryptable('JWE_ALG_NOT_ALLOWED', `The key is for ${row.alg}, not ${String(header.alg)}.`);
    }
    return [row];
  }
}
