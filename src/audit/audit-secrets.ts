import { createHmac, hkdfSync } from 'node:crypto';

/**
 * The audit log's own secrets, derived (HKDF-SHA256) from the instance's master key, so that every
 * instance on one database derives the same ones and a database superuser, who lacks the master key,
 * can neither make them nor undo them:
 *  - per kommun, the key of the civic-number pseudonyms (a DPO's search for a civic number hashes it
 *    the same way; another kommun's chain hashes the same number differently, so chains do not link);
 *  - the key that signs the installation chain's checkpoints (HS256: no kommun, so no kommun key).
 */
export class AuditSecrets {
  readonly #masterKey: Buffer;
  private readonly civicKeys = new Map<string, Buffer>();
  private installationKey?: Uint8Array;

  constructor(masterKey: Buffer) {
    if (masterKey.length !== 32) throw new Error('the master key must be 32 bytes');
    this.#masterKey = masterKey;
  }

  /** HMAC-SHA-256 (hex) of a civic number (twelve digits where it is one) under the kommun's pseudonym key. */
  civicNoHash(kommunCode: string, civicNo: string): string {
    let key = this.civicKeys.get(kommunCode);
    if (!key) {
      key = this.derive(`portabel audit civic-number pseudonyms v1 ${kommunCode}`);
      this.civicKeys.set(kommunCode, key);
    }
    return createHmac('sha256', key).update(civicNo, 'utf8').digest('hex');
  }

  /** The HS256 key of the installation chain's checkpoints and exports. */
  installationSigningKey(): Uint8Array {
    this.installationKey ??= new Uint8Array(this.derive('portabel audit installation chain hs256 v1'));
    return this.installationKey;
  }

  private derive(info: string): Buffer {
    return Buffer.from(hkdfSync('sha256', this.#masterKey, Buffer.alloc(0), info, 32));
  }
}
