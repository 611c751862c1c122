import type { LearnerRecord } from '../records/learner-record.types';
import type { Category } from './categories';
import type { ConsentPolicy } from './consent-policy';
import type { Purpose } from './purposes';

/** One grant or withdrawal, as the history keeps it (never overwritten). */
export interface ConsentEvent {
  id: string;
  purpose: Purpose;
  categories: Category[];
  /** A named recipient (platform, kommun, organisation); null: any recipient of the purpose. */
  recipient: string | null;
  action: 'grant' | 'withdraw';
  giverRole: 'guardian' | 'pupil';
  giverCivicNo: string;
  expiresAt: Date | null;
  createdAt: Date;
  receiptId: string;
}

/** Whether consent covers a category now, and the grants that make it so. */
export interface ConsentVerdict {
  given: boolean;
  /** Receipt ids of the grants it rests on. */
  receipts: string[];
  /** Who must consent, in words for a reason: `pupil`, `any-guardian`, `all-guardians`, `no-guardian`. */
  needs: 'pupil' | 'any-guardian' | 'all-guardians' | 'no-guardian';
}

/**
 * What of a record decides who may consent and what may go: the pupil (age, civic number, security
 * marking) and the guardians (custody). The rest of the record never changes a decision, so a bulk
 * outflow reads only this for deciding.
 */
export type DecisionSubject = Pick<LearnerRecord, 'pupil' | 'guardians'>;

/** Age in whole years on `on` (YYYY-MM-DD), from the birth date or else the civic number. */
export function ageOf(record: DecisionSubject, on: Date): number | undefined {
  const civic = record.pupil.civicNo?.value;
  let birth = record.pupil.birthDate;
  if (!birth && civic && /^[0-9]{12}$/.test(civic)) {
    const day = Number(civic.slice(6, 8));
    // A samordningsnummer has 60 added to the day.
    birth = `${civic.slice(0, 4)}-${civic.slice(4, 6)}-${String(day > 60 ? day - 60 : day).padStart(2, '0')}`;
  }
  if (!birth) return undefined;
  const [y, m, d] = birth.split('-').map(Number);
  const today = on.toISOString().slice(0, 10).split('-').map(Number);
  let age = today[0] - y;
  if (today[1] < m || (today[1] === m && today[2] < d)) age--;
  return age;
}

const covers = (e: ConsentEvent, purpose: Purpose, category: Category, recipient: string | null): boolean =>
  e.purpose === purpose &&
  e.categories.includes(category) &&
  // A consent without a recipient covers every recipient of the purpose; a withdrawal without one, too.
  (e.recipient === null || e.recipient === recipient);

/** The giver's own standing: their latest covering act decides, if it has not expired. */
function grantOf(
  events: ConsentEvent[],
  giver: string,
  purpose: Purpose,
  category: Category,
  recipient: string | null,
  now: Date,
) {
  let latest: ConsentEvent | undefined;
  for (const e of events) {
    if (e.giverCivicNo !== giver || !covers(e, purpose, category, recipient)) continue;
    if (!latest || e.createdAt >= latest.createdAt) latest = e;
  }
  if (!latest || latest.action !== 'grant') return undefined;
  if (latest.expiresAt && latest.expiresAt <= now) return undefined;
  return latest;
}

/**
 * Whether the consent a category needs for this purpose and recipient is given now. From the policy's
 * consent age the pupil decides alone; below it the guardians with custody (the record says who), one
 * of them or all of them as the policy says. Each giver stands on their latest act: a withdrawal after
 * a grant ends it, as easily as it was given (GDPR Art. 7(3)).
 */
export function consentVerdict(
  record: DecisionSubject,
  policy: ConsentPolicy,
  history: ConsentEvent[],
  purpose: Purpose,
  category: Category,
  recipient: string | null,
  now: Date,
): ConsentVerdict {
  const age = ageOf(record, now);
  if (age !== undefined && age >= policy.consentAge) {
    const pupil = record.pupil.civicNo?.value;
    const grant = pupil ? grantOf(history, pupil, purpose, category, recipient, now) : undefined;
    return { given: Boolean(grant), receipts: grant ? [grant.receiptId] : [], needs: 'pupil' };
  }
  const custodians = (record.guardians ?? [])
    .filter((g) => g.custody && g.civicNo?.value)
    .map((g) => g.civicNo!.value);
  if (custodians.length === 0) return { given: false, receipts: [], needs: 'no-guardian' };
  const grants = custodians.map((c) => grantOf(history, c, purpose, category, recipient, now));
  const given = policy.guardianConsent === 'all' ? grants.every(Boolean) : grants.some(Boolean);
  return {
    given,
    receipts: given ? grants.filter((g): g is ConsentEvent => Boolean(g)).map((g) => g.receiptId) : [],
    needs: policy.guardianConsent === 'all' ? 'all-guardians' : 'any-guardian',
  };
}

/** Who may give or withdraw consent for this pupil now: the pupil from the consent age, else custodians. */
export function mayConsent(
  record: DecisionSubject,
  policy: ConsentPolicy,
  civicNo: string,
  now: Date,
): 'pupil' | 'guardian' | undefined {
  const age = ageOf(record, now);
  if (age !== undefined && age >= policy.consentAge)
    return record.pupil.civicNo?.value === civicNo ? 'pupil' : undefined;
  return (record.guardians ?? []).some((g) => g.custody && g.civicNo?.value === civicNo)
    ? 'guardian'
    : undefined;
}
