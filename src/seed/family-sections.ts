// Contact and guardians of a synthetic pupil.
import type { Address, Contact, Guardian, GuardianRelation, Sex } from '../records/learner-record.types';
import type { Prng } from './prng';
import { asciiSlug, civicNo, isoDate, sexDigit, type PupilFacts, type SeedWorld } from './seed-world';
import { STREET_NAMES, SWEDISH_ADULT_NAMES, SWEDISH_FAMILY_NAMES } from './swedish-names';

// PTS sets these number ranges aside for fiction, so made-up records never reach a real phone.
const fictionalMobile = (prng: Prng): string => `+46701740${prng.int(605, 699)}`;
const fictionalLandline = (prng: Prng): string => `+46313900${prng.int(600, 699)}`;

export function address(world: SeedWorld, prng: Prng): Address {
  const number = `${prng.int(1, 60)}${prng.chance(0.1) ? prng.pick(['A', 'B']) : ''}`;
  const flat = prng.chance(0.45) ? ` lgh ${prng.int(10, 14)}0${prng.int(1, 4)}` : '';
  return {
    type: 'Folkbokföring',
    streetAddress: `${prng.pick(STREET_NAMES)} ${number}${flat}`,
    locality: world.kommun.postTown,
    postalCode: `${prng.pick(world.kommun.postalPrefixes)} ${prng.int(10, 99)}`,
    countryCode: 'SE',
  };
}

/** School e-mail from year 3, a mobile for most from year 5. */
export function pupilContact(world: SeedWorld, facts: PupilFacts, home: Address | undefined): Contact {
  const { prng } = facts;
  const contact: Contact = {};
  if (home) contact.addresses = [home];
  if (facts.stage >= 3) {
    const local = `${asciiSlug(facts.givenName)}.${asciiSlug(facts.familyName)}${facts.index % 97}`;
    contact.emails = [{ value: `${local}@elev.${world.slug}.example`, type: 'Skola' }];
  }
  if (facts.stage >= 5 && prng.chance(0.75))
    contact.phoneNumbers = [{ value: fictionalMobile(prng), type: 'Mobil' }];
  return contact;
}

type Role = 'parent' | 'special' | 'familjehem' | 'noncustodial' | 'godman';

const RELATIONS: Record<Role, GuardianRelation> = {
  parent: 'Vårdnadshavare',
  special: 'Särskilt förordnad vårdnadshavare',
  familjehem: 'Familjehem',
  noncustodial: 'Annan ansvarig',
  godman: 'God man',
};

/**
 * One or two adults, mostly custodial parents; sometimes a parent without custody, a family home or a god man
 * (the last mostly for gymnasium pupils who came alone). `home` is undefined for skyddad folkbokföring, and
 * then no adult's address is held either, since it would lead to the pupil.
 */
export function guardians(world: SeedWorld, facts: PupilFacts, home: Address | undefined): Guardian[] {
  const { prng } = facts;
  const count = prng.chance(0.78) ? 2 : 1;
  const pupilBirthYear = Number(facts.birthDate.slice(0, 4));
  const names = facts.origin ?? { ...SWEDISH_ADULT_NAMES, family: SWEDISH_FAMILY_NAMES };
  const firstSex: Sex = prng.chance(0.55) ? 'Kvinna' : 'Man';
  const result: Guardian[] = [];
  for (let n = 0; n < count; n++) {
    const sex: Sex = n === 0 || prng.chance(0.05) ? firstSex : firstSex === 'Kvinna' ? 'Man' : 'Kvinna';
    const familyName = n === 0 || prng.chance(0.6) ? facts.familyName : prng.pick(names.family);
    const role: Role =
      n === 0
        ? prng.weighted<Role>([
            ['parent', 98],
            ['special', 1],
            ['familjehem', 1],
          ])
        : prng.weighted<Role>([
            ['parent', 90],
            ['noncustodial', 8],
            ['godman', facts.stage >= 10 ? 2 : 0.2],
          ]);
    const livesWithPupil = role === 'noncustodial' ? false : n === 0 || prng.chance(0.75);
    const givenName = prng.pick(sex === 'Kvinna' ? names.female : names.male);
    const contact: Contact = {};
    if (home) contact.addresses = [livesWithPupil ? home : address(world, prng)];
    contact.emails = [
      { value: `${asciiSlug(givenName)}.${asciiSlug(familyName)}@example.com`, type: 'Privat' },
    ];
    contact.phoneNumbers = [{ value: fictionalMobile(prng), type: 'Mobil' }];
    if (prng.chance(0.3)) contact.phoneNumbers.push({ value: fictionalLandline(prng), type: 'Arbete' });

    const birthDate = isoDate(new Date(Date.UTC(pupilBirthYear - prng.int(22, 44), 0, 1 + prng.int(0, 364))));
    const civicNoPlan = prng.weighted([
      ['personnummer', 96],
      ['samordningsnummer', facts.origin ? 2 : 0.2],
      ['none', 2],
    ] as const);
    const serial = prng.int(0, 99) * 10 + sexDigit(prng, sex);
    result.push({
      id: `${facts.sourceId}-vh${n + 1}`,
      ...(civicNoPlan === 'none'
        ? {}
        : { civicNo: { value: civicNo(birthDate, serial, civicNoPlan === 'samordningsnummer') } }),
      givenName,
      familyName,
      relation: RELATIONS[role],
      custody: role === 'parent' || role === 'special',
      livesWithPupil,
      contact,
    });
  }
  return result;
}
