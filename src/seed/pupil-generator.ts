// Deterministic synthetic learner records, for demos, tests and benchmarks. Pupil i of a kommun and seed is
// the same whatever else is generated (its random stream is derived from seed, kommun and i), and nothing
// reads the clock: ages and school years count from SEED_REFERENCE_DATE.
import { createHash } from 'node:crypto';
import { luhnCheckDigit } from '../records/civic-number';
import type {
  Address,
  Assessment,
  Attendance,
  Contact,
  Enrolment,
  Evidence,
  Grade,
  Group,
  Guardian,
  LearnerRecord,
  Provenance,
  Sex,
  SupportMeasure,
} from '../records/learner-record.types';
import { createPrng, deriveSeed, type Prng } from './prng';
import {
  findKommun,
  GENERIC_PLACE_PREFIXES,
  GENERIC_PLACE_SUFFIXES,
  GR_SUBJECTS,
  GY_COURSES,
  GY_PROGRAMME_WEIGHTS,
  GY_PROGRAMMES,
  MODERN_LANGUAGES,
  subjectName,
  type KommunInfo,
  type Place,
  type Programme,
} from './school-catalogue';
import {
  adaptationsText,
  EVIDENCE_ITEMS,
  FILE_EXTENSIONS,
  iupText,
  specialSupportText,
  writtenAssessmentText,
  type TextSubject,
} from './seed-texts';
import {
  OTHER_ORIGIN_NAMES,
  STREET_NAMES,
  SWEDISH_ADULT_NAMES,
  SWEDISH_CHILD_NAMES,
  SWEDISH_FAMILY_NAMES,
  type NameOrigin,
} from './swedish-names';

/** "Today" for every generated record: just before the school year 2026/27 starts. */
export const SEED_REFERENCE_DATE = '2026-08-15';
/** The platform id in `source` and provenance of generated records. */
export const SEED_PLATFORM = 'seed';
/** How many school units generatePupils makes up when it is given none. */
export const DEFAULT_SCHOOL_UNIT_COUNT = 12;

/** Autumn of the school year the reference date belongs to (2026/27 starts a few days later). */
const CURRENT_AUTUMN = 2026;
const SEED_ADAPTER_VERSION = '1.0.0';

export interface SeedSchoolUnit {
  /** Skolenhetskod, 8 digits (made up). */
  code: string;
  name: string;
  /** SS 12000 school types the unit runs. */
  schoolTypes: string[];
  /** Years taught, 0 = förskoleklass; inferred from schoolTypes when absent. */
  schoolYears?: { from: number; to: number };
}

export interface GenerateSchoolUnitsOptions {
  kommunCode: string;
  seed: number;
  count: number;
}

export interface GeneratePupilsOptions {
  kommunCode: string;
  count: number;
  seed: number;
  /** Units to place pupils in; by default generateSchoolUnits' first DEFAULT_SCHOOL_UNIT_COUNT. */
  schoolUnits?: readonly SeedSchoolUnit[];
  /** Index of the first pupil; pupil i is the same whatever count and startIndex. */
  startIndex?: number;
}

// ---------------------------------------------------------------------------------------------------------
// School units

const UNIT_KINDS = {
  'F-6': { schoolTypes: ['FKLASS', 'GR', 'FTH'], from: 0, to: 6 },
  'F-9': { schoolTypes: ['FKLASS', 'GR', 'FTH'], from: 0, to: 9 },
  '7-9': { schoolTypes: ['GR'], from: 7, to: 9 },
  GY: { schoolTypes: ['GY'], from: 1, to: 3 },
} as const;
type UnitKind = keyof typeof UNIT_KINDS;

// The first four cover every stage, so even a small kommun has somewhere for every pupil.
const UNIT_KIND_CYCLE: readonly UnitKind[] = [
  'F-9',
  'F-6',
  'GY',
  '7-9',
  'F-6',
  'F-9',
  'F-6',
  'GY',
  'F-6',
  '7-9',
];

/** Made-up school units of a kommun, named after its districts. Unit j is the same whatever count. */
export function generateSchoolUnits(opts: GenerateSchoolUnitsOptions): SeedSchoolUnit[] {
  assertKommunCode(opts.kommunCode);
  const kommun = findKommun(opts.kommunCode);
  const placePrng = createPrng(deriveSeed(opts.seed, kommun.code, 'places'));
  const generic = GENERIC_PLACE_PREFIXES.flatMap((prefix) =>
    GENERIC_PLACE_SUFFIXES.map((suffix) => ({ name: prefix + suffix.name, stem: prefix + suffix.stem })),
  );
  const places = [...placePrng.shuffle(kommun.places), ...placePrng.shuffle(generic)];

  const units: SeedSchoolUnit[] = [];
  const codes = new Set<string>();
  for (let j = 0; j < opts.count; j++) {
    const prng = createPrng(deriveSeed(opts.seed, kommun.code, 'unit', j));
    const kind = UNIT_KIND_CYCLE[j % UNIT_KIND_CYCLE.length];
    let code: string;
    do code = String(prng.int(10000000, 99999999));
    while (codes.has(code));
    codes.add(code);
    const place = places[j % places.length];
    const round = Math.floor(j / places.length);
    const name = schoolName(prng, kind, place) + (round > 0 ? ` ${round + 1}` : '');
    const { schoolTypes, from, to } = UNIT_KINDS[kind];
    units.push({ code, name, schoolTypes: [...schoolTypes], schoolYears: { from, to } });
  }
  return units;
}

function schoolName(prng: Prng, kind: UnitKind, place: Place): string {
  if (kind === 'GY') return `${place.stem}gymnasiet`;
  // "Skultuna skola" for a one-word place, otherwise the compound "Kopparlundsskolan".
  if (!place.name.includes(' ') && prng.chance(0.3)) return `${place.name} skola`;
  return `${place.stem}skolan`;
}

// ---------------------------------------------------------------------------------------------------------
// Pupils

/**
 * Synthetic learner records, one at a time, so any number can be streamed. Pupils spread evenly over
 * förskoleklass to gymnasium year 3 (stages 0–12) as far as the school units allow.
 */
export function* generatePupils(opts: GeneratePupilsOptions): Generator<LearnerRecord> {
  assertKommunCode(opts.kommunCode);
  const kommun = findKommun(opts.kommunCode);
  const units = opts.schoolUnits ?? generateSchoolUnits({ ...opts, count: DEFAULT_SCHOOL_UNIT_COUNT });
  const world = new SeedWorld(kommun, units, opts.seed);
  const start = opts.startIndex ?? 0;
  for (let index = start; index < start + opts.count; index++) yield world.pupil(index);
}

function assertKommunCode(code: string): void {
  if (!/^[0-9]{4}$/.test(code))
    throw new RangeError(`kommunCode must be 4 digits, got ${JSON.stringify(code)}`);
}

interface UnitInfo {
  unit: SeedSchoolUnit;
  /** Stages taught: 0–9 grundskola years, 10–12 gymnasium years 1–3. */
  from: number;
  to: number;
}

/** A run of consecutive stages at one unit. */
interface Placement {
  unit: UnitInfo;
  from: number;
  to: number;
}

interface Teacher {
  id: string;
  name: string;
}

/** Everything one pupil's generation needs to know about itself. */
interface PupilFacts {
  prng: Prng;
  index: number;
  sourceId: string;
  stage: number;
  sex: Sex;
  origin: NameOrigin | undefined;
  givenName: string;
  familyName: string;
  birthDate: string;
  ability: number;
  classLetter: string;
  placements: Placement[];
  programme: Programme | undefined;
  subjects: string[];
  modernLanguage: string | undefined;
  text: TextSubject;
}

/** The kommun-wide state shared by its pupils: units by stage and each unit's teachers. */
class SeedWorld {
  private readonly units: UnitInfo[];
  private readonly stages: number[];
  private readonly teachers = new Map<string, Teacher[]>();
  private readonly slug: string;

  constructor(
    private readonly kommun: KommunInfo,
    units: readonly SeedSchoolUnit[],
    private readonly seed: number,
  ) {
    this.units = units.map(unitInfo);
    // Stages 0..n with no gap: a pupil must have had a school for every year up to their own.
    this.stages = [];
    while (
      this.stages.length < 13 &&
      this.units.some((u) => u.from <= this.stages.length && this.stages.length <= u.to)
    ) {
      this.stages.push(this.stages.length);
    }
    if (this.stages.length === 0)
      throw new RangeError('schoolUnits must include one that takes förskoleklass');
    this.slug = asciiSlug(kommun.name);
  }

  pupil(index: number): LearnerRecord {
    const facts = this.facts(index);
    const { prng } = facts;
    const civicNoPlan = prng.weighted([
      ['personnummer', 95],
      ['samordningsnummer', 2],
      ['none', 3],
    ] as const);
    const securityMarking = prng.weighted([
      ['Ingen', 98.5],
      ['Sekretessmarkering', 1],
      ['Skyddad folkbokföring', 0.5],
    ] as const);
    // Skyddad folkbokföring: the address is Skatteverket's to keep, so no address is held at all.
    const protectedAddress = securityMarking === 'Skyddad folkbokföring';
    const provenance = this.provenance(facts.sourceId);
    const address = protectedAddress ? undefined : this.address(prng);

    const record: LearnerRecord = {
      schemaVersion: '1.0',
      source: { platform: SEED_PLATFORM, id: facts.sourceId },
      pupil: {
        ...(civicNoPlan === 'none'
          ? {}
          : {
              civicNo: {
                value: this.pupilCivicNo(facts, civicNoPlan === 'samordningsnummer'),
                nationality: 'SE',
              },
            }),
        givenName: facts.givenName,
        ...(prng.chance(0.04) ? { middleName: prng.pick(SWEDISH_FAMILY_NAMES) } : {}),
        familyName: facts.familyName,
        birthDate: facts.birthDate,
        sex: facts.sex,
        securityMarking,
        ...(facts.stage >= 3
          ? {
              externalIdentifiers: [
                { value: uuid(prng), context: `https://idp.${this.slug}.example`, globallyUnique: true },
              ],
            }
          : {}),
        provenance,
      },
      contact: { ...this.pupilContact(facts, address), provenance },
      guardians: this.guardians(facts, address, protectedAddress),
      enrolments: this.enrolments(facts),
      groups: this.groups(facts),
      grades: this.grades(facts),
      assessments: this.assessments(facts),
      attendance: this.attendance(facts),
      supportMeasures: this.supportMeasures(facts),
      achievements: [],
      evidence: this.evidence(facts),
    };
    this.addAchievement(facts, record);
    return dropEmptySections(record);
  }

  // --- who the pupil is -----------------------------------------------------------------------------------

  private facts(index: number): PupilFacts {
    const prng = createPrng(deriveSeed(this.seed, this.kommun.code, 'pupil', index));
    const stage = this.stages[index % this.stages.length];
    const sex: Sex = prng.chance(0.5) ? 'Kvinna' : 'Man';
    const origin = prng.chance(0.22) ? prng.pick(OTHER_ORIGIN_NAMES) : undefined;
    const names = origin ?? { ...SWEDISH_CHILD_NAMES, family: SWEDISH_FAMILY_NAMES };
    const givenName = prng.pick(sex === 'Kvinna' ? names.female : names.male);
    const familyName = prng.pick(names.family);
    const placements = this.placements(prng, stage);
    const programme = stage >= 10 ? weightedProgramme(prng) : undefined;
    const sva = origin !== undefined && prng.chance(0.45);
    const modernLanguage = prng.chance(0.85) ? prng.weighted(MODERN_LANGUAGES) : undefined;
    const subjects = GR_SUBJECTS.map((s) => s.code).filter((code) => {
      if (code === 'SV') return !sva;
      if (code === 'SVA') return sva;
      if (code === 'M2') return modernLanguage !== undefined;
      if (code === 'ML') return origin !== undefined && prng.chance(0.6);
      return code !== 'M1';
    });
    return {
      prng,
      index,
      sourceId: `${this.kommun.code}-${index}`,
      stage,
      sex,
      origin,
      givenName,
      familyName,
      birthDate: this.birthDate(index, stage),
      ability: prng.normal(),
      classLetter: prng.weighted([
        ['A', 35],
        ['B', 35],
        ['C', 20],
        ['D', 10],
      ] as const),
      placements,
      programme,
      subjects,
      modernLanguage,
      text: { givenName, pronoun: sex === 'Kvinna' ? 'hon' : 'han' },
    };
  }

  /**
   * Birth date from a slot that is unique per kommun and birth year: the slot picks the day and the first two
   * digits of the birth number, so no two pupils of a kommun share a civic number (up to 36,500 a year).
   */
  private birthDate(index: number, stage: number): string {
    const { day } = this.slot(index, stage);
    return isoDate(new Date(Date.UTC(birthYear(stage), 0, 1 + day)));
  }

  private slot(index: number, stage: number): { day: number; serialPrefix: number } {
    const k = Math.floor(index / this.stages.length);
    const offset = deriveSeed(this.seed, this.kommun.code, 'slots', stage) % 36500;
    // 7919 is prime and shares no factor with 36500, so k ↦ slot is one-to-one for k < 36500.
    const slot = ((((k % 36500) * 7919 + offset) % 36500) + 36500) % 36500;
    return { day: slot % 365, serialPrefix: Math.floor(slot / 365) };
  }

  private pupilCivicNo(facts: PupilFacts, coordination: boolean): string {
    const { serialPrefix } = this.slot(facts.index, facts.stage);
    const sexDigit = facts.prng.int(0, 4) * 2 + (facts.sex === 'Man' ? 1 : 0);
    return civicNo(facts.birthDate, serialPrefix * 10 + sexDigit, coordination);
  }

  /** Where the pupil went: a förskoleklass-to-year-6 or -9 school, maybe a move, then 7–9 and gymnasium. */
  private placements(prng: Prng, stage: number): Placement[] {
    const placements: Placement[] = [];
    const moveAt = prng.chance(0.12) ? prng.int(1, Math.max(1, Math.min(stage, 9))) : -1;
    let current: UnitInfo | undefined;
    for (let s = 0; s <= stage; s++) {
      const covers = (u: UnitInfo) => u.from <= s && s <= u.to;
      if (!current || !covers(current) || s === moveAt) {
        const candidates = this.units.filter((u) => covers(u) && u !== current);
        // At year 7 most pupils go to a 7–9 school rather than the F–9 school next door.
        const preferred = s === 7 ? candidates.filter((u) => u.from === 7) : [];
        const next =
          preferred.length > 0 && prng.chance(0.7)
            ? prng.pick(preferred)
            : candidates.length > 0
              ? prng.pick(candidates)
              : current;
        if (next && next !== current) {
          current = next;
          placements.push({ unit: current, from: s, to: s });
          continue;
        }
      }
      if (placements.length === 0) throw new RangeError(`no school unit takes stage ${s}`);
      placements[placements.length - 1].to = s;
    }
    return placements;
  }

  // --- contact and guardians --------------------------------------------------------------------------------

  private address(prng: Prng): Address {
    const street = `${prng.pick(STREET_NAMES)} ${prng.int(1, 60)}${prng.chance(0.1) ? prng.pick(['A', 'B']) : ''}`;
    const flat = prng.chance(0.45) ? ` lgh ${prng.int(10, 14)}0${prng.int(1, 4)}` : '';
    const postalCode = `${prng.pick(this.kommun.postalPrefixes)} ${String(prng.int(10, 99))}`;
    return {
      type: 'Folkbokföring',
      streetAddress: street + flat,
      locality: this.kommun.postTown,
      postalCode,
      countryCode: 'SE',
    };
  }

  private pupilContact(facts: PupilFacts, address: Address | undefined): Contact {
    const { prng } = facts;
    const contact: Contact = {};
    if (address) contact.addresses = [address];
    if (facts.stage >= 3) {
      const local = `${asciiSlug(facts.givenName)}.${asciiSlug(facts.familyName)}${facts.index % 97}`;
      contact.emails = [{ value: `${local}@elev.${this.slug}.example`, type: 'Skola' }];
    }
    if (facts.stage >= 5 && prng.chance(0.75))
      contact.phoneNumbers = [{ value: fictionalMobile(prng), type: 'Mobil' }];
    return contact;
  }

  private guardians(
    facts: PupilFacts,
    pupilAddress: Address | undefined,
    protectedAddress: boolean,
  ): Guardian[] {
    const { prng } = facts;
    const count = prng.chance(0.78) ? 2 : 1;
    const pupilBirthYear = Number(facts.birthDate.slice(0, 4));
    const guardians: Guardian[] = [];
    const firstSex: Sex = prng.chance(0.55) ? 'Kvinna' : 'Man';
    for (let n = 0; n < count; n++) {
      const sex: Sex = n === 0 || prng.chance(0.05) ? firstSex : firstSex === 'Kvinna' ? 'Man' : 'Kvinna';
      const names = facts.origin ?? { ...SWEDISH_ADULT_NAMES, family: SWEDISH_FAMILY_NAMES };
      const familyName = n === 0 || prng.chance(0.6) ? facts.familyName : prng.pick(names.family);
      // Mostly custodial parents; sometimes a parent without custody, a family home or a god man.
      const role =
        n === 0
          ? prng.weighted([
              ['parent', 98],
              ['special', 1],
              ['familjehem', 1],
            ] as const)
          : prng.weighted([
              ['parent', 90],
              ['noncustodial', 8],
              ['godman', facts.stage >= 10 ? 2 : 0.2],
            ] as const);
      const relation =
        role === 'special'
          ? 'Särskilt förordnad vårdnadshavare'
          : role === 'familjehem'
            ? 'Familjehem'
            : role === 'godman'
              ? 'God man'
              : role === 'noncustodial'
                ? 'Annan ansvarig'
                : 'Vårdnadshavare';
      const custody = role === 'parent' || role === 'special';
      const livesWithPupil = role === 'noncustodial' ? false : n === 0 || prng.chance(0.75);
      const contact: Contact = {};
      if (!protectedAddress) {
        const address = livesWithPupil && pupilAddress ? pupilAddress : this.address(prng);
        contact.addresses = [address];
      }
      const given = prng.pick(sex === 'Kvinna' ? names.female : names.male);
      contact.emails = [
        { value: `${asciiSlug(given)}.${asciiSlug(familyName)}@example.com`, type: 'Privat' },
      ];
      contact.phoneNumbers = [{ value: fictionalMobile(prng), type: 'Mobil' }];
      if (prng.chance(0.3)) contact.phoneNumbers.push({ value: fictionalLandline(prng), type: 'Arbete' });
      const civicNoPlan = prng.weighted([
        ['personnummer', 96],
        ['samordningsnummer', facts.origin ? 2 : 0.2],
        ['none', 2],
      ] as const);
      const birthDate = isoDate(
        new Date(Date.UTC(pupilBirthYear - prng.int(22, 44), 0, 1 + prng.int(0, 364))),
      );
      guardians.push({
        id: `${facts.sourceId}-vh${n + 1}`,
        ...(civicNoPlan === 'none'
          ? {}
          : {
              civicNo: {
                value: civicNo(
                  birthDate,
                  prng.int(0, 99) * 10 + prng.int(0, 4) * 2 + (sex === 'Man' ? 1 : 0),
                  civicNoPlan === 'samordningsnummer',
                ),
              },
            }),
        givenName: given,
        familyName,
        relation,
        custody,
        livesWithPupil,
        contact,
      });
    }
    return guardians;
  }

  // --- school -----------------------------------------------------------------------------------------------

  private enrolments(facts: PupilFacts): Enrolment[] {
    const enrolments: Enrolment[] = [];
    const organiserCode = this.kommun.code;
    const fritids = facts.prng.chance(0.7);
    for (const placement of facts.placements) {
      const code = placement.unit.unit.code;
      const isLast = placement === facts.placements[facts.placements.length - 1];
      const endOf = (stage: number) =>
        isLast && stage === facts.stage ? {} : { endDate: vtEnd(autumnOf(facts, stage) + 1) };
      if (placement.from >= 10) {
        const programme = facts.programme ?? GY_PROGRAMMES[0];
        const orientation =
          programme.orientations.length > 0 ? facts.prng.pick(programme.orientations) : undefined;
        enrolments.push({
          organiserCode,
          schoolUnitCode: code,
          schoolType: 'GY',
          schoolYear: placement.to - 9,
          programmeCode: programme.code,
          ...(orientation ? { educationCode: orientation } : {}),
          startDate: htStart(autumnOf(facts, placement.from)),
          ...endOf(placement.to),
        });
        continue;
      }
      if (placement.from === 0) {
        enrolments.push({
          organiserCode,
          schoolUnitCode: code,
          schoolType: 'FKLASS',
          schoolYear: 0,
          startDate: htStart(autumnOf(facts, 0)),
          ...endOf(0),
        });
        if (fritids) {
          const last = Math.min(placement.to, 3);
          enrolments.push({
            organiserCode,
            schoolUnitCode: code,
            schoolType: 'FTH',
            schoolYear: null,
            startDate: htStart(autumnOf(facts, 0)),
            ...endOf(last),
          });
        }
      }
      const from = Math.max(placement.from, 1);
      if (from <= placement.to) {
        enrolments.push({
          organiserCode,
          schoolUnitCode: code,
          schoolType: 'GR',
          schoolYear: placement.to,
          startDate: htStart(autumnOf(facts, from)),
          ...endOf(placement.to),
        });
      }
    }
    return enrolments;
  }

  private groups(facts: PupilFacts): Group[] {
    const groups: Group[] = [];
    const current = facts.placements[facts.placements.length - 1];
    const code = current.unit.unit.code;
    const autumn = CURRENT_AUTUMN;
    const thisYear = { startDate: htStart(autumn), endDate: vtEnd(autumn + 1) };
    // The class of each school year (history too), shared by the pupils of the same unit, year and letter.
    for (const placement of facts.placements) {
      if (placement.from >= 10) {
        const start = autumnOf(facts, placement.from);
        const name = `${facts.programme?.code ?? 'GY'}${String(start).slice(2)}${facts.classLetter}`;
        groups.push({
          id: `${placement.unit.unit.code}-${name}`,
          name,
          groupType: 'Klass',
          schoolUnitCode: placement.unit.unit.code,
          startDate: htStart(start),
        });
        continue;
      }
      for (let s = Math.max(placement.from, facts.stage - 1); s <= placement.to; s++) {
        const start = autumnOf(facts, s);
        const name = `${s === 0 ? 'F' : s}${facts.classLetter}`;
        groups.push({
          id: `${placement.unit.unit.code}-${start}-${name}`,
          name,
          groupType: 'Klass',
          schoolUnitCode: placement.unit.unit.code,
          startDate: htStart(start),
          endDate: vtEnd(start + 1),
        });
      }
    }
    const teaching = (key: string, name: string, groupType: Group['groupType'] = 'Undervisning'): Group => ({
      id: `${code}-${autumn}-${key}`,
      name,
      groupType,
      schoolUnitCode: code,
      ...thisYear,
    });
    if (facts.stage >= 7)
      groups.push(
        teaching(
          `mentor-${facts.stage}${facts.classLetter}`,
          `Mentor ${facts.stage <= 9 ? facts.stage : `${facts.programme?.code ?? 'GY'}${String(autumnOf(facts, 10)).slice(2)}`}${facts.classLetter}`,
          'Mentor',
        ),
      );
    if (facts.stage >= 6 && facts.stage <= 9) {
      if (facts.modernLanguage)
        groups.push(
          teaching(
            `m2-${facts.modernLanguage}-${facts.stage}`,
            `${capitalise(facts.modernLanguage)} ${facts.stage}`,
          ),
        );
      if (facts.subjects.includes('SVA'))
        groups.push(teaching(`sva-${facts.stage}`, `Svenska som andraspråk ${facts.stage}`));
      groups.push(teaching(`ma-${facts.stage}${facts.classLetter}`, `MA ${facts.stage}${facts.classLetter}`));
    }
    if (facts.origin && facts.subjects.includes('ML')) {
      groups.push(teaching(`ml-${facts.origin.language}`, `Modersmål ${facts.origin.language}`));
    }
    if (facts.stage >= 10 && facts.programme) {
      const courses = facts.programme.courses[facts.stage - 10] ?? [];
      for (const course of courses)
        groups.push(
          teaching(
            `${course}-${facts.programme.code}`,
            `${course} ${facts.programme.code}${facts.classLetter}`,
          ),
        );
    }
    return groups;
  }

  private grades(facts: PupilFacts): Grade[] {
    const { prng } = facts;
    const grades: Grade[] = [];
    const affinity = new Map(facts.subjects.map((code) => [code, prng.normal() * 0.5]));
    const gradeFor = (code: string): string =>
      letterGrade(facts.ability + (affinity.get(code) ?? 0) + prng.normal() * 0.45);
    // Terminsbetyg every term from year 6; the spring of year 9 gives the slutbetyg. A gymnasium pupil's
    // record keeps only the slutbetyg from grundskola, which is what the gymnasium receives.
    for (let s = facts.stage >= 10 ? 9 : 6; s <= Math.min(facts.stage - 1, 9); s++) {
      const unit = this.unitAt(facts, s);
      const autumn = autumnOf(facts, s);
      const terms = [
        ['HT', autumn, `${autumn}-12-18`],
        ['VT', autumn + 1, `${autumn + 1}-06-10`],
      ] as const;
      for (const [semester, year, registeredDate] of facts.stage >= 10 ? terms.slice(1) : terms) {
        const curriculum = registeredDate >= '2022-07-01' ? 'LGR22' : 'LGR11';
        for (const subjectCode of facts.subjects) {
          const teacher = this.teacher(unit.code, `${subjectCode}-${autumn}-${s}${facts.classLetter}`);
          grades.push({
            subjectCode,
            gradeScale: 'A-F',
            value: gradeFor(subjectCode),
            final: s === 9 && semester === 'VT',
            registeredDate,
            semester,
            year,
            curriculum,
            schoolUnitCode: unit.code,
            gradingTeacher: teacher,
          });
        }
      }
    }
    // Gymnasium course grades (Gy11) for those who began before Gy25 replaced courses with subject levels.
    if (facts.stage >= 10 && facts.programme && autumnOf(facts, 10) < 2025) {
      const unit = this.unitAt(facts, 10);
      for (let s = 10; s < facts.stage; s++) {
        const autumn = autumnOf(facts, s);
        for (const courseCode of facts.programme.courses[s - 10] ?? []) {
          const short = GY_COURSES[courseCode].points < 100;
          const registeredDate = short ? `${autumn}-12-18` : `${autumn + 1}-06-10`;
          grades.push({
            subjectCode: courseCode.slice(0, 3),
            courseCode,
            gradeScale: 'A-F',
            value: gradeFor(courseCode),
            final: true,
            registeredDate,
            semester: short ? 'HT' : 'VT',
            year: short ? autumn : autumn + 1,
            curriculum: 'GY11',
            schoolUnitCode: unit.code,
            gradingTeacher: this.teacher(unit.code, `${courseCode}-${autumn}`),
          });
        }
      }
    }
    return grades;
  }

  private assessments(facts: PupilFacts): Assessment[] {
    const { prng } = facts;
    const assessments: Assessment[] = [];
    // IUP with written assessments in the years without grades (skollagen 10 kap. 13 §), years 1–5.
    // Platforms keep the last two years; once grades start (year 6) the old omdömen are no longer exported.
    const last = facts.stage - 1;
    for (let s = Math.max(1, last - 1); s <= Math.min(last, 5); s++) {
      const autumn = autumnOf(facts, s);
      const unit = this.unitAt(facts, s);
      const mentor = this.teacher(unit.code, `mentor-${autumn}-${s}${facts.classLetter}`);
      assessments.push({
        kind: 'IUP',
        date: `${autumn + 1}-05-${String(prng.int(11, 29))}`,
        text: iupText(prng, facts.text, `${autumn}/${String(autumn + 1).slice(2)}`),
        author: mentor,
      });
      if (s === last) {
        for (const subjectCode of ['SV', 'MA', 'EN']) {
          const level = Math.max(0, Math.min(3, Math.round(1.2 - facts.ability + prng.normal() * 0.5)));
          const subject = subjectCode === 'NO' ? 'Naturorienterande ämnen' : subjectName(subjectCode);
          assessments.push({
            kind: 'Skriftligt omdöme',
            ...(subjectCode === 'NO' ? {} : { subjectCode }),
            date: `${autumn + 1}-06-0${prng.int(1, 5)}`,
            text: writtenAssessmentText(prng, facts.text, subjectCode, subject, s, level),
            author: mentor,
          });
        }
      }
    }
    return assessments;
  }

  private attendance(facts: PupilFacts): Attendance[] {
    const { prng } = facts;
    const terms: Attendance[] = [];
    // A few pupils have problematic absence; most have little.
    const validRate = Math.max(0.005, 0.045 + prng.normal() * 0.02);
    const invalidRate = prng.chance(0.06) ? 0.04 + prng.next() * 0.1 : prng.next() * 0.008;
    for (let s = Math.max(0, facts.stage - 2); s < facts.stage; s++) {
      const autumn = autumnOf(facts, s);
      const unit = this.unitAt(facts, s);
      const weeklyHours = s === 0 ? 15 : s <= 3 ? 20 : s <= 6 ? 24 : 27;
      for (const term of [`HT${autumn}`, `VT${autumn + 1}`]) {
        const scheduledMinutes = weeklyHours * 60 * 19;
        const validAbsenceMinutes = roundTo5(scheduledMinutes * validRate * (0.6 + prng.next() * 0.8));
        const invalidAbsenceMinutes = roundTo5(scheduledMinutes * invalidRate * (0.5 + prng.next()));
        terms.push({
          term,
          schoolUnitCode: unit.code,
          validAbsenceMinutes,
          invalidAbsenceMinutes,
          scheduledMinutes,
          validAbsencePercent: round1((validAbsenceMinutes / scheduledMinutes) * 100),
          invalidAbsencePercent: round1((invalidAbsenceMinutes / scheduledMinutes) * 100),
        });
      }
    }
    return terms;
  }

  private supportMeasures(facts: PupilFacts): SupportMeasure[] {
    const { prng } = facts;
    if (facts.stage < 2 || !prng.chance(0.1)) return [];
    const unit = this.unitAt(facts, facts.stage);
    const rektor = this.teacher(unit.code, 'rektor');
    const startStage = prng.int(Math.max(1, facts.stage - 3), facts.stage - 1);
    const decidedDate = `${autumnOf(facts, startStage)}-${prng.pick(['09', '10', '11'])}-${String(prng.int(10, 28))}`;
    const candidates = facts.subjects.filter((code) => ['SV', 'SVA', 'MA', 'EN'].includes(code));
    const subjectCodes = prng.sample(candidates, prng.int(1, 2));
    const measures: SupportMeasure[] = [
      {
        kind: 'Extra anpassningar',
        decidedDate,
        subjectCodes,
        description: adaptationsText(prng, facts.text, subjectCodes.map(subjectName)),
        decidedBy: this.teacher(unit.code, `mentor-${CURRENT_AUTUMN}-${facts.classLetter}`),
      },
    ];
    if (prng.chance(0.35)) {
      measures.push({
        kind: 'Åtgärdsprogram',
        decidedDate: `${autumnOf(facts, startStage) + 1}-02-${String(prng.int(10, 28))}`,
        endDate: vtEnd(CURRENT_AUTUMN + 1),
        subjectCodes: [],
        description: specialSupportText(prng, facts.text),
        decidedBy: rektor,
      });
    }
    return measures;
  }

  private evidence(facts: PupilFacts): Evidence[] {
    const { prng } = facts;
    if (facts.stage < 1) return [];
    const items: Evidence[] = [];
    const count = prng.int(1, 3);
    const subjects = Object.keys(EVIDENCE_ITEMS);
    for (let n = 1; n <= count; n++) {
      const [title, mediaType] = prng.pick(EVIDENCE_ITEMS[prng.pick(subjects)]);
      const extension = FILE_EXTENSIONS[mediaType];
      const s = prng.int(Math.max(0, facts.stage - 3), facts.stage - 1);
      const recordedAt = `${autumnOf(facts, s) + 1}-0${prng.int(2, 5)}-${prng.int(10, 28)}T${pad2(prng.int(8, 15))}:${pad2(prng.int(0, 59))}:00Z`;
      const id = `${facts.sourceId}-ev${n}`;
      const uri = `https://arkiv.${this.slug}.example/elevarbeten/${id}.${extension}`;
      items.push({
        id,
        uri,
        // Stands in for the digest of the file's bytes, which do not exist.
        sha256: createHash('sha256').update(uri).digest('hex'),
        mediaType,
        title,
        ...(prng.chance(0.5)
          ? {
              xapiStatement: {
                actor: {
                  objectType: 'Agent',
                  account: { homePage: `https://lms.${this.slug}.example`, name: facts.sourceId },
                },
                verb: { id: 'http://adlnet.gov/expapi/verbs/completed', display: { 'sv-SE': 'slutförde' } },
                object: { objectType: 'Activity', id: uri, definition: { name: { 'sv-SE': title } } },
                timestamp: recordedAt,
              },
            }
          : {}),
        recordedAt,
      });
    }
    return items;
  }

  private addAchievement(facts: PupilFacts, record: LearnerRecord): void {
    const { prng } = facts;
    if (facts.stage < 4 || !prng.chance(0.08)) return;
    const issuedOn = `${autumnOf(facts, facts.stage - 1) + 1}-05-${String(prng.int(10, 28))}T10:00:00Z`;
    const badgeHost = `https://badges.${this.slug}.example`;
    record.achievements = [
      {
        format: 'ob2',
        credential: {
          '@context': 'https://w3id.org/openbadges/v2',
          type: 'Assertion',
          id: `${badgeHost}/assertions/${facts.sourceId}`,
          recipient: {
            type: 'email',
            hashed: true,
            identity: `sha256$${createHash('sha256').update(facts.sourceId).digest('hex')}`,
          },
          badge: `${badgeHost}/badges/programmering-grund`,
          issuedOn,
          verification: { type: 'hosted' },
        },
        issuer: badgeHost,
        name: 'Programmering grund',
        verification: { status: 'unverified' },
      },
    ];
  }

  // --- helpers that need the world --------------------------------------------------------------------------

  private unitAt(facts: PupilFacts, stage: number): SeedSchoolUnit {
    const placement = facts.placements.find((p) => p.from <= stage && stage <= p.to) ?? facts.placements[0];
    return placement.unit.unit;
  }

  /** A teacher of a unit, the same for every pupil asking with the same key (subject, year and class). */
  private teacher(unitCode: string, key: string): Teacher {
    let pool = this.teachers.get(unitCode);
    if (!pool) {
      const prng = createPrng(deriveSeed(this.seed, this.kommun.code, 'teachers', unitCode));
      pool = Array.from({ length: 40 }, (_, n) => {
        const origin = prng.chance(0.15) ? prng.pick(OTHER_ORIGIN_NAMES) : undefined;
        const names = origin ?? { ...SWEDISH_ADULT_NAMES, family: SWEDISH_FAMILY_NAMES };
        const given = prng.pick(prng.chance(0.65) ? names.female : names.male);
        return {
          id: `t-${unitCode}-${String(n + 1).padStart(2, '0')}`,
          name: `${given} ${prng.pick(names.family)}`,
        };
      });
      this.teachers.set(unitCode, pool);
    }
    return pool[deriveSeed(key) % pool.length];
  }

  private provenance(sourceId: string): Provenance {
    return {
      sourcePlatform: SEED_PLATFORM,
      sourceId,
      adapter: SEED_PLATFORM,
      adapterVersion: SEED_ADAPTER_VERSION,
      importedAt: `${SEED_REFERENCE_DATE}T00:00:00Z`,
    };
  }
}

// ---------------------------------------------------------------------------------------------------------
// Small pure helpers

function unitInfo(unit: SeedSchoolUnit): UnitInfo {
  const gy = unit.schoolTypes.includes('GY');
  const years = unit.schoolYears ?? (gy ? { from: 1, to: 3 } : { from: 0, to: 9 });
  return gy ? { unit, from: years.from + 9, to: years.to + 9 } : { unit, from: years.from, to: years.to };
}

/** Year of birth of a pupil at a stage in 2026/27: förskoleklass the autumn they turn 6. */
function birthYear(stage: number): number {
  return CURRENT_AUTUMN - 6 - stage;
}

/** Autumn in which the pupil began a stage. */
function autumnOf(facts: PupilFacts, stage: number): number {
  return CURRENT_AUTUMN - facts.stage + stage;
}

const htStart = (autumn: number): string => `${autumn}-08-17`;
const vtEnd = (year: number): string => `${year}-06-12`;

function civicNo(birthDate: string, serial: number, coordination: boolean): string {
  const day = Number(birthDate.slice(8, 10)) + (coordination ? 60 : 0);
  const payload = `${birthDate.slice(2, 4)}${birthDate.slice(5, 7)}${String(day).padStart(2, '0')}${String(serial).padStart(3, '0')}`;
  return `${birthDate.slice(0, 2)}${payload}${luhnCheckDigit(payload)}`;
}

/** A-F from a standardised score: about 10 % A and 7 % F. */
function letterGrade(score: number): string {
  if (score >= 1.35) return 'A';
  if (score >= 0.85) return 'B';
  if (score >= 0.2) return 'C';
  if (score >= -0.35) return 'D';
  if (score >= -1.45) return 'E';
  return 'F';
}

function weightedProgramme(prng: Prng): Programme {
  const code = prng.weighted(Object.entries(GY_PROGRAMME_WEIGHTS));
  return GY_PROGRAMMES.find((p) => p.code === code) ?? GY_PROGRAMMES[0];
}

// PTS sets these number ranges aside for fiction, so made-up records never reach a real phone.
const fictionalMobile = (prng: Prng): string => `+46701740${prng.int(605, 699)}`;
const fictionalLandline = (prng: Prng): string => `+46313900${prng.int(600, 699)}`;

function uuid(prng: Prng): string {
  const hex = Array.from({ length: 32 }, () => prng.int(0, 15).toString(16));
  hex[12] = '4';
  hex[16] = ((prng.int(0, 3) & 0x3) | 0x8).toString(16);
  const s = hex.join('');
  return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
}

function asciiSlug(text: string): string {
  return text
    .toLowerCase()
    .replace(/ı/g, 'i')
    .normalize('NFD')
    .replace(/[^a-z0-9]/g, '');
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function isoDate(date: Date): string {
  return date.toISOString().slice(0, 10);
}

const pad2 = (n: number): string => String(n).padStart(2, '0');
const roundTo5 = (n: number): number => Math.round(n / 5) * 5;
const round1 = (n: number): number => Math.round(n * 10) / 10;

/** Leaves out sections with nothing in them, as a platform's export would. */
function dropEmptySections(record: LearnerRecord): LearnerRecord {
  const out = { ...record } as Record<string, unknown>;
  for (const [key, value] of Object.entries(out)) {
    if (Array.isArray(value) && value.length === 0) delete out[key];
  }
  return out as unknown as LearnerRecord;
}
