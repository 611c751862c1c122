import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { inspect } from 'node:util';

const VERSION = 'pk1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** Where a sealed private key belongs: bound into the ciphertext as AES-GCM associated data. */
export interface EnvelopeContext {
  kommunCode: string;
  kid: string;
  use: string;
  alg: string;
}

export type EnvelopeFailure = 'wrong-master-key' | 'tampered' | 'malformed';

/** Why an envelope did not open. The message never holds key material. */
export class EnvelopeError extends Error {
  constructor(
    readonly reason: EnvelopeFailure,
    message: string,
  ) {
    super(message);
    this.name = 'EnvelopeError';
  }
}

const b64 = (b: Buffer): string => b.toString('base64url');

/**
 * Private keys at rest: AES-256-GCM under a key derived (HKDF-SHA256) from the instance's master key.
 * The associated data names the kommun, kid, use and alg, so a row copied to another kommun, or
 * relabelled, does not open; GCM's tag catches any changed byte.
 *
 * Sealed form: `pk1.<master key id>.<iv>.<ciphertext>.<tag>` (base64url parts). The master key id
 * is a check value (HKDF output, not the key), so a wrong MASTER_KEY is told apart from tampering.
 */
export class KeyEnvelope {
  readonly masterKeyId: string;
  readonly #key: Buffer;

  constructor(masterKey: Buffer) {
    if (masterKey.length !== 32) throw new Error('the master key must be 32 bytes');
    const derive = (info: string, length: number): Buffer =>
      Buffer.from(hkdfSync('sha256', masterKey, Buffer.alloc(0), info, length));
    this.#key = derive('portabel kommun keys aes-256-gcm v1', 32);
    this.masterKeyId = derive('portabel master key id v1', 8).toString('hex');
  }

  seal(plaintext: string, context: EnvelopeContext): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(this.aad(this.masterKeyId, context));
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [VERSION, this.masterKeyId, b64(iv), b64(ciphertext), b64(cipher.getAuthTag())].join('.');
  }

  open(sealed: string, context: EnvelopeContext): string {
    const parts = sealed.split('.');
    if (parts.length !== 5 || parts[0] !== VERSION) {
      throw new EnvelopeError('malformed', 'not a sealed key of a known version');
    }
    const [, keyId, iv, ciphertext, tag] = parts;
    if (keyId !== this.masterKeyId) {
      throw new EnvelopeError(
        'wrong-master-key',
        `sealed under master key id ${keyId}, this instance has ${this.masterKeyId}`,
      );
    }
    const ivBytes = Buffer.from(iv, 'base64url');
    const tagBytes = Buffer.from(tag, 'base64url');
    if (ivBytes.length !== IV_BYTES || tagBytes.length !== TAG_BYTES) {
      throw new EnvelopeError('malformed', 'bad nonce or tag length');
    }
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.#key, ivBytes, { authTagLength: TAG_BYTES });
      decipher.setAAD(this.aad(keyId, context));
      decipher.setAuthTag(tagBytes);
      return Buffer.concat([
        decipher.update(Buffer.from(ciphertext, 'base64url')),
        decipher.final(),
      ]).toString('utf8');
    } catch {
      throw new EnvelopeError(
        'tampered',
        'the sealed key does not authenticate for this kommun and kid (changed, or copied from elsewhere)',
      );
    }
  }

  /**
   * HMAC-SHA-256 (base64url) under a key derived (HKDF) from the master key for this purpose: every
   * instance on the database computes the same, and a database superuser without the master key cannot.
   */
  mac(purpose: string, data: string): string {
    const key = Buffer.from(hkdfSync('sha256', this.#key, Buffer.alloc(0), `portabel mac ${purpose}`, 32));
    return createHmac('sha256', key).update(data, 'utf8').digest('base64url');
  }

  private aad(keyId: string, c: EnvelopeContext): Buffer {
    // NUL cannot occur in any of these, so the fields cannot run into each other.
    return Buffer.from([VERSION, keyId, c.kommunCode, c.kid, c.use, c.alg].join('\0'), 'utf8');
  }

  /** Never printed whole, should it ever reach a log. */
  [inspect.custom](): string {
    return `KeyEnvelope { masterKeyId: '${this.masterKeyId}' }`;
  }

  toJSON(): { masterKeyId: string } {
    return { masterKeyId: this.masterKeyId };
  }
}
