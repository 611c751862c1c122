// Deterministic synthetic learner records, for demos, tests and benchmarks. Pupil i of a kommun and seed is
// the same whatever else is generated (its random stream is derived from seed, kommun and i), and nothing
// reads the clock: ages and school years count from SEED_REFERENCE_DATE. About 10 KB of JSON a pupil.
import type { LearnerRecord } from '../records/learner-record.types';
import { address, guardians, pupilContact } from './family-sections';
import { achievements, assessments, attendance, evidence, supportMeasures } from './learning-sections';
import type { Prng } from './prng';
import { findKommun } from './school-catalogue';
import { enrolments, grades, groups } from './school-sections';
import { assertKommunCode, generateSchoolUnits, type SeedSchoolUnit } from './school-units';
import { civicNo, SEED_PLATFORM, SeedWorld, sexDigit, type PupilFacts } from './seed-world';
import { SWEDISH_FAMILY_NAMES } from './swedish-names';

export { generateSchoolUnits, type GenerateSchoolUnitsOptions, type SeedSchoolUnit } from './school-units';
export { SEED_PLATFORM, SEED_REFERENCE_DATE } from './seed-world';

/** How many school units generatePupils makes up when it is given none. */
export const DEFAULT_SCHOOL_UNIT_COUNT = 12;

export interface GeneratePupilsOptions {
  kommunCode: string;
  count: number;
  seed: number;
  /** Units to place pupils in; by default the first DEFAULT_SCHOOL_UNIT_COUNT of generateSchoolUnits. */
  schoolUnits?: readonly SeedSchoolUnit[];
  /** Index of the first pupil; pupil i is the same whatever count and startIndex. */
  startIndex?: number;
}

/**
 * Synthetic learner records, one at a time, so any number can be streamed without holding them. Pupils spread
 * evenly over förskoleklass to gymnasium year 3, as far as the school units offer those years.
 */
export function* generatePupils(opts: GeneratePupilsOptions): Generator<LearnerRecord> {
  assertKommunCode(opts.kommunCode);
  const units = opts.schoolUnits ?? generateSchoolUnits({ ...opts, count: DEFAULT_SCHOOL_UNIT_COUNT });
  const world = new SeedWorld(findKommun(opts.kommunCode), units, opts.seed);
  const start = opts.startIndex ?? 0;
  for (let index = start; index < start + opts.count; index++) yield pupilRecord(world, world.facts(index));
}

function pupilRecord(world: SeedWorld, facts: PupilFacts): LearnerRecord {
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
  // Skyddad folkbokföring: Skatteverket keeps the address from everyone, so none is held at all.
  const home = securityMarking === 'Skyddad folkbokföring' ? undefined : address(world, prng);
  const provenance = world.provenance(facts.sourceId);

  const record: LearnerRecord = {
    schemaVersion: '1.0',
    source: { platform: SEED_PLATFORM, id: facts.sourceId },
    pupil: {
      ...(civicNoPlan === 'none'
        ? {}
        : {
            civicNo: {
              value: civicNo(
                facts.birthDate,
                facts.serialPrefix * 10 + sexDigit(prng, facts.sex),
                civicNoPlan === 'samordningsnummer',
              ),
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
              { value: uuid(prng), context: `https://idp.${world.slug}.example`, globallyUnique: true },
            ],
          }
        : {}),
      provenance,
    },
    contact: { ...pupilContact(world, facts, home), provenance },
    guardians: guardians(world, facts, home),
    enrolments: enrolments(world, facts),
    groups: groups(facts),
    grades: grades(world, facts),
    assessments: assessments(world, facts),
    attendance: attendance(world, facts),
    supportMeasures: supportMeasures(world, facts),
    achievements: achievements(world, facts),
    evidence: evidence(world, facts),
  };
  return withoutEmptySections(record);
}

/** A random (version 4) UUID from the pupil's stream. */
function uuid(prng: Prng): string {
  const hex = Array.from({ length: 32 }, () => prng.int(0, 15).toString(16));
  hex[12] = '4';
  hex[16] = (8 + prng.int(0, 3)).toString(16);
  const s = hex.join('');
  return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
}

/** Leaves out sections with nothing in them, as a platform's export would. */
function withoutEmptySections(record: LearnerRecord): LearnerRecord {
  const out: Record<string, unknown> = { ...record };
  for (const [key, value] of Object.entries(out)) {
    if (Array.isArray(value) && value.length === 0) delete out[key];
  }
  return out as unknown as LearnerRecord;
}
