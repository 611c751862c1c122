import { CATEGORIES, type Category } from './categories';
import type { ConsentPolicy, Marking } from './consent-policy';
import { ageOf, consentVerdict, type ConsentEvent, type DecisionSubject } from './consent-state';
import type { LegalBasis, Purpose } from './purposes';

/** Why a category may not go: stable codes, each with a Swedish and an English text (DENIAL_TEXTS). */
export type DenialReason =
  | 'not-for-purpose' // the policy never lets this category go for this purpose
  | 'security-marking' // the pupil has a security marking and the policy does not allow it for that
  | 'no-consent' // it needs consent, and that is not given (or was withdrawn, or expired)
  | 'no-guardian' // it needs a guardian's consent, and the record names no guardian with custody
  | 'restricted'; // GDPR Art. 18: processing is restricted, nothing goes but to the data subject

export interface AllowedCategory {
  category: Category;
  basis: LegalBasis;
  /** For consent: the receipts of the grants it rests on. */
  consentReceipts?: string[];
}

export interface DeniedCategory {
  category: Category;
  reason: DenialReason;
}

export interface Decision {
  purpose: Purpose;
  recipient: string | null;
  policyVersion: number;
  decidedAt: string;
  allowed: AllowedCategory[];
  denied: DeniedCategory[];
}

export interface DecisionInput {
  record: DecisionSubject;
  purpose: Purpose;
  recipient: string | null;
  /** The categories asked for; all when absent. */
  requested?: readonly Category[];
  policy: ConsentPolicy;
  policyVersion: number;
  consents: ConsentEvent[];
  /** GDPR Art. 18: a restriction of processing stands for this pupil. */
  restricted?: boolean;
  now: Date;
}

export const DENIAL_TEXTS: Readonly<Record<DenialReason, { sv: string; en: string }>> = {
  'not-for-purpose': {
    sv: 'Kommunens policy lämnar aldrig ut detta för det här ändamålet.',
    en: "The kommun's policy never discloses this for this purpose.",
  },
  'security-marking': {
    sv: 'Eleven har skyddade personuppgifter; policyn tillåter inte att detta lämnas ut.',
    en: 'The pupil has protected personal data; the policy does not allow this to be disclosed.',
  },
  'no-consent': {
    sv: 'Detta kräver samtycke, och det finns inget gällande samtycke.',
    en: 'This needs consent, and there is no consent in force.',
  },
  restricted: {
    sv: 'Behandlingen är begränsad på begäran (GDPR art. 18); inget lämnas ut utom till den registrerade.',
    en: 'Processing is restricted on request (GDPR Art. 18); nothing is disclosed except to the data subject.',
  },
  'no-guardian': {
    sv: 'Detta kräver vårdnadshavares samtycke, men ingen vårdnadshavare finns registrerad.',
    en: "This needs a guardian's consent, but no guardian with custody is on record.",
  },
};

const markingOf = (record: DecisionSubject): Marking | undefined =>
  record.pupil.securityMarking === 'Ingen' ? undefined : record.pupil.securityMarking;

/**
 * THE policy decision point: every outflow (platform export, adapter export, transfer package, the
 * data subject's own export) asks it which categories of this pupil may go, for this purpose, to this
 * recipient, and on which legal basis each. Pure: the policy, the consent history and the clock decide.
 *
 * Per category: the purpose's rule gives a basis or never; a security marking limits everything to
 * what the policy explicitly allows for that marking; GDPR Art. 8 turns a public-task basis into a
 * guardian's consent below the consent age where the purpose says so; a consent basis needs consent
 * in force now.
 */
/**
 * The basis a category of this pupil flows on for a purpose: the purpose's rule, except that below the
 * consent age (or with no known age) GDPR Art. 8 turns public task into a guardian's consent where the
 * purpose says so (a learning platform: lag 2018:218). What screens show is what the decision applies.
 */
export function basisFor(
  policy: ConsentPolicy,
  purpose: Purpose,
  category: Category,
  age: number | undefined,
): LegalBasis | 'never' {
  const rule = policy.purposes[purpose];
  const basis = rule.categories[category] ?? 'never';
  const underAge = age === undefined || age < policy.consentAge;
  return rule.guardianConsentUnderAge && basis === 'publicTask' && underAge ? 'consent' : basis;
}

export function decide(input: DecisionInput): Decision {
  const { record, purpose, recipient, policy, consents, now } = input;
  const marking = markingOf(record);
  const age = ageOf(record, now);
  const allowed: AllowedCategory[] = [];
  const denied: DeniedCategory[] = [];
  for (const category of input.requested ?? CATEGORIES) {
    if (input.restricted && purpose !== 'portability') {
      denied.push({ category, reason: 'restricted' });
      continue;
    }
    const basis = basisFor(policy, purpose, category, age);
    if (basis === 'never') {
      denied.push({ category, reason: 'not-for-purpose' });
      continue;
    }
    if (marking && !policy.markings[marking][purpose].includes(category)) {
      denied.push({ category, reason: 'security-marking' });
      continue;
    }
    if (basis !== 'consent') {
      allowed.push({ category, basis });
      continue;
    }
    const verdict = consentVerdict(record, policy, consents, purpose, category, recipient, now);
    if (verdict.given) allowed.push({ category, basis, consentReceipts: verdict.receipts });
    else denied.push({ category, reason: verdict.needs === 'no-guardian' ? 'no-guardian' : 'no-consent' });
  }
  return {
    purpose,
    recipient,
    policyVersion: input.policyVersion,
    decidedAt: now.toISOString(),
    allowed,
    denied,
  };
}
