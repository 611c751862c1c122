// Assessments, attendance, support measures, evidence and achievements of a synthetic pupil.
import { createHash } from 'node:crypto';
import type {
  Achievement,
  Assessment,
  Attendance,
  Evidence,
  SupportMeasure,
} from '../records/learner-record.types';
import { subjectName } from './school-catalogue';
import {
  adaptationsText,
  EVIDENCE_ITEMS,
  FILE_EXTENSIONS,
  iupText,
  specialSupportText,
  writtenAssessmentText,
} from './seed-texts';
import { autumnOf, CURRENT_AUTUMN, pad2, vtEnd, type PupilFacts, type SeedWorld } from './seed-world';

/**
 * IUP with skriftliga omdömen in the years without grades, 1–5 (skollagen 10 kap. 12–13 §§). Platforms export
 * the last two years, so older ones, and all of them once grades start, are left out.
 */
export function assessments(world: SeedWorld, facts: PupilFacts): Assessment[] {
  const { prng } = facts;
  const result: Assessment[] = [];
  const last = facts.stage - 1;
  for (let s = Math.max(1, last - 1); s <= Math.min(last, 5); s++) {
    const autumn = autumnOf(facts, s);
    const mentor = world.teacher(world.unitAt(facts, s).code, `mentor-${autumn}-${s}${facts.classLetter}`);
    result.push({
      kind: 'IUP',
      date: `${autumn + 1}-05-${prng.int(11, 29)}`,
      text: iupText(prng, facts.text, `${autumn}/${String(autumn + 1).slice(2)}`),
      author: mentor,
    });
    if (s !== last) continue;
    for (const subjectCode of ['SV', 'MA', 'EN']) {
      const level = Math.max(0, Math.min(3, Math.round(1.2 - facts.ability + prng.normal() * 0.5)));
      result.push({
        kind: 'Skriftligt omdöme',
        subjectCode,
        date: `${autumn + 1}-06-0${prng.int(1, 5)}`,
        text: writtenAssessmentText(prng, facts.text, subjectCode, subjectName(subjectCode), s, level),
        author: mentor,
      });
    }
  }
  return result;
}

/** Absence per term over the last two school years; most pupils have little, a few a worrying amount. */
export function attendance(world: SeedWorld, facts: PupilFacts): Attendance[] {
  const { prng } = facts;
  const result: Attendance[] = [];
  const validRate = Math.max(0.005, 0.045 + prng.normal() * 0.02);
  const invalidRate = prng.chance(0.06) ? 0.04 + prng.next() * 0.1 : prng.next() * 0.008;
  for (let s = Math.max(0, facts.stage - 2); s < facts.stage; s++) {
    const autumn = autumnOf(facts, s);
    const schoolUnitCode = world.unitAt(facts, s).code;
    const weeklyHours = s === 0 ? 15 : s <= 3 ? 20 : s <= 6 ? 24 : 27;
    const scheduledMinutes = weeklyHours * 60 * 19;
    for (const term of [`HT${autumn}`, `VT${autumn + 1}`]) {
      const validAbsenceMinutes = roundTo5(scheduledMinutes * validRate * (0.6 + prng.next() * 0.8));
      const invalidAbsenceMinutes = roundTo5(scheduledMinutes * invalidRate * (0.5 + prng.next()));
      result.push({
        term,
        schoolUnitCode,
        validAbsenceMinutes,
        invalidAbsenceMinutes,
        scheduledMinutes,
        validAbsencePercent: round1((validAbsenceMinutes / scheduledMinutes) * 100),
        invalidAbsencePercent: round1((invalidAbsenceMinutes / scheduledMinutes) * 100),
      });
    }
  }
  return result;
}

/** About one pupil in ten from year 2: extra anpassningar, for a third also an åtgärdsprogram. */
export function supportMeasures(world: SeedWorld, facts: PupilFacts): SupportMeasure[] {
  const { prng } = facts;
  if (facts.stage < 2 || !prng.chance(0.1)) return [];
  const unitCode = world.unitAt(facts, facts.stage).code;
  const startAutumn = autumnOf(facts, prng.int(Math.max(1, facts.stage - 3), facts.stage - 1));
  const candidates = facts.subjects.filter((code) => ['SV', 'SVA', 'MA', 'EN'].includes(code));
  const subjectCodes = prng.sample(candidates, prng.int(1, 2));
  const result: SupportMeasure[] = [
    {
      kind: 'Extra anpassningar',
      decidedDate: `${startAutumn}-${prng.pick(['09', '10', '11'])}-${prng.int(10, 28)}`,
      subjectCodes,
      description: adaptationsText(prng, facts.text, subjectCodes.map(subjectName)),
      decidedBy: world.teacher(unitCode, `mentor-${CURRENT_AUTUMN}-${facts.classLetter}`),
    },
  ];
  if (prng.chance(0.35)) {
    result.push({
      kind: 'Åtgärdsprogram',
      decidedDate: `${startAutumn + 1}-02-${prng.int(10, 28)}`,
      endDate: vtEnd(CURRENT_AUTUMN + 1),
      subjectCodes: [],
      description: specialSupportText(prng, facts.text),
      decidedBy: world.teacher(unitCode, 'rektor'),
    });
  }
  return result;
}

/** One to three pieces of work from the last years, half of them with the xAPI statement that recorded them. */
export function evidence(world: SeedWorld, facts: PupilFacts): Evidence[] {
  const { prng } = facts;
  if (facts.stage < 1) return [];
  const result: Evidence[] = [];
  const subjects = Object.keys(EVIDENCE_ITEMS);
  const count = prng.int(1, 3);
  for (let n = 1; n <= count; n++) {
    const [title, mediaType] = prng.pick(EVIDENCE_ITEMS[prng.pick(subjects)]);
    const spring = autumnOf(facts, prng.int(Math.max(0, facts.stage - 3), facts.stage - 1)) + 1;
    const recordedAt = `${spring}-0${prng.int(2, 5)}-${prng.int(10, 28)}T${pad2(prng.int(8, 15))}:${pad2(prng.int(0, 59))}:00Z`;
    const id = `${facts.sourceId}-ev${n}`;
    const uri = `https://arkiv.${world.slug}.example/elevarbeten/${id}.${FILE_EXTENSIONS[mediaType]}`;
    const xapiStatement = {
      actor: {
        objectType: 'Agent',
        account: { homePage: `https://lms.${world.slug}.example`, name: facts.sourceId },
      },
      verb: { id: 'http://adlnet.gov/expapi/verbs/completed', display: { 'sv-SE': 'slutförde' } },
      object: { objectType: 'Activity', id: uri, definition: { name: { 'sv-SE': title } } },
      timestamp: recordedAt,
    };
    result.push({
      id,
      uri,
      // Stands in for the digest of the file's bytes, which do not exist.
      sha256: sha256Hex(uri),
      mediaType,
      title,
      ...(prng.chance(0.5) ? { xapiStatement } : {}),
      recordedAt,
    });
  }
  return result;
}

/** About 8 % of pupils from year 4 hold an Open Badges 2 assertion, not yet verified. */
export function achievements(world: SeedWorld, facts: PupilFacts): Achievement[] {
  const { prng } = facts;
  if (facts.stage < 4 || !prng.chance(0.08)) return [];
  const badgeHost = `https://badges.${world.slug}.example`;
  return [
    {
      format: 'ob2',
      credential: {
        '@context': 'https://w3id.org/openbadges/v2',
        type: 'Assertion',
        id: `${badgeHost}/assertions/${facts.sourceId}`,
        recipient: { type: 'email', hashed: true, identity: `sha256$${sha256Hex(facts.sourceId)}` },
        badge: `${badgeHost}/badges/programmering-grund`,
        issuedOn: `${autumnOf(facts, facts.stage - 1) + 1}-05-${prng.int(10, 28)}T10:00:00Z`,
        verification: { type: 'hosted' },
      },
      issuer: badgeHost,
      name: 'Programmering grund',
      verification: { status: 'unverified' },
    },
  ];
}

const sha256Hex = (text: string): string => createHash('sha256').update(text).digest('hex');
const roundTo5 = (n: number): number => Math.round(n / 5) * 5;
const round1 = (n: number): number => Math.round(n * 10) / 10;
