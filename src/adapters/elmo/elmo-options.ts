import type { GradeScale } from '../../records/learner-record.types';

export { GRADE_SCALES } from '../../records/grade-scales';
import { GRADE_SCALES } from '../../records/grade-scales';

export interface ElmoSchoolUnit {
  name?: string;
  url?: string;
  schac?: string;
  erasmus?: string;
  pic?: string;
}

/** The options a platform registration gives the ELMO adapter (see ELMO_OPTIONS_SCHEMA). */
export interface ElmoOptions {
  subjectCodes: Record<string, string>;
  gradeScales: Record<string, GradeScale>;
  schoolUnits: Record<string, ElmoSchoolUnit>;
  organiserName?: string;
  issuerUrl?: string;
}

const text = (description: string, maxLength = 1000) => ({
  type: 'string',
  minLength: 1,
  maxLength,
  description,
});

export const ELMO_OPTIONS_SCHEMA: Record<string, unknown> = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  title: 'ELMO adapter options',
  type: 'object',
  additionalProperties: false,
  properties: {
    subjectCodes: {
      description:
        'Import: Skolverket subject code (ämneskod) for a result whose node carries none, keyed by the node\'s `local` identifier or by its title, e.g. {"MATH101": "MA"}. Results without one are kept as written assessments.',
      type: 'object',
      maxProperties: 5000,
      additionalProperties: { type: 'string', pattern: '^[A-ZÅÄÖ0-9]{1,10}$' },
    },
    gradeScales: {
      description:
        'Import: the canonical grade scale of a report\'s grading scheme, keyed by its localId, e.g. {"ECTS": "A-F"}. The scale names themselves (A-F, IG-MVG, G-VG, Godkänd/Ej godkänd, 1-5) need no entry.',
      type: 'object',
      maxProperties: 200,
      additionalProperties: { enum: GRADE_SCALES },
    },
    schoolUnits: {
      description:
        'Export: what the issuer element says about a school unit, keyed by skolenhetskod: its name, web page and the EU identifiers (SCHAC, Erasmus code, PIC) it has.',
      type: 'object',
      maxProperties: 5000,
      propertyNames: { pattern: '^[0-9]{8}$' },
      additionalProperties: {
        type: 'object',
        additionalProperties: false,
        properties: {
          name: text('Name of the school unit, e.g. Västerbergsskolan.'),
          url: text('Web page of the school unit.', 2048),
          schac: text('SCHAC identifier, e.g. vasteras.se.', 256),
          erasmus: text('Erasmus institution code.', 256),
          pic: text('Participant Identification Code.', 256),
        },
      },
    },
    organiserName: text(
      'Export: name of the organiser (the kommun) for the report of grades that name no school unit, e.g. Västerås stad.',
    ),
    issuerUrl: text('Export: web page for issuers whose school unit has no url of its own.', 2048),
  },
};

/** Options as the adapter uses them; the registration has already been validated against the schema. */
export function readElmoOptions(raw: Record<string, unknown> | undefined): ElmoOptions {
  const options = raw ?? {};
  const record = <T>(value: unknown): Record<string, T> =>
    value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, T>) : {};
  const str = (value: unknown): string | undefined =>
    typeof value === 'string' && value !== '' ? value : undefined;
  return {
    subjectCodes: record<string>(options.subjectCodes),
    gradeScales: record<GradeScale>(options.gradeScales),
    schoolUnits: record<ElmoSchoolUnit>(options.schoolUnits),
    organiserName: str(options.organiserName),
    issuerUrl: str(options.issuerUrl),
  };
}
