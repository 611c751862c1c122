import { Injectable, Logger } from '@nestjs/common';
import { calculateJwkThumbprint, importJWK, type CryptoKey, type JWK } from 'jose';
import { EnvelopeError, KeyEnvelope } from './key-envelope';
import { generateKey, KeySpec, publicPart, sameSpec, specLabel, specOf } from './key-specs';
import { keyUnreadable, masterKeyMismatch } from './keys.errors';
import { KommunKeyRow, KommunKeysRepository, NewKey } from './kommun-keys.repository';

/** How long an instance trusts its cached list of active keys (another instance may rotate or revoke). */
const ACTIVE_TTL_MS = 60_000;

/**
 * The only holder of private keys in the clear, as non-extractable CryptoKeys: it opens sealed
 * keys on first use and caches them by kid (a kid's key never changes). The list of active keys is
 * cached for a minute and dropped at once on this instance's own rotations and revocations; another
 * instance's revocation is seen within that minute.
 */
@Injectable()
export class KeyRing {
  private readonly logger = new Logger('Keys');
  private readonly active = new Map<string, { until: number; rows: Promise<KommunKeyRow[]> }>();
  private readonly opened = new Map<string, Promise<CryptoKey>>();
  private readonly creating = new Map<string, Promise<KommunKeyRow>>();
  private readonly reportedMismatch = new Set<string>();

  constructor(
    private readonly repository: KommunKeysRepository,
    private readonly envelope: KeyEnvelope,
  ) {}

  get masterKeyId(): string {
    return this.envelope.masterKeyId;
  }

  /** The kommun's active key of this kind, made (once, even under concurrency) if it has none. */
  async activeKey(kommunCode: string, spec: KeySpec): Promise<KommunKeyRow> {
    const found = (await this.activeRows(kommunCode)).find((r) =>
      sameSpec(specOf(r.use, r.alg, r.publicJwk), spec),
    );
    if (found) return found;
    const label = `${kommunCode}/${specLabel(spec)}`;
    let pending = this.creating.get(label);
    if (!pending) {
      pending = this.create(kommunCode, spec).finally(() => this.creating.delete(label));
      this.creating.set(label, pending);
    }
    return pending;
  }

  /** A new key of this kind, sealed and ready to store; it is not stored here. */
  async newKey(kommunCode: string, spec: KeySpec): Promise<NewKey> {
    const generated = await generateKey(spec);
    const privateJwkEncrypted = this.envelope.seal(JSON.stringify(generated.privateJwk), {
      kommunCode,
      kid: generated.thumbprint,
      use: spec.use,
      alg: spec.alg,
    });
    return {
      kid: generated.thumbprint,
      use: spec.use,
      alg: spec.alg,
      publicJwk: generated.publicJwk,
      privateJwkEncrypted,
      masterKeyId: this.envelope.masterKeyId,
    };
  }

  /** The private key of a stored row, checked against its kid before first use. */
  privateKey(row: KommunKeyRow): Promise<CryptoKey> {
    const id = `${row.kommunCode}/${row.kid}`;
    let key = this.opened.get(id);
    if (!key) {
      key = this.open(row);
      key.catch(() => this.opened.delete(id));
      this.opened.set(id, key);
    }
    return key;
  }

  /**
   * The kommun's active key with this kid, from the cached list (undefined if it is not active, as
   * far as this instance knows): the same minute's trust as signing has, without a query.
   */
  async activeByKid(kommunCode: string, kid: string): Promise<KommunKeyRow | undefined> {
    return (await this.activeRows(kommunCode)).find((r) => r.kid === kid);
  }

  /** Forgets what this instance cached of a kommun's keys (after a rotation or revocation here). */
  forget(kommunCode: string, kid?: string): void {
    this.active.delete(kommunCode);
    if (kid) this.opened.delete(`${kommunCode}/${kid}`);
  }

  private activeRows(kommunCode: string): Promise<KommunKeyRow[]> {
    const cached = this.active.get(kommunCode);
    if (cached && cached.until > Date.now()) return cached.rows;
    const rows = this.repository.active(kommunCode);
    rows.catch(() => this.active.delete(kommunCode));
    this.active.set(kommunCode, { until: Date.now() + ACTIVE_TTL_MS, rows });
    return rows;
  }

  private async create(kommunCode: string, spec: KeySpec): Promise<KommunKeyRow> {
    const row = await this.repository.insertUnlessActive(
      kommunCode,
      spec,
      await this.newKey(kommunCode, spec),
    );
    this.forget(kommunCode);
    this.logger.log(`kommun ${kommunCode}: ${specLabel(spec)} key ${row.kid} is active`);
    return row;
  }

  private async open(row: KommunKeyRow): Promise<CryptoKey> {
    let jwk: JWK;
    try {
      const context = { kommunCode: row.kommunCode, kid: row.kid, use: row.use, alg: row.alg };
      jwk = JSON.parse(this.envelope.open(row.privateJwkEncrypted, context)) as JWK;
    } catch (err) {
      throw this.unusable(row, err);
    }
    // The kid is bound to the ciphertext; both halves of the pair must also still be that kid's.
    const [ofPrivate, ofPublic] = await Promise.all([
      calculateJwkThumbprint(publicPart(jwk), 'sha256'),
      calculateJwkThumbprint(publicPart(row.publicJwk), 'sha256'),
    ]);
    if (ofPrivate !== row.kid || ofPublic !== row.kid)
      throw this.unusable(row, new Error('thumbprint mismatch'));
    return (await importJWK(jwk, row.alg, { extractable: false })) as CryptoKey;
  }

  private unusable(row: KommunKeyRow, err: unknown): Error {
    const reason = err instanceof EnvelopeError ? err.reason : 'tampered';
    if (reason === 'wrong-master-key') {
      if (!this.reportedMismatch.has(row.kommunCode)) {
        this.reportedMismatch.add(row.kommunCode);
        this.logger.error(
          `kommun ${row.kommunCode}: key ${row.kid} was sealed under master key id ${row.masterKeyId}, ` +
            `but this instance's master key has id ${this.envelope.masterKeyId}. ` +
            'Restore the MASTER_KEY (or DATA_DIR/master.key) the keys were made with.',
        );
      }
      return masterKeyMismatch(row.kommunCode);
    }
    this.logger.error(`kommun ${row.kommunCode}: key ${row.kid} does not open (${reason}); revoke it`);
    return keyUnreadable(row.kommunCode);
  }
}
