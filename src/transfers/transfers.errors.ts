import { DomainError } from '../common/problem/domain-error';
import type { ProblemType } from '../common/problem/problem-types';

const t = (slug: string, status: number, title: string): ProblemType => ({ slug, status, title });

/**
 * The transfer flow's problems (the package's own refusals are in package/transfer-package.errors.ts).
 * Their URIs never change once published.
 */
export const TRANSFER_PROBLEMS = {
  transferNotFound: t('transfer-not-found', 404, 'No such transfer'),
  batchNotFound: t('transfer-batch-not-found', 404, 'No such transfer batch'),
  inboxItemNotFound: t('transfer-inbox-item-not-found', 404, 'No such package in the inbox'),
  peerNotTrusted: t('peer-not-trusted', 422, 'The receiving kommun is not a trusted peer'),
  nothingToSend: t('transfer-nothing-to-send', 422, 'Nothing of this pupil may be sent to that kommun'),
  notCancellable: t('transfer-not-cancellable', 409, 'The transfer can no longer be cancelled'),
  inFlight: t('transfer-in-flight', 409, 'The package is being delivered right now'),
  packageNotReady: t('transfer-package-not-ready', 409, 'The package is not sealed yet'),
  alreadyDecided: t('transfer-already-decided', 409, 'The package has already been accepted or rejected'),
  reasonRequired: t('transfer-reason-required', 400, 'A rejection needs a reason'),
  expiredUndelivered: t(
    'transfer-expired-undelivered',
    410,
    'The package expired before it could be delivered',
  ),
  receiptInvalid: t('transfer-receipt-invalid', 422, 'The acknowledgement does not verify'),
  receiptUnknownPackage: t(
    'transfer-receipt-unknown-package',
    404,
    'The acknowledgement names no package sent from here',
  ),
  receiptConflict: t(
    'transfer-receipt-conflict',
    409,
    'The package was acknowledged before with another outcome',
  ),
} as const;

export const transferNotFound = (id: string): DomainError =>
  new DomainError(
    TRANSFER_PROBLEMS.transferNotFound,
    'TRANSFER.NOT_FOUND',
    `No transfer ${id} in this kommun.`,
  );

export const batchNotFound = (id: string): DomainError =>
  new DomainError(
    TRANSFER_PROBLEMS.batchNotFound,
    'TRANSFER.BATCH_NOT_FOUND',
    `No transfer batch ${id} in this kommun.`,
  );

export const inboxItemNotFound = (id: string): DomainError =>
  new DomainError(
    TRANSFER_PROBLEMS.inboxItemNotFound,
    'TRANSFER.INBOX_NOT_FOUND',
    `No package ${id} in this kommun's inbox.`,
  );

export const peerNotTrusted = (code: string): DomainError =>
  new DomainError(
    TRANSFER_PROBLEMS.peerNotTrusted,
    'TRANSFER.PEER_NOT_TRUSTED',
    `Kommun ${code} is not in this kommun's trust registry (or its entry is not active): nothing can be sent there.`,
    [{ pointer: '/receiverKommun', detail: 'not a trusted peer' }],
  );

export const nothingToSend = (detail: string): DomainError =>
  new DomainError(TRANSFER_PROBLEMS.nothingToSend, 'TRANSFER.NOTHING_TO_SEND', detail);

export const notCancellable = (state: string): DomainError =>
  new DomainError(
    TRANSFER_PROBLEMS.notCancellable,
    'TRANSFER.NOT_CANCELLABLE',
    `A transfer that is ${state} cannot be cancelled: only before delivery.`,
  );

export const inFlight = (): DomainError =>
  new DomainError(
    TRANSFER_PROBLEMS.inFlight,
    'TRANSFER.IN_FLIGHT',
    'The package is being delivered right now; try again in a few seconds.',
    undefined,
    { 'retry-after': '5' },
  );

export const packageNotReady = (state: string): DomainError =>
  new DomainError(
    TRANSFER_PROBLEMS.packageNotReady,
    'TRANSFER.PACKAGE_NOT_READY',
    `The transfer is ${state}: there is no package to download${state === 'created' ? ' yet' : ''}.`,
  );

export const alreadyDecided = (state: string): DomainError =>
  new DomainError(
    TRANSFER_PROBLEMS.alreadyDecided,
    'TRANSFER.ALREADY_DECIDED',
    `The package was already ${state}.`,
  );

export const reasonRequired = (): DomainError =>
  new DomainError(
    TRANSFER_PROBLEMS.reasonRequired,
    'TRANSFER.REASON_REQUIRED',
    'Say why the package is rejected: the sending kommun reads it.',
    [{ pointer: '/reason', detail: 'required' }],
  );

export const receiptInvalid = (detail: string): DomainError =>
  new DomainError(TRANSFER_PROBLEMS.receiptInvalid, 'TRANSFER.RECEIPT_INVALID', detail);

export const receiptUnknownPackage = (jti: string): DomainError =>
  new DomainError(
    TRANSFER_PROBLEMS.receiptUnknownPackage,
    'TRANSFER.RECEIPT_UNKNOWN_PACKAGE',
    `No package ${jti} was sent from here to the acknowledging kommun.`,
  );

export const receiptConflict = (): DomainError =>
  new DomainError(
    TRANSFER_PROBLEMS.receiptConflict,
    'TRANSFER.RECEIPT_CONFLICT',
    'The package was acknowledged before with another outcome; a decision cannot change.',
  );
