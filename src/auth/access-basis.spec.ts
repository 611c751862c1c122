import { CATEGORIES } from '../consent/categories';
import { accessBasis } from './access-basis';
import type { Principal } from './principal';

const person = (role: Principal['roles'][number]): Principal =>
  ({ kind: 'person', subject: 's', kommunCode: '1980', roles: [role], scopes: [] }) as unknown as Principal;
const platform = (scopes: string[]): Principal =>
  ({
    kind: 'platform',
    subject: 'p',
    kommunCode: '1980',
    roles: ['platform'],
    scopes,
  }) as unknown as Principal;

describe('accessBasis: what an audit entry of a record read or write says of the data and its basis', () => {
  it('staff work on the whole record on public task', () => {
    const b = accessBasis(person('registrar'), 'registrar', 'records:read');
    expect(b.sections).toEqual([...CATEGORIES]);
    expect(Object.values(b.legalBasis ?? {})).toEqual(CATEGORIES.map(() => 'GDPR Art. 6(1)(e)'));
  });

  it.each(['guardian', 'pupil'] as const)(
    'a %s reading their own rests on the right of access (a legal obligation)',
    (role) => {
      const b = accessBasis(person(role), role, 'records:read');
      expect(new Set(Object.values(b.legalBasis ?? {}))).toEqual(new Set(['GDPR Art. 6(1)(c)']));
    },
  );

  it("a platform's read names only its granted categories and leaves the basis to its disclosure decision", () => {
    const b = accessBasis(
      platform(['records:read', 'sections:grades', 'sections:civicNo', 'sections:guardians']),
      'platform',
      'records:read',
    );
    expect(b.sections).toEqual(['contact', 'grades', 'identity']);
    expect(b.legalBasis).toBeNull();
  });

  it("a platform's write is the kommun's processing on public task", () => {
    const b = accessBasis(platform(['records:write', 'sections:grades']), 'platform', 'records:write');
    expect(b.legalBasis).toEqual({ grades: 'GDPR Art. 6(1)(e)', identity: 'GDPR Art. 6(1)(e)' });
  });

  it('other actions and anonymous callers add nothing (their flows audit their own decisions)', () => {
    expect(accessBasis(person('dpo'), 'dpo', 'requests:read')).toEqual({ sections: [], legalBasis: null });
    expect(accessBasis(undefined, undefined, 'records:read')).toEqual({ sections: [], legalBasis: null });
  });
});
