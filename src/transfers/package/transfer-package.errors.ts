import { DomainError, type FieldError } from '../../common/problem/domain-error';
import type { ProblemType } from '../../common/problem/problem-types';

/**
 * Why a transfer package is refused: one problem type each (RFC 9457), so a sender and an auditor
 * can tell a damaged package from an untrusted one. Their URIs never change once published;
 * docs/transfer-package.md lists them in the order the checks run.
 */
export const TRANSFER_PACKAGE_PROBLEMS = {
  tooLarge: t('transfer-package-too-large', 413, 'The transfer package is larger than accepted'),
  malformed: t('transfer-package-malformed', 422, 'The transfer package is not a well-formed package'),
  wrongType: t('transfer-package-wrong-type', 422, 'The token is not a transfer package'),
  algorithmNotAllowed: t(
    'transfer-package-algorithm-not-allowed',
    422,
    'The transfer package uses an algorithm that is not allowed',
  ),
  wrongReceiver: t(
    'transfer-package-wrong-receiver',
    422,
    'The transfer package is addressed to another kommun',
  ),
  tampered: t('transfer-package-tampered', 422, 'The transfer package was changed or damaged'),
  untrustedSender: t(
    'transfer-package-untrusted-sender',
    422,
    'The transfer package is not from a trusted sender',
  ),
  revokedKey: t('transfer-package-revoked-key', 422, 'The transfer package was signed with a revoked key'),
  expired: t('transfer-package-expired', 422, 'The transfer package has expired'),
  replayed: t('transfer-package-replayed', 409, 'The transfer package has been received before'),
  payloadHashMismatch: t(
    'transfer-package-payload-hash-mismatch',
    422,
    "The transfer package's payload does not match its manifest",
  ),
  invalidRecord: t(
    'transfer-package-invalid-record',
    422,
    "The transfer package's record does not conform to the canonical schema",
  ),
} as const satisfies Record<string, ProblemType>;

function t(slug: string, status: number, title: string): ProblemType {
  return { slug, status, title };
}

export type PackageRefusalKind = keyof typeof TRANSFER_PACKAGE_PROBLEMS;

/**
 * A package turned away. Each refusal is its own subclass (catch the base to catch them all); `kind`
 * names it in audit entries and `problem.slug` in problem+json. The detail never quotes the payload.
 */
export abstract class TransferPackageRefused extends DomainError {
  abstract readonly kind: PackageRefusalKind;

  protected constructor(kind: PackageRefusalKind, detail: string, errors?: FieldError[]) {
    super(TRANSFER_PACKAGE_PROBLEMS[kind], `TRANSFER_PACKAGE.${codeOf(kind)}`, detail, errors);
  }
}

const codeOf = (kind: PackageRefusalKind): string => kind.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase();

export class PackageTooLargeError extends TransferPackageRefused {
  readonly kind = 'tooLarge';
  constructor(size: number, limit: number) {
    super('tooLarge', `The package is ${size} bytes; at most ${limit} are accepted.`);
  }
}

export class PackageMalformedError extends TransferPackageRefused {
  readonly kind = 'malformed';
  constructor(detail: string) {
    super('malformed', detail);
  }
}

export class PackageWrongTypeError extends TransferPackageRefused {
  readonly kind = 'wrongType';
  constructor(detail: string) {
    super('wrongType', detail);
  }
}

export class PackageAlgorithmNotAllowedError extends TransferPackageRefused {
  readonly kind = 'algorithmNotAllowed';
  constructor(detail: string) {
    super('algorithmNotAllowed', detail);
  }
}

export class PackageWrongReceiverError extends TransferPackageRefused {
  readonly kind = 'wrongReceiver';
  constructor(addressedTo: string, receiver: string) {
    super('wrongReceiver', `The package is addressed to kommun ${addressedTo}, not ${receiver}.`);
  }
}

export class PackageTamperedError extends TransferPackageRefused {
  readonly kind = 'tampered';
  constructor(detail: string) {
    super('tampered', detail);
  }
}

export class PackageUntrustedSenderError extends TransferPackageRefused {
  readonly kind = 'untrustedSender';
  constructor(detail: string) {
    super('untrustedSender', detail);
  }
}

export class PackageRevokedKeyError extends TransferPackageRefused {
  readonly kind = 'revokedKey';
  constructor(kid: string, detail = `The key ${kid} is revoked: nothing it signed or opens is trusted.`) {
    super('revokedKey', detail);
  }
}

export class PackageExpiredError extends TransferPackageRefused {
  readonly kind = 'expired';
  constructor(exp: number) {
    super('expired', `The package expired at ${new Date(exp * 1000).toISOString()}.`);
  }
}

export class PackageReplayedError extends TransferPackageRefused {
  readonly kind = 'replayed';
  constructor(jti: string) {
    super('replayed', `A package with id ${jti} has already been received.`);
  }
}

export class PackagePayloadHashMismatchError extends TransferPackageRefused {
  readonly kind = 'payloadHashMismatch';
  constructor() {
    super('payloadHashMismatch', "The payload's SHA-256 is not the one its signed manifest names.");
  }
}

export class PackageInvalidRecordError extends TransferPackageRefused {
  readonly kind = 'invalidRecord';
  constructor(detail: string, errors: FieldError[]) {
    super('invalidRecord', detail, errors);
  }
}
