import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '../../config/config.module';
import type { AppConfig } from '../../config/env.schema';
import { DomainError } from '../../common/problem/domain-error';
import { KeysService } from '../../keys/keys.service';
import { TrustRegistry } from '../../trust/trust-registry.service';
import { NOT_DECRYPTABLE, openPackage } from './open-package';
import {
  PACKAGE_CONTENT_ENCRYPTION,
  type OpenedPackage,
  type SealedPackage,
  type SealInput,
  type TransferManifest,
} from './package-format';
import { sealPackage } from './seal-package';
import {
  PackageAlgorithmNotAllowedError,
  PackageMalformedError,
  PackageRevokedKeyError,
  PackageTamperedError,
} from './transfer-package.errors';

export interface OpenOptions {
  /**
   * Whether this package id was received before (the inbox's unique jti). Asked after the
   * signature, receiver and expiry checks, before the payload's; the package is not recorded
   * here: the caller records its jti when it keeps the package. Left out, replay is not checked.
   */
  isReplay?: (jti: string, manifest: TransferManifest) => boolean | Promise<boolean>;
  /** The time to check expiry against; now unless said (tests). */
  now?: Date;
}

/**
 * Seals and opens transfer packages with the kommuner's own keys (KeysService) and their peers'
 * (TrustRegistry). The format and every check are in sealPackage/openPackage, shared with the
 * offline `portabel verify`; docs/transfer-package.md specifies them.
 */
@Injectable()
export class TransferPackages {
  private readonly maxBytes: number;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly keys: KeysService,
    private readonly trust: TrustRegistry,
  ) {
    this.maxBytes = config.TRANSFER_PACKAGE_MAX_BYTES;
  }

  /**
   * Signs as the sender kommun (its active signing key) and encrypts to the receiver's encryption
   * key from the trust registry. Throws trust-peer-not-found when the receiver is not a peer.
   */
  async seal(input: SealInput): Promise<SealedPackage> {
    const sender = input.sender.kommun;
    const encryptTo = await this.trust.encryptionKey(sender, input.receiver.kommun);
    return sealPackage(input, {
      sign: (document, typ) => this.keys.signJws(sender, document, { typ }),
      encryptTo,
    });
  }

  /**
   * Opens a package sent to `hostKommun`: every check of openPackage, with the kommun's decryption
   * keys and its trusted peers' signing keys. Throws a TransferPackageRefused subclass on refusal
   * (problem+json with its own type); other errors (database, master key) are not the package's.
   */
  open(hostKommun: string, jwe: string, options: OpenOptions = {}): Promise<OpenedPackage> {
    return openPackage(jwe, {
      decrypt: (compact) => this.decrypt(hostKommun, compact),
      verificationKeys: (sender, kid) => this.trust.signingKeys(hostKommun, sender, kid),
      expectedReceiver: hostKommun,
      maxBytes: this.maxBytes,
      seenJti: options.isReplay,
      now: options.now,
    });
  }

  private async decrypt(hostKommun: string, jwe: string): Promise<Uint8Array> {
    try {
      const { plaintext } = await this.keys.decrypt(hostKommun, jwe, {
        contentEncryptionAlgorithms: [PACKAGE_CONTENT_ENCRYPTION],
      });
      return plaintext;
    } catch (err) {
      throw refusalOf(err);
    }
  }
}

/** The keys module's reasons a JWE does not open, as the package refusals they stand for. */
function refusalOf(err: unknown): unknown {
  if (!(err instanceof DomainError)) return err;
  switch (err.code) {
    case 'KEYS.JWE_MALFORMED':
      return new PackageMalformedError('Not a compact JWE.');
    case 'KEYS.JWE_ALG_NOT_ALLOWED':
      return new PackageAlgorithmNotAllowedError(err.detail);
    case 'KEYS.JWE_KEY_REVOKED':
      return new PackageRevokedKeyError('', 'The package was encrypted to a revoked key of this kommun.');
    case 'KEYS.JWE_KEY_EXPIRED':
      return new PackageRevokedKeyError(
        '',
        'The package was encrypted to a key of this kommun retired past its grace period.',
      );
    case 'KEYS.JWE_UNKNOWN_KEY':
    case 'KEYS.JWE_DECRYPT_FAILED':
      return new PackageTamperedError(NOT_DECRYPTABLE);
    default:
      return err;
  }
}
