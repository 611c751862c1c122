import type { GradeScale } from '../../records/learner-record.types';

import { GRADE_SCALES, SCALE_VALUES } from '../../records/grade-scales';

/** The options a platform registration gives the Google Classroom adapter (see the schema below). */
export interface ClassroomOptions {
  schoolUnitCode?: string;
  startDate?: string;
  subjectCodes: Record<string, string>;
  gradeScale: GradeScale;
  /** Grade values with the lowest percentage of the points that earns them, highest first. */
  gradeThresholds: { value: string; minPercent: number }[];
  timeZone: string;
}

export const CLASSROOM_OPTIONS_SCHEMA: Record<string, unknown> = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  title: 'Google Classroom adapter options',
  type: 'object',
  additionalProperties: false,
  properties: {
    schoolUnitCode: {
      description:
        'Skolenhetskod of the school the Classroom domain belongs to. Classroom has none, so courses become teaching groups (and derived grades name a school unit) only when it is given.',
      type: 'string',
      pattern: '^[0-9]{8}$',
    },
    startDate: {
      description:
        "First day of the pupils' membership of the courses (usually the term's first day). Classroom keeps no membership dates; without it the course's creation date is used.",
      type: 'string',
      format: 'date',
    },
    subjectCodes: {
      description:
        'Skolverket subject code (ämneskod) of each course, by Classroom course id, e.g. {"123456789": "MA"}. Needed for grades, and given to assessments.',
      type: 'object',
      maxProperties: 10000,
      additionalProperties: { type: 'string', pattern: '^[A-ZÅÄÖ0-9]{1,10}$' },
    },
    gradeScale: {
      description: 'Scale of the grades derived with gradeThresholds. Default A-F.',
      enum: GRADE_SCALES,
    },
    gradeThresholds: {
      description:
        'Turns a pupil\'s share of the points in a course into a grade: the lowest percentage for each grade value, e.g. {"A": 90, "B": 80, "C": 65, "D": 55, "E": 45, "F": 0}. Without it no grades are made, only assessments. These are derived grades, not grades a teacher has set, and every one is reported as such.',
      type: 'object',
      minProperties: 1,
      maxProperties: 20,
      additionalProperties: { type: 'number', minimum: 0, maximum: 100 },
    },
    timeZone: {
      description:
        "IANA time zone in which Classroom's timestamps become dates (a grade given 23:30 UTC on 10 June is dated 11 June in Sweden). Default Europe/Stockholm.",
      type: 'string',
      format: 'time-zone',
      minLength: 1,
      maxLength: 64,
    },
  },
  // The thresholds name values of the scale in use (A-F when none is given).
  allOf: GRADE_SCALES.map((scale) => ({
    if:
      scale === 'A-F'
        ? { anyOf: [{ not: { required: ['gradeScale'] } }, { properties: { gradeScale: { const: scale } } }] }
        : { required: ['gradeScale'], properties: { gradeScale: { const: scale } } },
    then: {
      properties: {
        gradeThresholds: { propertyNames: { enum: SCALE_VALUES[scale].filter((v) => v !== '-') } },
      },
    },
  })),
};

/** Options as the adapter uses them; the registration has already been validated against the schema. */
export function readClassroomOptions(raw: Record<string, unknown> | undefined): ClassroomOptions {
  const options = raw ?? {};
  const str = (value: unknown): string | undefined =>
    typeof value === 'string' && value !== '' ? value : undefined;
  const thresholds =
    options.gradeThresholds && typeof options.gradeThresholds === 'object'
      ? Object.entries(options.gradeThresholds as Record<string, unknown>)
          .filter((entry): entry is [string, number] => typeof entry[1] === 'number')
          .map(([value, minPercent]) => ({ value, minPercent }))
          .sort((a, b) => b.minPercent - a.minPercent || a.value.localeCompare(b.value))
      : [];
  const scale = str(options.gradeScale) as GradeScale | undefined;
  return {
    schoolUnitCode: str(options.schoolUnitCode),
    startDate: str(options.startDate),
    subjectCodes:
      options.subjectCodes && typeof options.subjectCodes === 'object'
        ? (options.subjectCodes as Record<string, string>)
        : {},
    gradeScale: scale && GRADE_SCALES.includes(scale) ? scale : 'A-F',
    gradeThresholds: thresholds,
    timeZone: str(options.timeZone) ?? 'Europe/Stockholm',
  };
}
