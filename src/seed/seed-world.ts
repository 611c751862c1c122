// The kommun-wide state of synthetic data (units, stages, teachers) and the facts about one pupil that every
// section of the record is built from. Nothing reads the clock: all dates count from CURRENT_AUTUMN.
import { luhnCheckDigit } from '../records/civic-number';
import type { Provenance, Sex } from '../records/learner-record.types';
import { createPrng, deriveSeed, type Prng } from './prng';
import {
  GR_SUBJECTS,
  GY_PROGRAMME_WEIGHTS,
  GY_PROGRAMMES,
  MODERN_LANGUAGES,
  type KommunInfo,
  type Programme,
} from './school-catalogue';
import { unitStages, type SeedSchoolUnit, type UnitStages } from './school-units';
import type { TextSubject } from './seed-texts';
import {
  OTHER_ORIGIN_NAMES,
  SWEDISH_ADULT_NAMES,
  SWEDISH_CHILD_NAMES,
  SWEDISH_FAMILY_NAMES,
  type NameOrigin,
} from './swedish-names';

/** "Today" for every generated record: just before the school year 2026/27 starts. */
export const SEED_REFERENCE_DATE = '2026-08-15';
/** The platform id in `source` and provenance of generated records. */
export const SEED_PLATFORM = 'seed';
/** Autumn of the school year the reference date belongs to (2026/27 starts a few days later). */
export const CURRENT_AUTUMN = 2026;
const SEED_ADAPTER_VERSION = '1.0.0';
/** Förskoleklass (0) to gymnasium year 3 (12). */
const STAGE_COUNT = 13;

/** A run of consecutive stages at one unit. */
export interface Placement {
  unit: UnitStages;
  from: number;
  to: number;
}

export interface Teacher {
  id: string;
  name: string;
}

/** Everything about one pupil that more than one section of the record depends on. */
export interface PupilFacts {
  prng: Prng;
  index: number;
  sourceId: string;
  /** 0–9 grundskola year (0 = förskoleklass), 10–12 gymnasium years 1–3, in 2026/27. */
  stage: number;
  sex: Sex;
  /** Set for pupils of families with roots elsewhere (their names and modersmål). */
  origin: NameOrigin | undefined;
  givenName: string;
  familyName: string;
  birthDate: string;
  /** Serial digits 1–2 of the civic number, from the same unique slot as the birth date. */
  serialPrefix: number;
  /** Standardised; drives grades and assessments. */
  ability: number;
  classLetter: string;
  placements: Placement[];
  programme: Programme | undefined;
  /** Grundskola subject codes the pupil studies (SV or SVA, M2 and ML when chosen). */
  subjects: string[];
  modernLanguage: string | undefined;
  text: TextSubject;
}

/** The state shared by one kommun's pupils: its units, which stages they cover, and their teachers. */
export class SeedWorld {
  readonly slug: string;
  private readonly units: UnitStages[];
  private readonly stages: number[] = [];
  private readonly teachers = new Map<string, Teacher[]>();

  constructor(
    readonly kommun: KommunInfo,
    units: readonly SeedSchoolUnit[],
    private readonly seed: number,
  ) {
    this.units = units.map(unitStages);
    // Stages 0..n with no gap: a pupil must have had a school for every year up to their own.
    const covered = (stage: number) => this.units.some((u) => u.from <= stage && stage <= u.to);
    while (this.stages.length < STAGE_COUNT && covered(this.stages.length))
      this.stages.push(this.stages.length);
    if (this.stages.length === 0)
      throw new RangeError('schoolUnits must include one that takes förskoleklass');
    this.slug = asciiSlug(kommun.name);
  }

  /** Pupil i's facts, from a random stream of its own; pupils spread evenly over the stages. */
  facts(index: number): PupilFacts {
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
    const { day, serialPrefix } = this.slot(index, stage);
    // prettier-ignore
    const classLetter = prng.weighted([['A', 35], ['B', 35], ['C', 20], ['D', 10]] as const);
    return {
      prng,
      index,
      sourceId: `${this.kommun.code}-${index}`,
      stage,
      sex,
      origin,
      givenName,
      familyName,
      birthDate: isoDate(new Date(Date.UTC(CURRENT_AUTUMN - 6 - stage, 0, 1 + day))),
      serialPrefix,
      ability: prng.normal(),
      classLetter,
      placements,
      programme,
      subjects,
      modernLanguage,
      text: { givenName, pronoun: sex === 'Kvinna' ? 'hon' : 'han' },
    };
  }

  /** The unit the pupil attended at a stage. */
  unitAt(facts: PupilFacts, stage: number): SeedSchoolUnit {
    const placement = facts.placements.find((p) => p.from <= stage && stage <= p.to) ?? facts.placements[0];
    return placement.unit.unit;
  }

  /** A teacher of a unit, the same for every pupil asking with the same key (subject, year and class). */
  teacher(unitCode: string, key: string): Teacher {
    let pool = this.teachers.get(unitCode);
    if (!pool) {
      const prng = createPrng(deriveSeed(this.seed, this.kommun.code, 'teachers', unitCode));
      pool = Array.from({ length: 40 }, (_, n) => {
        const origin = prng.chance(0.15) ? prng.pick(OTHER_ORIGIN_NAMES) : undefined;
        const names = origin ?? { ...SWEDISH_ADULT_NAMES, family: SWEDISH_FAMILY_NAMES };
        const given = prng.pick(prng.chance(0.65) ? names.female : names.male);
        return { id: `t-${unitCode}-${pad2(n + 1)}`, name: `${given} ${prng.pick(names.family)}` };
      });
      this.teachers.set(unitCode, pool);
    }
    return pool[deriveSeed(key) % pool.length];
  }

  provenance(sourceId: string): Provenance {
    return {
      sourcePlatform: SEED_PLATFORM,
      sourceId,
      adapter: SEED_PLATFORM,
      adapterVersion: SEED_ADAPTER_VERSION,
      importedAt: `${SEED_REFERENCE_DATE}T00:00:00Z`,
    };
  }

  /**
   * A slot unique per kommun and stage (so per birth year) picks the day of birth and the first two serial
   * digits: no two pupils of a kommun share a civic number, up to 36,500 pupils a year.
   */
  private slot(index: number, stage: number): { day: number; serialPrefix: number } {
    const k = Math.floor(index / this.stages.length);
    const offset = deriveSeed(this.seed, this.kommun.code, 'slots', stage) % 36500;
    // 7919 is prime and shares no factor with 36500, so k ↦ slot is one-to-one for k < 36500.
    const slot = ((k % 36500) * 7919 + offset) % 36500;
    return { day: slot % 365, serialPrefix: Math.floor(slot / 365) };
  }

  /** Where the pupil went: a school from förskoleklass, maybe a move, a 7–9 school, then gymnasium. */
  private placements(prng: Prng, stage: number): Placement[] {
    const placements: Placement[] = [];
    const moveAt = prng.chance(0.12) ? prng.int(1, Math.max(1, Math.min(stage, 9))) : -1;
    let current: UnitStages | undefined;
    for (let s = 0; s <= stage; s++) {
      const covers = (u: UnitStages) => u.from <= s && s <= u.to;
      if (!current || !covers(current) || s === moveAt) {
        const candidates = this.units.filter((u) => covers(u) && u !== current);
        // At year 7 most pupils go to a 7–9 school rather than stay at an F–9 school.
        const preferred = s === 7 ? candidates.filter((u) => u.from === 7) : [];
        const pool = preferred.length > 0 && prng.chance(0.7) ? preferred : candidates;
        if (pool.length > 0) {
          current = prng.pick(pool);
          placements.push({ unit: current, from: s, to: s });
          continue;
        }
      }
      placements[placements.length - 1].to = s;
    }
    return placements;
  }
}

// ---------------------------------------------------------------------------------------------------------
// Helpers for the sections

/** Autumn in which the pupil began a stage. */
export function autumnOf(facts: PupilFacts, stage: number): number {
  return CURRENT_AUTUMN - facts.stage + stage;
}

/** First day of the autumn term and last day of the spring term (the same every year, for simplicity). */
export const htStart = (autumn: number): string => `${autumn}-08-17`;
export const vtEnd = (year: number): string => `${year}-06-12`;

/** A twelve-digit civic number for a birth date and a three-digit serial (the last digit gives the sex). */
export function civicNo(birthDate: string, serial: number, coordination: boolean): string {
  const day = Number(birthDate.slice(8, 10)) + (coordination ? 60 : 0);
  const payload = `${birthDate.slice(2, 4)}${birthDate.slice(5, 7)}${pad2(day)}${String(serial).padStart(3, '0')}`;
  return `${birthDate.slice(0, 2)}${payload}${luhnCheckDigit(payload)}`;
}

/** The last serial digit: odd for men, even for women. */
export function sexDigit(prng: Prng, sex: Sex): number {
  return prng.int(0, 4) * 2 + (sex === 'Man' ? 1 : 0);
}

function weightedProgramme(prng: Prng): Programme {
  const code = prng.weighted(Object.entries(GY_PROGRAMME_WEIGHTS));
  return GY_PROGRAMMES.find((p) => p.code === code) ?? GY_PROGRAMMES[0];
}

export function asciiSlug(text: string): string {
  return text
    .toLowerCase()
    .replace(/ı/g, 'i')
    .normalize('NFD')
    .replace(/[^a-z0-9]/g, '');
}

export function isoDate(date: Date): string {
  return date.toISOString().slice(0, 10);
}

export const pad2 = (n: number): string => String(n).padStart(2, '0');
