import { DomainError } from '../common/problem/domain-error';
import { PROBLEMS } from '../common/problem/problem-types';
import type { ChainBreak } from './audit-verifier';

export const auditChainEmpty = (kommunCode: string): DomainError =>
  new DomainError(
    PROBLEMS.auditChainEmpty,
    'AUDIT.CHAIN_EMPTY',
    `The audit chain of ${kommunCode} has no entries: there is nothing to sign.`,
  );

/** Names the break, never the entry's contents. */
export const auditChainBroken = (kommunCode: string, broken: ChainBreak): DomainError =>
  new DomainError(
    PROBLEMS.auditChainBroken,
    'AUDIT.CHAIN_BROKEN',
    `The audit chain of ${kommunCode} breaks at entry ${broken.seq} (${broken.reason}): no checkpoint is ` +
      'signed over it. GET …/audit/verify tells more.',
  );

export const invalidPeriod = (): DomainError => {
  const detail = 'from must be before to.';
  return new DomainError(PROBLEMS.validationFailed, 'REQUEST.INVALID', detail, [{ parameter: 'to', detail }]);
};
