import { CATEGORIES, CATEGORY_OF_SECTION, type Category } from '../consent/categories';
import { LEGAL_BASIS_ARTICLE, type LegalBasis } from '../consent/purposes';
import type { LearnerRecord } from '../records/learner-record.types';
import type { Action } from './actions';
import { grantedSections } from './platform-scopes';
import type { Principal } from './principal';
import type { Role } from './roles';

/** Actions that read or write pupils' records as such (other flows audit their own decisions). */
const RECORD_ACTIONS: ReadonlySet<Action> = new Set([
  'records:read',
  'records:write',
  'records:delete',
  'changes:read',
]);
const WRITES: ReadonlySet<Action> = new Set(['records:write', 'records:delete']);

export interface AccessBasis {
  /** Data categories the request concerned. */
  sections: Category[];
  /** The basis per category, as GDPR articles; null where another entry holds it (a platform's disclosure decision). */
  legalBasis: Record<string, string> | null;
}

const NONE: AccessBasis = { sections: [], legalBasis: null };

const basisFor = (categories: readonly Category[], basis: LegalBasis): Record<string, string> =>
  Object.fromEntries(categories.map((c) => [c, LEGAL_BASIS_ARTICLE[basis]]));

/**
 * What an audit entry of a record read or write says of the data and its basis. The kommun's staff
 * work on the record as part of the school's public task (GDPR 6(1)(e)); a guardian or pupil reading
 * their own is the controller answering the right of access (Art. 15), a legal obligation (6(1)(c)).
 * A platform sees only its granted sections; what it reads is released through the decision point,
 * whose own entry carries the basis per category, and what it writes the kommun processes on public task.
 */
export function accessBasis(
  principal: Principal | undefined,
  role: Role | undefined,
  action: Action,
): AccessBasis {
  if (!principal || !RECORD_ACTIONS.has(action)) return NONE;
  if (principal.kind === 'platform') {
    const sections = [
      ...new Set<Category>([
        'identity',
        ...[...grantedSections(principal.scopes)].map((s) =>
          s === 'civicNo' ? 'identity' : CATEGORY_OF_SECTION[s as keyof LearnerRecord],
        ),
      ]),
    ].sort();
    return { sections, legalBasis: WRITES.has(action) ? basisFor(sections, 'publicTask') : null };
  }
  const ownData = role === 'guardian' || role === 'pupil';
  return {
    sections: [...CATEGORIES],
    legalBasis: basisFor(CATEGORIES, ownData ? 'legalObligation' : 'publicTask'),
  };
}
