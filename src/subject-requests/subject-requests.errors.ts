import { DomainError } from '../common/problem/domain-error';
import { ProblemType } from '../common/problem/problem-types';

const t = (slug: string, status: number, title: string): ProblemType => ({ slug, status, title });

export const REQUEST_PROBLEMS = {
  requestNotFound: t('request-not-found', 404, 'No such request'),
  transitionNotAllowed: t(
    'request-transition-not-allowed',
    409,
    'The request cannot move to that status now',
  ),
  reasonRequired: t('refusal-reason-required', 400, 'A refusal needs a reason'),
  packageGone: t('package-gone', 410, 'The download link has expired or is not valid'),
};

export const requestNotFound = (id: string): DomainError =>
  new DomainError(REQUEST_PROBLEMS.requestNotFound, 'REQUEST.NOT_FOUND', `No request ${id} here.`);

export const transitionNotAllowed = (from: string, to: string): DomainError =>
  new DomainError(
    REQUEST_PROBLEMS.transitionNotAllowed,
    'REQUEST.TRANSITION',
    `A request that is ${from} cannot become ${to}.`,
  );

export const reasonRequired = (): DomainError =>
  new DomainError(
    REQUEST_PROBLEMS.reasonRequired,
    'REQUEST.REASON_REQUIRED',
    'Say why the request is refused: the person reads it (GDPR Art. 12(4)).',
    [{ pointer: '/reason', detail: 'required when status is refused' }],
  );

export const packageGone = (): DomainError =>
  new DomainError(
    REQUEST_PROBLEMS.packageGone,
    'REQUEST.PACKAGE_GONE',
    'This download link has expired or is not valid. Ask for a new export.',
  );
