import type { LearnerRecord } from '../../records/learner-record.types';

/**
 * Why no contact or address data of this pupil (nor of their guardians, which would lead to the pupil)
 * may be written, or undefined when it may. Skyddad folkbokföring: Skatteverket keeps the address from
 * everyone; a file sent to a platform must not undo that, whatever else the policy lets through.
 */
export function contactWithheldReason(record: LearnerRecord): string | undefined {
  if (record.pupil.securityMarking === 'Skyddad folkbokföring')
    return 'the pupil has skyddad folkbokföring: no contact or address data is ever written for them or their guardians';
  return undefined;
}
