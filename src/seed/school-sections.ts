// Enrolments, groups and grades of a synthetic pupil: the school history its placements imply.
import type { Enrolment, Grade, Group } from '../records/learner-record.types';
import { GY_COURSES, GY_PROGRAMMES } from './school-catalogue';
import { autumnOf, CURRENT_AUTUMN, htStart, vtEnd, type PupilFacts, type SeedWorld } from './seed-world';

/** One enrolment per school form and placement: förskoleklass, fritidshem (years 0–3), grundskola, gymnasium. */
export function enrolments(world: SeedWorld, facts: PupilFacts): Enrolment[] {
  const result: Enrolment[] = [];
  const organiserCode = world.kommun.code;
  const fritids = facts.prng.chance(0.7);
  const lastPlacement = facts.placements[facts.placements.length - 1];
  for (const placement of facts.placements) {
    const schoolUnitCode = placement.unit.unit.code;
    // Open-ended where the pupil still is; otherwise ended with the spring term of the given stage.
    const endOf = (stage: number) =>
      placement === lastPlacement && stage === facts.stage
        ? {}
        : { endDate: vtEnd(autumnOf(facts, stage) + 1) };
    const base = { organiserCode, schoolUnitCode };
    if (placement.from >= 10) {
      const programme = facts.programme ?? GY_PROGRAMMES[0];
      const orientation =
        programme.orientations.length > 0 ? facts.prng.pick(programme.orientations) : undefined;
      result.push({
        ...base,
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
      const startDate = htStart(autumnOf(facts, 0));
      result.push({ ...base, schoolType: 'FKLASS', schoolYear: 0, startDate, ...endOf(0) });
      if (fritids) {
        result.push({
          ...base,
          schoolType: 'FTH',
          schoolYear: null,
          startDate,
          ...endOf(Math.min(placement.to, 3)),
        });
      }
    }
    const from = Math.max(placement.from, 1);
    if (from <= placement.to) {
      result.push({
        ...base,
        schoolType: 'GR',
        schoolYear: placement.to,
        startDate: htStart(autumnOf(facts, from)),
        ...endOf(placement.to),
      });
    }
  }
  return result;
}

/**
 * This year's and last year's class, and this year's mentor and teaching groups. Ids are built from unit,
 * year and name, so classmates share their groups.
 */
export function groups(facts: PupilFacts): Group[] {
  const result: Group[] = [];
  for (const placement of facts.placements) {
    const schoolUnitCode = placement.unit.unit.code;
    if (placement.from >= 10) {
      const name = `${gyClassName(facts)}${facts.classLetter}`;
      const startDate = htStart(autumnOf(facts, placement.from));
      result.push({ id: `${schoolUnitCode}-${name}`, name, groupType: 'Klass', schoolUnitCode, startDate });
      continue;
    }
    for (let s = Math.max(placement.from, facts.stage - 1); s <= placement.to; s++) {
      const autumn = autumnOf(facts, s);
      const name = `${s === 0 ? 'F' : s}${facts.classLetter}`;
      result.push({
        id: `${schoolUnitCode}-${autumn}-${name}`,
        name,
        groupType: 'Klass',
        schoolUnitCode,
        startDate: htStart(autumn),
        endDate: vtEnd(autumn + 1),
      });
    }
  }

  const schoolUnitCode = facts.placements[facts.placements.length - 1].unit.unit.code;
  const thisYear = (key: string, name: string, groupType: Group['groupType'] = 'Undervisning'): Group => ({
    id: `${schoolUnitCode}-${CURRENT_AUTUMN}-${key}`,
    name,
    groupType,
    schoolUnitCode,
    startDate: htStart(CURRENT_AUTUMN),
    endDate: vtEnd(CURRENT_AUTUMN + 1),
  });
  const { stage, classLetter, programme, modernLanguage, origin } = facts;
  if (stage >= 7) {
    const className = stage <= 9 ? String(stage) : gyClassName(facts);
    result.push(thisYear(`mentor-${className}${classLetter}`, `Mentor ${className}${classLetter}`, 'Mentor'));
  }
  if (stage >= 6 && stage <= 9) {
    if (modernLanguage)
      result.push(thisYear(`m2-${modernLanguage}-${stage}`, `${capitalise(modernLanguage)} ${stage}`));
    if (facts.subjects.includes('SVA'))
      result.push(thisYear(`sva-${stage}`, `Svenska som andraspråk ${stage}`));
    result.push(thisYear(`ma-${stage}${classLetter}`, `MA ${stage}${classLetter}`));
  }
  if (origin && facts.subjects.includes('ML')) {
    result.push(thisYear(`ml-${origin.language}`, `Modersmål ${origin.language}`));
  }
  if (stage >= 10 && programme) {
    for (const course of programme.courses[stage - 10] ?? []) {
      result.push(thisYear(`${course}-${programme.code}`, `${course} ${programme.code}${classLetter}`));
    }
  }
  return result;
}

/**
 * Terminsbetyg every term from year 6, slutbetyg in the spring of year 9 (skollagen 10 kap. 17–18 §§).
 * A gymnasium pupil's record keeps only the slutbetyg from grundskola, which is what the gymnasium receives,
 * and course grades (Gy11) for those who began before Gy25 replaced courses with subject levels.
 */
export function grades(world: SeedWorld, facts: PupilFacts): Grade[] {
  const { prng } = facts;
  const result: Grade[] = [];
  const affinity = new Map(facts.subjects.map((code) => [code, prng.normal() * 0.5]));
  const gradeFor = (code: string): string =>
    letterGrade(facts.ability + (affinity.get(code) ?? 0) + prng.normal() * 0.45);

  for (let s = facts.stage >= 10 ? 9 : 6; s <= Math.min(facts.stage - 1, 9); s++) {
    const unit = world.unitAt(facts, s);
    const autumn = autumnOf(facts, s);
    const terms = [
      ['HT', autumn, `${autumn}-12-18`],
      ['VT', autumn + 1, `${autumn + 1}-06-10`],
    ] as const;
    for (const [semester, year, registeredDate] of facts.stage >= 10 ? terms.slice(1) : terms) {
      // Lgr22 replaced Lgr11 on 1 July 2022.
      const curriculum = registeredDate >= '2022-07-01' ? 'LGR22' : 'LGR11';
      for (const subjectCode of facts.subjects) {
        result.push({
          subjectCode,
          gradeScale: 'A-F',
          value: gradeFor(subjectCode),
          final: s === 9 && semester === 'VT',
          registeredDate,
          semester,
          year,
          curriculum,
          schoolUnitCode: unit.code,
          gradingTeacher: world.teacher(unit.code, `${subjectCode}-${autumn}-${s}${facts.classLetter}`),
        });
      }
    }
  }

  if (facts.stage >= 10 && facts.programme && autumnOf(facts, 10) < 2025) {
    const unit = world.unitAt(facts, 10);
    for (let s = 10; s < facts.stage; s++) {
      const autumn = autumnOf(facts, s);
      for (const courseCode of facts.programme.courses[s - 10] ?? []) {
        // Short (50-point) courses end at Christmas, the rest in June.
        const short = GY_COURSES[courseCode].points < 100;
        result.push({
          subjectCode: courseCode.slice(0, 3),
          courseCode,
          gradeScale: 'A-F',
          value: gradeFor(courseCode),
          final: true,
          registeredDate: short ? `${autumn}-12-18` : `${autumn + 1}-06-10`,
          semester: short ? 'HT' : 'VT',
          year: short ? autumn : autumn + 1,
          curriculum: 'GY11',
          schoolUnitCode: unit.code,
          gradingTeacher: world.teacher(unit.code, `${courseCode}-${autumn}`),
        });
      }
    }
  }
  return result;
}

/** e.g. NA24 for a Naturvetenskapsprogrammet class that began in 2024. */
function gyClassName(facts: PupilFacts): string {
  return `${facts.programme?.code ?? 'GY'}${String(autumnOf(facts, 10)).slice(2)}`;
}

/** A–F from a standardised score: about 10 % A and 7 % F. */
function letterGrade(score: number): string {
  if (score >= 1.35) return 'A';
  if (score >= 0.85) return 'B';
  if (score >= 0.2) return 'C';
  if (score >= -0.35) return 'D';
  if (score >= -1.45) return 'E';
  return 'F';
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
