import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import {
  CompactSign,
  createLocalJWKSet,
  SignJWT,
  type CryptoKey,
  type JWTPayload,
  type JWTVerifyGetKey,
} from 'jose';
import type { KommunSigner } from '../adapters/vendor-adapter.port';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/env.schema';
import { KommunerService } from '../kommuner/kommuner.service';
import { Decrypted, DecryptOptions, JweDecrypter } from './jwe-decrypter';
import { KeyEnvelope } from './key-envelope';
import { KeyRing } from './key-ring';
import {
  DEFAULT_ENCRYPTION,
  DEFAULT_SIGNING,
  KeyUse,
  parseKeySpec,
  SIGNING_ALGS,
  SigningAlg,
} from './key-specs';
import { keyNotFound } from './keys.errors';
import {
  isPublished,
  issuerUrl,
  kidUrl,
  KommunKeyResource,
  PublicJwk,
  thumbprintOf,
  toKeyResource,
  toPublicJwk,
} from './keys.mapper';
import { KommunKeyRow, KommunKeysRepository } from './kommun-keys.repository';

export type { Decrypted, DecryptOptions } from './jwe-decrypter';

export const DEFAULT_GRACE_PERIOD_DAYS = 30;
const DAY_MS = 86_400_000;
/** How long a kommun's verification keys are trusted from cache (another instance may rotate or revoke). */
const VERIFIERS_TTL_MS = 60_000;

export interface SignOptions {
  /** Explicit type of the token (RFC 8725 §3.11): `consent-receipt+jwt`, `vc+jwt`, … Required. */
  typ: string;
  /** Which of the kommun's signing keys; EdDSA unless said. RS256 and ES256 keys are made on first use. */
  alg?: SigningAlg;
  /** Content type of a JWS payload (RFC 7515 §4.1.10). */
  cty?: string;
}

export interface Jwks {
  keys: PublicJwk[];
}

function requireTyp(typ: string): void {
  // Every token kind portabel issues carries its own typ, so that none can pass for another.
  if (typeof typ !== 'string' || typ.trim() === '') throw new TypeError('an explicit typ is required');
}

/**
 * The kommuner's key pairs: made on first use, sealed at rest under the master key, published as
 * JWKS, rotated with a grace period and revoked for good. Other modules sign and decrypt through
 * this service only; private keys never leave it (KeyRing).
 */
@Injectable()
export class KeysService implements OnApplicationBootstrap {
  private readonly logger = new Logger('Keys');
  private readonly baseUrl: string;
  private readonly verifiers = new Map<string, { until: number; keys: Promise<JWTVerifyGetKey> }>();

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly kommuner: KommunerService,
    private readonly repository: KommunKeysRepository,
    private readonly ring: KeyRing,
    private readonly decrypter: JweDecrypter,
    private readonly envelope: KeyEnvelope,
  ) {
    this.baseUrl = config.PUBLIC_BASE_URL;
  }

  /** Says at start, rather than at first signature, when the keys were sealed with another master key. */
  async onApplicationBootstrap(): Promise<void> {
    try {
      const foreign = (await this.repository.published()).filter(
        (k) => k.masterKeyId !== this.ring.masterKeyId,
      );
      if (foreign.length > 0) {
        const kommuner = [...new Set(foreign.map((k) => k.kommunCode))].join(', ');
        this.logger.error(
          `The private keys of kommun ${kommuner} were sealed under another master key (id ` +
            `${[...new Set(foreign.map((k) => k.masterKeyId))].join(', ')}) than this instance's ` +
            `(id ${this.ring.masterKeyId}): signing and decrypting for them will fail until it is restored.`,
        );
      }
    } catch (err) {
      this.logger.warn(`could not check the master key against the stored keys: ${(err as Error).message}`);
    }
  }

  /** A keyed MAC for capability links and the like (see KeyEnvelope.mac); the same on every instance. */
  mac(purpose: string, data: string): string {
    return this.envelope.mac(purpose, data);
  }

  /** Makes the kommun's default signing (EdDSA) and encryption (ECDH-ES, X25519) keys unless it has them. */
  async ensureKeys(kommunCode: string): Promise<void> {
    await this.kommuner.assertExists(kommunCode);
    await this.ring.activeKey(kommunCode, DEFAULT_SIGNING);
    await this.ring.activeKey(kommunCode, DEFAULT_ENCRYPTION);
  }

  /** Signs as the kommun, behind the adapters' port (CLR VC-JWTs and the like). */
  signer(kommunCode: string): KommunSigner {
    return {
      issuer: issuerUrl(this.baseUrl, kommunCode),
      signJwt: (payload, header) => this.signJwt(kommunCode, payload, header),
      keyId: async (alg) => kidUrl(this.baseUrl, kommunCode, (await this.signingRow(kommunCode, alg)).kid),
    };
  }

  /** A JWT signed by the kommun's active key; the header carries alg, typ and the kid URL. Claims as given. */
  async signJwt(kommunCode: string, payload: JWTPayload, options: SignOptions): Promise<string> {
    requireTyp(options.typ);
    const { kid, key, alg } = await this.signingKey(kommunCode, options.alg);
    return new SignJWT(payload).setProtectedHeader({ alg, typ: options.typ, kid }).sign(key);
  }

  /** A compact JWS over any payload (manifests, checkpoints), with an explicit typ. */
  async signJws(kommunCode: string, payload: Uint8Array | string, options: SignOptions): Promise<string> {
    requireTyp(options.typ);
    const { kid, key, alg } = await this.signingKey(kommunCode, options.alg);
    const bytes = typeof payload === 'string' ? new TextEncoder().encode(payload) : payload;
    const header = { alg, typ: options.typ, kid, ...(options.cty ? { cty: options.cty } : {}) };
    return new CompactSign(bytes).setProtectedHeader(header).sign(key);
  }

  /**
   * Opens a compact JWE sent to the kommun (a transfer package) with the kommun's encryption key it
   * names, or else each one still published. Revoked keys and keys past their grace period open nothing.
   */
  async decrypt(kommunCode: string, jwe: string, options: DecryptOptions = {}): Promise<Decrypted> {
    await this.kommuner.assertExists(kommunCode);
    return this.decrypter.decrypt(kommunCode, jwe, options);
  }

  /** The kommun's JWKS: active keys and retired ones within their grace period. Makes the default keys. */
  async publicJwks(kommunCode: string): Promise<Jwks> {
    await this.ensureKeys(kommunCode);
    const now = new Date();
    const rows = (await this.repository.all(kommunCode)).filter((r) => isPublished(r, now));
    rows.sort((a, b) => order(a) - order(b));
    return { keys: rows.map((r) => toPublicJwk(this.baseUrl, r)) };
  }

  /**
   * Verifies what the kommun itself signed (its access tokens, checkpoints, receipts): its published
   * signing keys. Cached for a minute; this instance's own rotations and revocations drop it at once.
   */
  verificationKeys(kommunCode: string): Promise<JWTVerifyGetKey> {
    const cached = this.verifiers.get(kommunCode);
    if (cached && cached.until > Date.now()) return cached.keys;
    const keys = this.publicJwks(kommunCode).then((jwks) =>
      createLocalJWKSet({ keys: jwks.keys.filter((k) => k.use === 'sig') }),
    );
    this.verifiers.set(kommunCode, { until: Date.now() + VERIFIERS_TTL_MS, keys });
    keys.catch(() => this.verifiers.delete(kommunCode));
    return keys;
  }

  /** One JWKS of every hosted kommun (kids are URLs, so they never clash); makes missing default keys. */
  async allPublicJwks(): Promise<Jwks> {
    let published = await this.repository.published();
    const withKeys = new Set(
      published.filter((k) => k.status === 'active').map((k) => `${k.kommunCode}/${k.use}`),
    );
    const missing = (await this.kommuner.list()).filter(
      (k) => !withKeys.has(`${k.code}/sig`) || !withKeys.has(`${k.code}/enc`),
    );
    for (const k of missing) await this.ensureKeys(k.code);
    if (missing.length > 0) published = await this.repository.published();
    return { keys: published.map((r) => toPublicJwk(this.baseUrl, r)) };
  }

  /** Every key of the kommun with its state, without private parts. */
  async list(kommunCode: string): Promise<KommunKeyResource[]> {
    await this.kommuner.assertExists(kommunCode);
    const now = new Date();
    return (await this.repository.all(kommunCode)).map((r) => toKeyResource(this.baseUrl, r, now));
  }

  /**
   * A new active key of this kind; the one it replaces is retired and keeps verifying (or decrypting)
   * for the grace period, 30 days unless said.
   */
  async rotate(
    kommunCode: string,
    use: KeyUse,
    alg?: string,
    options: { crv?: string; gracePeriodDays?: number } = {},
  ): Promise<{ active: KommunKeyResource; retired: KommunKeyResource[] }> {
    const spec = parseKeySpec(use, alg, options.crv);
    await this.kommuner.assertExists(kommunCode);
    const verifyUntil = new Date(
      Date.now() + (options.gracePeriodDays ?? DEFAULT_GRACE_PERIOD_DAYS) * DAY_MS,
    );
    const key = await this.ring.newKey(kommunCode, spec);
    const result = await this.repository.rotate(kommunCode, spec, key, verifyUntil);
    this.ring.forget(kommunCode);
    this.verifiers.delete(kommunCode);
    this.logger.log(`kommun ${kommunCode}: rotated ${use}/${spec.alg} to ${key.kid}`);
    const now = new Date();
    return {
      active: toKeyResource(this.baseUrl, result.active, now),
      retired: result.retired.map((r) => toKeyResource(this.baseUrl, r, now)),
    };
  }

  /** Never trusted again: out of the JWKS at once, signs and decrypts nothing. Idempotent. */
  async revoke(kommunCode: string, kid: string, reason: string): Promise<KommunKeyResource> {
    await this.kommuner.assertExists(kommunCode);
    const thumbprint = thumbprintOf(kid);
    const row = await this.repository.revoke(kommunCode, thumbprint, reason);
    if (!row) throw keyNotFound(kommunCode, kid);
    this.ring.forget(kommunCode, thumbprint);
    this.verifiers.delete(kommunCode);
    this.logger.warn(`kommun ${kommunCode}: key ${thumbprint} is revoked`);
    return toKeyResource(this.baseUrl, row, new Date());
  }

  private async signingRow(kommunCode: string, alg: SigningAlg = 'EdDSA'): Promise<KommunKeyRow> {
    if (!(SIGNING_ALGS as readonly string[]).includes(alg)) throw new TypeError(`no signing keys for ${alg}`);
    await this.kommuner.assertExists(kommunCode);
    return this.ring.activeKey(kommunCode, { use: 'sig', alg });
  }

  private async signingKey(
    kommunCode: string,
    alg: SigningAlg = 'EdDSA',
  ): Promise<{ kid: string; key: CryptoKey; alg: SigningAlg }> {
    const row = await this.signingRow(kommunCode, alg);
    return { kid: kidUrl(this.baseUrl, kommunCode, row.kid), key: await this.ring.privateKey(row), alg };
  }
}

const order = (r: KommunKeyRow): number => (r.use === 'sig' ? 0 : 2) + (r.status === 'active' ? 0 : 1);
