import type { SecurityMarking } from '../../records/learner-record.types';

/**
 * Whether a pupil's contact details (addresses, e-mail, phone, and those of the guardians, which lead to
 * the pupil) may leave portabel through SS 12000. Skyddad folkbokföring: Skatteverket hides where the
 * person lives, so nothing that could lead there goes anywhere. The policy decision point will replace
 * this one rule; until then it is the only place that says it.
 */
export function contactDisclosure(
  marking: SecurityMarking,
): { allowed: true } | { allowed: false; reason: string } {
  if (marking === 'Skyddad folkbokföring') {
    return {
      allowed: false,
      reason:
        "the pupil has skyddad folkbokföring: addresses, e-mail and phone numbers (also the guardians') are never disclosed",
    };
  }
  return { allowed: true };
}
