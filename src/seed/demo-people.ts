import type { LearnerRecord } from '../records/learner-record.types';
import { SEED_REFERENCE_DATE, generatePupils } from './pupil-generator';

/** The demo installation `npm start` fills on first start (DEMO_DATA=on): one kommun of synthetic pupils. */
export const DEMO = { kommun: '1980', pupils: 40, seed: 42 } as const;

/** Someone the development identity provider offers to sign in as. */
export interface DemoPerson {
  /** A stable id for the sign-in form. */
  key: string;
  label: { sv: string; en: string };
  roles: ('admin' | 'dpo' | 'registrar' | 'guardian' | 'pupil')[];
  kommun: string;
  name: string;
  civicNo?: string;
  sub: string;
}

const ageAt = (birthDate: string | undefined, on: string): number =>
  birthDate
    ? Number(on.slice(0, 4)) - Number(birthDate.slice(0, 4)) - (on.slice(5) < birthDate.slice(5) ? 1 : 0)
    : -1;

const plain = (r: LearnerRecord): boolean => (r.pupil.securityMarking ?? 'Ingen') === 'Ingen';

/**
 * The demo people of a kommun: its staff, and, in the demo kommun, a guardian with custody of a young
 * pupil and a pupil old enough to consent alone, both taken from the synthetic pupils (the same seed
 * gives the same people), so that signing in as them shows real children.
 */
export function demoPeople(kommun: { code: string; name: string }): DemoPerson[] {
  const staff = (role: 'admin' | 'dpo' | 'registrar', sv: string, en: string, name: string): DemoPerson => ({
    key: `${kommun.code}-${role}`,
    label: { sv: `${sv}, ${kommun.name}`, en: `${en}, ${kommun.name}` },
    roles: [role],
    kommun: kommun.code,
    name,
    sub: `demo-${kommun.code}-${role}`,
  });
  const people = [
    staff('registrar', 'Skoladministratör', 'Registrar', 'Rut Registrator'),
    staff('dpo', 'Dataskyddsombud', 'Data protection officer', 'Dag Dataskydd'),
    staff('admin', 'Administratör', 'Administrator', 'Ada Admin'),
  ];
  if (kommun.code !== DEMO.kommun) return people;
  const pupils = [...generatePupils({ kommunCode: DEMO.kommun, count: DEMO.pupils, seed: DEMO.seed })];
  for (const r of pupils) {
    const age = ageAt(r.pupil.birthDate, SEED_REFERENCE_DATE);
    const custodian = (r.guardians ?? []).find((g) => g.custody && g.civicNo?.value);
    if (plain(r) && age >= 6 && age < 12 && custodian) {
      people.unshift({
        key: `${kommun.code}-guardian`,
        label: { sv: `Vårdnadshavare, ${kommun.name}`, en: `Guardian, ${kommun.name}` },
        roles: ['guardian'],
        kommun: kommun.code,
        name: `${custodian.givenName} ${custodian.familyName}`,
        civicNo: custodian.civicNo!.value,
        sub: `demo-${kommun.code}-guardian`,
      });
      break;
    }
  }
  const older = pupils.find(
    (r) => plain(r) && ageAt(r.pupil.birthDate, SEED_REFERENCE_DATE) >= 14 && r.pupil.civicNo?.value,
  );
  if (older) {
    people.splice(1, 0, {
      key: `${kommun.code}-pupil`,
      label: { sv: `Elev (14 år eller äldre), ${kommun.name}`, en: `Pupil (14 or older), ${kommun.name}` },
      roles: ['pupil'],
      kommun: kommun.code,
      name: `${older.pupil.givenName} ${older.pupil.familyName}`,
      civicNo: older.pupil.civicNo!.value,
      sub: `demo-${kommun.code}-pupil`,
    });
  }
  return people;
}
