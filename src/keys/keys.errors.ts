import { DomainError } from '../common/problem/domain-error';
import { PROBLEMS, ProblemType } from '../common/problem/problem-types';

/** The keys module's problem types (RFC 9457); their URIs never change once published. */
export const KEY_PROBLEMS = {
  keyNotFound: { slug: 'key-not-found', status: 404, title: 'No such key' },
  keysUnavailable: {
    slug: 'keys-unavailable',
    status: 503,
    title: "The kommun's private keys cannot be used on this instance",
  },
  jweUndecryptable: {
    slug: 'jwe-undecryptable',
    status: 422,
    title: "The JWE cannot be decrypted with this kommun's keys",
  },
} as const satisfies Record<string, ProblemType>;

export const keyNotFound = (kommun: string, kid: string): DomainError =>
  new DomainError(KEY_PROBLEMS.keyNotFound, 'KEYS.NOT_FOUND', `Kommun ${kommun} has no key ${kid}.`);

/** The operator's to fix, not the caller's: said plainly, without key material. */
export const masterKeyMismatch = (kommun: string): DomainError =>
  new DomainError(
    KEY_PROBLEMS.keysUnavailable,
    'KEYS.MASTER_KEY_MISMATCH',
    `Kommun ${kommun}'s private keys were sealed with another master key than this instance's MASTER_KEY. ` +
      'An operator must restore the master key they were made with.',
  );

export const keyUnreadable = (kommun: string): DomainError =>
  new DomainError(
    KEY_PROBLEMS.keysUnavailable,
    'KEYS.KEY_UNREADABLE',
    `A private key of kommun ${kommun} does not authenticate: it was changed or copied in the database. ` +
      'Revoke it; a new one is made on next use.',
  );

export const jweUndecryptable = (code: string, detail: string): DomainError =>
  new DomainError(KEY_PROBLEMS.jweUndecryptable, `KEYS.${code}`, detail);

/** A rotation asked for a kind of key that does not exist (an alg of the other use, a curve for signing). */
export const invalidKeyKind = (pointer: string, detail: string): DomainError =>
  new DomainError(PROBLEMS.validationFailed, 'REQUEST.INVALID', detail, [{ pointer, detail }]);
