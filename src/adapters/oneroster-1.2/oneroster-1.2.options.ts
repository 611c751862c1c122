// A platform's dialect of OneRoster, as configuration: the options of its registration.
import type { GradeScale, SchoolType } from '../../records/learner-record.types';
import { SCHOOL_TYPES } from '../../records/school-types';
import { GRADE_SCALES, SCALE_VALUES, type SchoolPlacement } from './oneroster-1.2.code-lists';

/** A map from the platform's words to ours; `to` says what ours must be, so a typo is refused at registration. */
const stringMap = (
  description: string,
  to: Record<string, unknown> = { type: 'string', minLength: 1, maxLength: 200 },
) => ({
  type: 'object',
  description,
  additionalProperties: to,
  maxProperties: 10000,
});
const SCHOOL_UNIT_CODE = { type: 'string', pattern: '^[0-9]{8}$' };
const KOMMUN_CODE = { type: 'string', pattern: '^[0-9]{4}$' };
const SUBJECT_CODE = { type: 'string', pattern: '^[A-ZÅÄÖ0-9]{1,10}$' };

/** JSON Schema (2020-12) of the options, as GET /v1/adapters shows it. */
export const ONEROSTER_OPTIONS_SCHEMA: Record<string, unknown> = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  type: 'object',
  additionalProperties: false,
  properties: {
    fieldAliases: {
      type: 'object',
      description:
        'CSV column renames, by file name ("users.csv") or "*" for every file: {"users.csv": {"elevId": "sourcedId"}}. OneRoster 1.0/1.1 names (userId, agents, orgSourcedIds, gradingPeriodSourcedId, birthdate, ...) are known without this.',
      additionalProperties: stringMap('source column -> OneRoster 1.2 column'),
    },
    civicNo: {
      type: 'object',
      additionalProperties: false,
      required: ['column'],
      description:
        'Where the platform keeps personnummer, if anywhere: "identifier" or an ext_ column (REST: a user field or metadata key). Import reads and Luhn-checks it (a bad one rejects the pupil); export writes it there only when `export` is true. Without this option OneRoster carries no civic numbers.',
      properties: {
        column: { type: 'string', minLength: 1, maxLength: 200 },
        export: { type: 'boolean', default: false },
      },
    },
    gradeScales: {
      type: 'object',
      additionalProperties: false,
      description: 'How results map to canonical grades.',
      properties: {
        default: {
          enum: GRADE_SCALES,
          default: 'A-F',
          description: 'Scale of results whose line item names none.',
        },
        scoreScales: stringMap(
          'scoreScale sourcedId or title -> canonical grade scale (A-F, IG-MVG, G-VG, Godkänd/Ej godkänd, 1-5)',
          { enum: GRADE_SCALES },
        ),
        values: {
          type: 'object',
          description:
            'Per canonical scale, textScore or score -> canonical value, e.g. {"A-F": {"20": "A", "17.5": "B"}}. A–F merit points (20, 17.5, 15, 12.5, 10, 0) are known without this.',
          additionalProperties: false,
          properties: Object.fromEntries(
            GRADE_SCALES.map((scale) => [
              scale,
              stringMap(`source value -> ${scale} value`, { enum: SCALE_VALUES[scale] }),
            ]),
          ),
        },
      },
    },
    codeLists: {
      type: 'object',
      additionalProperties: false,
      properties: {
        schoolUnitCode: stringMap(
          'org sourcedId or identifier -> skolenhetskod (8 digits), for orgs whose identifier is not one',
          SCHOOL_UNIT_CODE,
        ),
        organiserCode: stringMap(
          'school org sourcedId -> kommunkod of its organiser (4 digits)',
          KOMMUN_CODE,
        ),
        orgTypeToSchoolType: stringMap('org type (e.g. ext:gymnasium) -> school type (GR, GY, ...)', {
          enum: SCHOOL_TYPES,
        }),
        grades: {
          type: 'object',
          description:
            'Grade code -> {schoolType, schoolYear}; CEDS codes KG, 01-12 map to FKLASS, GR 1-9, GY 1-3 by default.',
          additionalProperties: {
            type: 'object',
            required: ['schoolType'],
            additionalProperties: false,
            properties: {
              schoolType: { enum: SCHOOL_TYPES },
              schoolYear: { type: ['integer', 'null'], minimum: -1, maximum: 14 },
            },
          },
        },
        subjects: stringMap(
          'course subjectCode or courseCode -> Skolverket subject code (ämneskod, e.g. MA)',
          SUBJECT_CODE,
        ),
      },
    },
    organiserCode: {
      type: 'string',
      pattern: '^[0-9]{4}$',
      description:
        "Kommunkod of the enrolments' organiser when the orgs do not say; default: the importing kommun.",
    },
    defaultSchoolType: {
      enum: SCHOOL_TYPES,
      description:
        'School type of placements nothing else gives one for; without it such placements are dropped.',
    },
    maxFieldBytes: {
      type: 'integer',
      minimum: 1024,
      maximum: 16777216,
      default: 1048576,
      description:
        'Largest CSV field or JSON string accepted; larger refuses the file (ONEROSTER.FIELD_TOO_LARGE).',
    },
  },
};

export interface OneRosterOptions {
  fieldAliases: Record<string, Record<string, string>>;
  civicNo?: { column: string; export: boolean };
  gradeScales: {
    default: GradeScale;
    scoreScales: Record<string, GradeScale>;
    values: Partial<Record<GradeScale, Record<string, string>>>;
  };
  codeLists: {
    schoolUnitCode: Record<string, string>;
    organiserCode: Record<string, string>;
    orgTypeToSchoolType: Record<string, SchoolType>;
    grades: Record<string, SchoolPlacement>;
    subjects: Record<string, string>;
  };
  organiserCode?: string;
  defaultSchoolType?: SchoolType;
  maxFieldBytes: number;
}

/** Options with their defaults filled in; the registration already validated them against the schema. */
export function readOptions(raw: Record<string, unknown> | undefined): OneRosterOptions {
  const o = (raw ?? {}) as Partial<{
    fieldAliases: OneRosterOptions['fieldAliases'];
    civicNo: { column: string; export?: boolean };
    gradeScales: Partial<OneRosterOptions['gradeScales']>;
    codeLists: Partial<OneRosterOptions['codeLists']>;
    organiserCode: string;
    defaultSchoolType: SchoolType;
    maxFieldBytes: number;
  }>;
  return {
    fieldAliases: o.fieldAliases ?? {},
    ...(o.civicNo ? { civicNo: { column: o.civicNo.column, export: o.civicNo.export === true } } : {}),
    gradeScales: {
      default: o.gradeScales?.default ?? 'A-F',
      scoreScales: o.gradeScales?.scoreScales ?? {},
      values: o.gradeScales?.values ?? {},
    },
    codeLists: {
      schoolUnitCode: o.codeLists?.schoolUnitCode ?? {},
      organiserCode: o.codeLists?.organiserCode ?? {},
      orgTypeToSchoolType: o.codeLists?.orgTypeToSchoolType ?? {},
      grades: o.codeLists?.grades ?? {},
      subjects: o.codeLists?.subjects ?? {},
    },
    ...(o.organiserCode ? { organiserCode: o.organiserCode } : {}),
    ...(o.defaultSchoolType ? { defaultSchoolType: o.defaultSchoolType } : {}),
    maxFieldBytes: o.maxFieldBytes ?? 1024 * 1024,
  };
}
