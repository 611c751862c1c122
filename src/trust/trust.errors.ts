import { DomainError, type FieldError } from '../common/problem/domain-error';
import { PROBLEMS, type ProblemType } from '../common/problem/problem-types';

/** The trust registry's problem types (RFC 9457); their URIs never change once published. */
export const TRUST_PROBLEMS = {
  peerNotFound: { slug: 'trust-peer-not-found', status: 404, title: 'No such trusted peer' },
  peerKeysUnavailable: {
    slug: 'trust-peer-keys-unavailable',
    status: 503,
    title: "The peer's keys cannot be had at the moment",
  },
  peerHasNoEncryptionKey: {
    slug: 'trust-peer-no-encryption-key',
    status: 422,
    title: 'The peer publishes no encryption key packages can be sealed to',
  },
  trustListInvalid: { slug: 'trust-list-invalid', status: 422, title: 'The trust list is not valid' },
  trustListStale: {
    slug: 'trust-list-stale',
    status: 409,
    title: 'A newer trust list from this operator has been applied',
  },
} as const satisfies Record<string, ProblemType>;

export const peerNotFound = (kommun: string, peer: string): DomainError =>
  new DomainError(
    TRUST_PROBLEMS.peerNotFound,
    'TRUST.PEER_NOT_FOUND',
    `Kommun ${kommun} has no trusted peer ${peer}.`,
  );

export const peerKeysUnavailable = (peer: string, reason: string): DomainError =>
  new DomainError(
    TRUST_PROBLEMS.peerKeysUnavailable,
    'TRUST.PEER_KEYS_UNAVAILABLE',
    `The keys of peer ${peer} have never been fetched successfully (${reason}). Try again later.`,
    undefined,
    { 'retry-after': '60' },
  );

export const peerHasNoEncryptionKey = (peer: string): DomainError =>
  new DomainError(
    TRUST_PROBLEMS.peerHasNoEncryptionKey,
    'TRUST.PEER_NO_ENCRYPTION_KEY',
    `Peer ${peer} publishes no unrevoked encryption key (use enc, ECDH-ES) to seal a package to.`,
  );

export const trustListInvalid = (code: string, detail: string, errors?: FieldError[]): DomainError =>
  new DomainError(TRUST_PROBLEMS.trustListInvalid, `TRUST.LIST_${code}`, detail, errors);

export const trustListStale = (issuer: string, sequence: number, applied: number): DomainError =>
  new DomainError(
    TRUST_PROBLEMS.trustListStale,
    'TRUST.LIST_STALE',
    `List ${sequence} of ${issuer} is not newer than list ${applied}, which is applied.`,
  );

/** A request body that is well-formed JSON but not a usable peer (bad JWKS, both or neither key source). */
export const invalidPeer = (errors: FieldError[]): DomainError =>
  new DomainError(
    PROBLEMS.validationFailed,
    'REQUEST.INVALID',
    errors.map((e) => `${e.pointer ?? ''} ${e.detail}`.trim()).join('; '),
    errors,
  );
