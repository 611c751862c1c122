import type { LearnerRecord } from '../records/learner-record.types';
import type { Category } from './categories';
import { checkPolicy, DEFAULT_POLICY, type ConsentPolicy } from './consent-policy';
import type { ConsentEvent } from './consent-state';
import { basisFor, decide, type Decision } from './decision-point';
import {
  minimisationLoss,
  minimise,
  mayDisclose,
  sectionsHeld,
  withheldSections,
  withoutSections,
} from './minimise';
import type { Purpose } from './purposes';

const NOW = new Date('2026-06-01T12:00:00Z');
const MOTHER = '198002032384';
const FATHER = '197905112384';
const PUPIL = '201203152382'; // 14 years old on NOW
const YOUNG = '201605052388'; // 10 years old on NOW

function pupil(
  over: { civicNo?: string; birthDate?: string; marking?: string; fatherCustody?: boolean } = {},
): LearnerRecord {
  return {
    schemaVersion: '1.0',
    source: { platform: 'p', id: '1' },
    pupil: {
      civicNo: { value: over.civicNo ?? YOUNG },
      givenName: 'Märta',
      familyName: 'Öberg',
      birthDate: over.birthDate ?? '2016-05-05',
      securityMarking: (over.marking ?? 'Ingen') as LearnerRecord['pupil']['securityMarking'],
    },
    contact: {
      addresses: [
        { type: 'Folkbokföring', streetAddress: 'Storgatan 1', postalCode: '722 11', locality: 'Västerås' },
      ],
    },
    guardians: [
      {
        id: 'm',
        civicNo: { value: MOTHER },
        givenName: 'Åsa',
        familyName: 'Öberg',
        relation: 'Vårdnadshavare',
        custody: true,
      },
      {
        id: 'f',
        civicNo: { value: FATHER },
        givenName: 'Per',
        familyName: 'Öberg',
        relation: 'Vårdnadshavare',
        custody: over.fatherCustody ?? true,
      },
    ],
    enrolments: [
      {
        organiserCode: '1980',
        schoolUnitCode: '12345678',
        schoolType: 'GR',
        schoolYear: 4,
        startDate: '2022-08-15',
        cancelled: false,
      },
    ],
    grades: [
      { subjectCode: 'MA', gradeScale: 'A-F', value: 'B', final: false } as NonNullable<
        LearnerRecord['grades']
      >[number],
    ],
    supportMeasures: [{ kind: 'Extra anpassningar', decidedDate: '2025-09-01' }],
  };
}

let seq = 0;
const act = (
  action: 'grant' | 'withdraw',
  giver: string,
  purpose: Purpose,
  categories: Category[],
  over: Partial<ConsentEvent> = {},
): ConsentEvent => ({
  id: `c${++seq}`,
  purpose,
  categories,
  recipient: null,
  action,
  giverRole: giver === PUPIL ? 'pupil' : 'guardian',
  giverCivicNo: giver,
  expiresAt: null,
  createdAt: new Date(Date.UTC(2026, 0, 1, 0, seq)),
  receiptId: `r${seq}`,
  ...over,
});

function run(
  record: LearnerRecord,
  purpose: Purpose,
  consents: ConsentEvent[] = [],
  opts: { recipient?: string; policy?: ConsentPolicy; requested?: Category[] } = {},
): Decision {
  return decide({
    record,
    purpose,
    recipient: opts.recipient ?? null,
    requested: opts.requested,
    policy: opts.policy ?? DEFAULT_POLICY,
    policyVersion: 0,
    consents,
    now: NOW,
  });
}
const outcome = (d: Decision, c: Category) =>
  d.allowed.find((a) => a.category === c)?.basis ?? d.denied.find((x) => x.category === c)?.reason;

describe('the policy decision point', () => {
  it('ships a default policy that fits its own schema', () => {
    expect(checkPolicy(DEFAULT_POLICY)).toEqual([]);
    expect(checkPolicy({ ...DEFAULT_POLICY, consentAge: 9, extra: 1 })).toEqual(
      expect.arrayContaining([
        { pointer: '/consentAge', detail: expect.stringMatching(/>= 13/) },
        { pointer: '/', detail: 'unknown member extra' },
      ]),
    );
  });

  it.each<[string, Purpose, Category, string]>([
    [
      'transfer: what the receiving school needs is a legal duty (skollagen 3 kap. 12 j §)',
      'transfer',
      'grades',
      'legalObligation',
    ],
    ['transfer: support measures too', 'transfer', 'support', 'legalObligation'],
    ['transfer: contact only with consent', 'transfer', 'contact', 'no-consent'],
    ['transfer: a class is not handed over', 'transfer', 'groups', 'not-for-purpose'],
    ['provisioning: support never goes to a platform', 'provisioning', 'support', 'not-for-purpose'],
    ['provisioning: under 13, a guardian must consent (GDPR Art. 8)', 'provisioning', 'grades', 'no-consent'],
    [
      'portability: the data subject gets everything held on public task',
      'portability',
      'support',
      'publicTask',
    ],
    ['third party: nothing without consent', 'thirdParty', 'identity', 'no-consent'],
  ])('%s', (_name, purpose, category, expected) => {
    expect(outcome(run(pupil(), purpose), category)).toBe(expected);
  });

  it('takes a guardian’s consent under 13, and turns the basis into consent', () => {
    const d = run(pupil(), 'provisioning', [act('grant', MOTHER, 'provisioning', ['identity', 'grades'])]);
    expect(d.allowed.find((a) => a.category === 'grades')).toEqual({
      category: 'grades',
      basis: 'consent',
      consentReceipts: ['r' + seq],
    });
    expect(outcome(d, 'enrolment')).toBe('no-consent');
  });

  it('needs no consent for provisioning from 13 (public task), and then the pupil decides consents alone', () => {
    const teen = pupil({ civicNo: PUPIL, birthDate: '2012-03-15' });
    expect(outcome(run(teen, 'provisioning'), 'grades')).toBe('publicTask');
    expect(outcome(run(teen, 'transfer', [act('grant', MOTHER, 'transfer', ['contact'])]), 'contact')).toBe(
      'no-consent',
    );
    expect(outcome(run(teen, 'transfer', [act('grant', PUPIL, 'transfer', ['contact'])]), 'contact')).toBe(
      'consent',
    );
  });

  it('counts only guardians with custody', () => {
    const record = pupil({ fatherCustody: false });
    expect(outcome(run(record, 'transfer', [act('grant', FATHER, 'transfer', ['contact'])]), 'contact')).toBe(
      'no-consent',
    );
    expect(outcome(run(record, 'transfer', [act('grant', MOTHER, 'transfer', ['contact'])]), 'contact')).toBe(
      'consent',
    );
  });

  it('asks every custodian when the policy says all must agree', () => {
    const policy = { ...DEFAULT_POLICY, guardianConsent: 'all' as const };
    const one = [act('grant', MOTHER, 'transfer', ['contact'])];
    expect(outcome(run(pupil(), 'transfer', one, { policy }), 'contact')).toBe('no-consent');
    const both = [...one, act('grant', FATHER, 'transfer', ['contact'])];
    expect(
      run(pupil(), 'transfer', both, { policy }).allowed.find((a) => a.category === 'contact')
        ?.consentReceipts,
    ).toHaveLength(2);
  });

  it('ends consent on withdrawal, and starts it again on a new grant; an expired grant is no grant', () => {
    const given = act('grant', MOTHER, 'transfer', ['contact', 'evidence']);
    const withdrawn = act('withdraw', MOTHER, 'transfer', ['contact']);
    expect(outcome(run(pupil(), 'transfer', [given, withdrawn]), 'contact')).toBe('no-consent');
    expect(outcome(run(pupil(), 'transfer', [given, withdrawn]), 'evidence')).toBe('consent');
    expect(
      outcome(
        run(pupil(), 'transfer', [given, withdrawn, act('grant', MOTHER, 'transfer', ['contact'])]),
        'contact',
      ),
    ).toBe('consent');
    const expired = act('grant', MOTHER, 'transfer', ['contact'], {
      expiresAt: new Date('2026-05-31T00:00:00Z'),
    });
    expect(outcome(run(pupil(), 'transfer', [expired]), 'contact')).toBe('no-consent');
  });

  it('holds a consent for a named recipient to that recipient; one without a recipient to all', () => {
    const named = [
      act('grant', MOTHER, 'thirdParty', ['identity', 'grades'], { recipient: 'idrottsforeningen' }),
    ];
    expect(outcome(run(pupil(), 'thirdParty', named, { recipient: 'idrottsforeningen' }), 'grades')).toBe(
      'consent',
    );
    expect(outcome(run(pupil(), 'thirdParty', named, { recipient: 'annan' }), 'grades')).toBe('no-consent');
    const open = [act('grant', MOTHER, 'thirdParty', ['identity'])];
    expect(outcome(run(pupil(), 'thirdParty', open, { recipient: 'annan' }), 'identity')).toBe('consent');
  });

  it.each(['Skyddad folkbokföring', 'Sekretessmarkering'])(
    'never lets contact or location data of a pupil with %s go to a school or a platform, consent or not',
    (marking) => {
      const record = pupil({ marking });
      const consents = [
        act('grant', MOTHER, 'transfer', ['contact']),
        act('grant', MOTHER, 'provisioning', ['contact']),
      ];
      expect(outcome(run(record, 'transfer', consents), 'contact')).toBe('security-marking');
      expect(outcome(run(record, 'provisioning', consents), 'contact')).toBe('security-marking');
      expect(outcome(run(record, 'transfer', consents), 'grades')).toBe('legalObligation');
      expect(outcome(run(record, 'portability', consents), 'contact')).toBe('publicTask');
    },
  );

  it('lets a kommun allow more for a marking, explicitly', () => {
    const policy: ConsentPolicy = {
      ...DEFAULT_POLICY,
      markings: {
        ...DEFAULT_POLICY.markings,
        Sekretessmarkering: {
          ...DEFAULT_POLICY.markings.Sekretessmarkering,
          transfer: ['identity', 'contact'],
        },
      },
    };
    const d = run(
      pupil({ marking: 'Sekretessmarkering' }),
      'transfer',
      [act('grant', MOTHER, 'transfer', ['contact'])],
      { policy },
    );
    expect(outcome(d, 'contact')).toBe('consent');
    expect(outcome(d, 'grades')).toBe('security-marking');
  });

  it('lets nothing go but to the data subject while processing is restricted (GDPR Art. 18)', () => {
    const restricted = (purpose: Purpose) =>
      decide({
        record: pupil(),
        purpose,
        recipient: null,
        policy: DEFAULT_POLICY,
        policyVersion: 0,
        consents: [],
        restricted: true,
        now: NOW,
      });
    expect(outcome(restricted('transfer'), 'grades')).toBe('restricted');
    expect(mayDisclose(restricted('provisioning'))).toBe(false);
    expect(outcome(restricted('portability'), 'grades')).toBe('publicTask');
  });

  it('says there is no guardian to ask when the record names none with custody', () => {
    const orphan = { ...pupil(), guardians: [] };
    expect(outcome(run(orphan, 'transfer'), 'contact')).toBe('no-guardian');
  });

  it('decides only the categories asked for', () => {
    const d = run(pupil(), 'transfer', [], { requested: ['grades', 'groups'] });
    expect([...d.allowed, ...d.denied].map((x) => x.category).sort()).toEqual(['grades', 'groups']);
  });

  it('leaves the denied sections out of the record, and lists each in the loss report', () => {
    const record = pupil();
    const d = run(record, 'transfer');
    const { record: out, loss } = minimise(record, d);
    expect(Object.keys(out).sort()).toEqual([
      'enrolments',
      'grades',
      'pupil',
      'schemaVersion',
      'source',
      'supportMeasures',
    ]);
    expect(loss).toEqual([
      { kind: 'dropped', source: { pointer: '/contact' }, detail: expect.stringContaining('(no-consent)') },
      { kind: 'dropped', source: { pointer: '/guardians' }, detail: expect.stringContaining('(no-consent)') },
    ]);
    expect(mayDisclose(d)).toBe(true);
    expect(mayDisclose(run(record, 'thirdParty'))).toBe(false);
  });

  it('cuts and reports the same from the sections held alone (the bulk export decides without the record)', () => {
    const record = { ...pupil(), groups: [] } as LearnerRecord;
    for (const purpose of ['transfer', 'provisioning', 'portability'] as Purpose[]) {
      const d = run(record, purpose);
      const withheld = new Set(withheldSections(d));
      expect(withoutSections(record, withheld)).toEqual(minimise(record, d).record);
      expect(minimisationLoss(sectionsHeld(record), d)).toEqual(minimise(record, d).loss);
    }
    // An empty section loses nothing, so it is no loss entry; it is still cut.
    expect(sectionsHeld(record).has('groups')).toBe(false);
    expect(withheldSections(run(record, 'transfer'))).toContain('groups');
  });

  it('never lets out a field that is no section of the canonical record', () => {
    const record = { ...pupil(), diagnosis: 'not in the schema' } as unknown as LearnerRecord;
    const d = run(record, 'portability');
    expect(Object.keys(minimise(record, d).record)).not.toContain('diagnosis');
  });
});

describe('basisFor: the basis a screen shows is the one the decision applies', () => {
  it('a learning platform needs a guardian’s consent below the consent age, or with no known age', () => {
    expect(basisFor(DEFAULT_POLICY, 'provisioning', 'grades', 10)).toBe('consent');
    expect(basisFor(DEFAULT_POLICY, 'provisioning', 'grades', undefined)).toBe('consent');
    expect(basisFor(DEFAULT_POLICY, 'provisioning', 'grades', DEFAULT_POLICY.consentAge)).toBe('publicTask');
  });

  it('leaves other purposes and never-going categories as the policy says', () => {
    expect(basisFor(DEFAULT_POLICY, 'transfer', 'grades', 10)).toBe(
      DEFAULT_POLICY.purposes.transfer.categories.grades,
    );
    expect(basisFor(DEFAULT_POLICY, 'provisioning', 'support', 10)).toBe('never');
  });
});
