import { DomainError, FieldError } from '../common/problem/domain-error';
import { ProblemType } from '../common/problem/problem-types';

const t = (slug: string, status: number, title: string): ProblemType => ({ slug, status, title });

export const CONSENT_PROBLEMS = {
  policyInvalid: t('policy-invalid', 422, 'The policy document is not valid'),
  policyVersionNotFound: t('policy-version-not-found', 404, 'No such policy version'),
  notAConsenter: t('not-a-consenter', 403, 'You cannot give or withdraw consent for this pupil'),
  nothingToDisclose: t(
    'nothing-to-disclose',
    422,
    'The policy lets nothing of this pupil go for this purpose',
  ),
};

export const policyInvalid = (errors: FieldError[]): DomainError =>
  new DomainError(
    CONSENT_PROBLEMS.policyInvalid,
    'POLICY.INVALID',
    'The policy document does not fit the policy schema.',
    errors,
  );

export const policyVersionNotFound = (version: number): DomainError =>
  new DomainError(
    CONSENT_PROBLEMS.policyVersionNotFound,
    'POLICY.VERSION_NOT_FOUND',
    `The kommun has no policy version ${version}.`,
  );

/** The person is not a guardian with custody (or, from the consent age, the pupil themselves). */
export const notAConsenter = (): DomainError =>
  new DomainError(
    CONSENT_PROBLEMS.notAConsenter,
    'CONSENT.NOT_A_CONSENTER',
    'Only a guardian with custody, or the pupil from the consent age in the kommun’s policy, gives or withdraws consent.',
  );
