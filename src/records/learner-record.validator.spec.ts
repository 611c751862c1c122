import fc from 'fast-check';
import { fullFormats } from 'ajv-formats/dist/formats';
import type { LearnerRecord } from './learner-record.types';
import {
  checkLearnerRecord,
  LEARNER_RECORD_SCHEMA,
  loadLearnerRecordSchema,
  validateLearnerRecord,
  type JsonSchemaObject,
} from './learner-record.validator';

const provenance = {
  sourcePlatform: 'vklass',
  sourceId: 'g-1',
  adapter: 'ss12000',
  adapterVersion: '1.0.0',
  importedAt: '2026-08-15T08:00:00Z',
};

/** A record that uses every section and every optional field at least once. */
function fullRecord(): LearnerRecord {
  return {
    schemaVersion: '1.0',
    source: { platform: 'vklass', id: 'elev-4711' },
    pupil: {
      civicNo: { value: '201203142383', nationality: 'SE' },
      givenName: 'Märta',
      middleName: 'Åsa',
      familyName: 'Öberg',
      birthDate: '2012-03-14',
      sex: 'Kvinna',
      securityMarking: 'Ingen',
      externalIdentifiers: [{ value: 'marta.oberg@skola.example', context: 'eppn', globallyUnique: true }],
      provenance,
    },
    contact: {
      addresses: [
        {
          type: 'Folkbokföring',
          streetAddress: 'Skolgatan 4',
          locality: 'Västerås',
          postalCode: '722 15',
          countryCode: 'SE',
        },
      ],
      emails: [{ value: 'marta@example.com', type: 'Privat' }],
      phoneNumbers: [{ value: '+46701740605', type: 'Mobil' }],
      provenance,
    },
    guardians: [
      {
        id: 'vh-1',
        civicNo: { value: '197809214575' },
        givenName: 'Björn',
        familyName: 'Öberg',
        relation: 'Vårdnadshavare',
        custody: true,
        livesWithPupil: true,
        contact: { phoneNumbers: [{ value: '070-174 06 06', type: 'Mobil' }] },
        provenance,
      },
      {
        id: 'vh-2',
        civicNo: { value: '198105023165' },
        givenName: 'Aisha',
        familyName: 'Ali',
        relation: 'Vårdnadshavare',
        custody: true,
      },
    ],
    enrolments: [
      {
        organiserCode: '1980',
        schoolUnitCode: '12345678',
        schoolType: 'GR',
        schoolYear: 9,
        startDate: '2019-08-19',
        cancelled: false,
        provenance,
      },
      {
        organiserCode: '1980',
        schoolUnitCode: '87654321',
        schoolType: 'GY',
        schoolYear: 1,
        programmeCode: 'NA',
        educationCode: 'NANAT',
        startDate: '2027-08-16',
        endDate: '2030-06-14',
      },
      {
        organiserCode: '1980',
        schoolUnitCode: '12345678',
        schoolType: 'FTH',
        schoolYear: null,
        startDate: '2019-08-19',
      },
    ],
    groups: [
      {
        id: 'g-9b',
        name: '9B',
        groupType: 'Klass',
        schoolUnitCode: '12345678',
        startDate: '2026-08-17',
        endDate: '2027-06-11',
      },
      {
        id: 'g-ma-9b',
        name: 'MA 9B',
        groupType: 'Undervisning',
        schoolUnitCode: '12345678',
        startDate: '2026-08-17',
        provenance,
      },
    ],
    grades: [
      {
        subjectCode: 'MA',
        gradeScale: 'A-F',
        value: 'C',
        final: false,
        trial: false,
        registeredDate: '2025-12-19',
        semester: 'HT',
        year: 2025,
        curriculum: 'LGR22',
        schoolUnitCode: '12345678',
        gradingTeacher: { id: 't-17', name: 'Karin Lindqvist' },
        adaptedStudyPlan: false,
        provenance,
      },
      {
        subjectCode: 'MAT',
        courseCode: 'MATMAT01c',
        gradeScale: 'A-F',
        value: 'E',
        registeredDate: '2026-06-12',
        correctionType: 'Rättelse',
      },
    ],
    assessments: [
      {
        kind: 'Skriftligt omdöme',
        subjectCode: 'SV',
        date: '2024-06-10',
        text: 'Märta läser med god förståelse.',
        author: { id: 't-3' },
        provenance,
      },
    ],
    attendance: [
      {
        term: 'VT2026',
        schoolUnitCode: '12345678',
        validAbsenceMinutes: 600,
        invalidAbsenceMinutes: 40,
        scheduledMinutes: 24000,
        validAbsencePercent: 2.5,
        invalidAbsencePercent: 0.2,
        provenance,
      },
    ],
    supportMeasures: [
      {
        kind: 'Extra anpassningar',
        decidedDate: '2025-09-01',
        endDate: '2026-06-12',
        subjectCodes: ['MA'],
        description: 'Förlängd skrivtid vid prov.',
        decidedBy: { id: 't-17', name: 'Karin Lindqvist' },
        provenance,
      },
    ],
    achievements: [
      {
        format: 'vc-json',
        credential: { '@context': ['https://www.w3.org/ns/credentials/v2'], type: ['VerifiableCredential'] },
        issuer: 'did:web:skola.example',
        name: 'Simborgarmärket',
        verification: {
          status: 'verified',
          method: 'eddsa-rdfc-2022',
          checkedAt: '2026-08-15T08:00:00Z',
          detail: 'ok',
        },
        provenance,
      },
      {
        format: 'vc-jwt',
        credential: 'eyJhbGciOiJFUzI1NiJ9.e30.c2ln',
        verification: { status: 'unverified' },
      },
    ],
    evidence: [
      {
        id: 'ev-1',
        uri: 'https://files.skola.example/ev/1.pdf',
        sha256: 'a'.repeat(64),
        mediaType: 'application/pdf',
        title: 'Laborationsrapport',
        xapiStatement: { verb: { id: 'http://adlnet.gov/expapi/verbs/completed' } },
        recordedAt: '2026-05-04T10:00:00+02:00',
        provenance,
      },
    ],
  };
}

/** A deep copy of the full record, changed by `edit`, as the unknown input the validator takes. */

function variant(edit: (record: any) => void): unknown {
  const record = structuredClone(fullRecord());
  edit(record);
  return record;
}

describe('validateLearnerRecord', () => {
  it('accepts a full record', () => {
    expect(validateLearnerRecord(fullRecord())).toEqual([]);
  });

  it('accepts a minimal record', () => {
    const minimal = {
      schemaVersion: '1.0',
      source: { platform: 'seed', id: '1' },
      pupil: { givenName: 'Ali', familyName: 'Hassan', securityMarking: 'Skyddad folkbokföring' },
    };
    expect(validateLearnerRecord(minimal)).toEqual([]);
  });

  it('refuses what is not an object', () => {
    expect(validateLearnerRecord(null)).toEqual([{ pointer: '', detail: 'must be an object' }]);
    expect(validateLearnerRecord([])).toEqual([{ pointer: '', detail: 'must be an object' }]);
  });

  it('points at an unknown field itself', () => {
    expect(validateLearnerRecord(variant((r) => (r.pupil.nickname = 'Mä')))).toEqual([
      { pointer: '/pupil/nickname', detail: 'unknown field' },
    ]);
    expect(validateLearnerRecord(variant((r) => (r['x/y~z'] = 1)))).toEqual([
      { pointer: '/x~1y~0z', detail: 'unknown field' },
    ]);
    expect(validateLearnerRecord(variant((r) => (r.grades[1].points = 15)))).toEqual([
      { pointer: '/grades/1/points', detail: 'unknown field' },
    ]);
  });

  it('points at a missing required field', () => {
    expect(
      validateLearnerRecord(
        variant((r) => {
          delete r.pupil.givenName;
          delete r.source.id;
        }),
      ),
    ).toEqual([
      { pointer: '/source/id', detail: 'is required' },
      { pointer: '/pupil/givenName', detail: 'is required' },
    ]);
  });

  it('reports every problem at once', () => {
    const errors = validateLearnerRecord(
      variant((r) => {
        r.schemaVersion = '2.0';
        r.pupil.securityMarking = 'Hemlig';
        r.enrolments[0].schoolUnitCode = '1234';
        r.enrolments[0].organiserCode = 1980;
        r.pupil.birthDate = '2012-02-30';
        r.contact.emails[0].value = 'not an address';
        r.evidence[0].sha256 = 'ABC';
        r.attendance[0].term = 'HT25';
        r.attendance[0].validAbsencePercent = 101;
        r.pupil.givenName = '';
        r.pupil.familyName = 'x'.repeat(201);
        r.grades[0].gradingTeacher = { name: 'Karin' };
      }),
    );
    expect(errors).toEqual(
      expect.arrayContaining([
        { pointer: '/schemaVersion', detail: 'must be "1.0"' },
        {
          pointer: '/pupil/securityMarking',
          detail: 'must be one of: Ingen, Sekretessmarkering, Skyddad folkbokföring',
        },
        { pointer: '/enrolments/0/schoolUnitCode', detail: 'must be 8 digits (skolenhetskod)' },
        { pointer: '/enrolments/0/organiserCode', detail: 'must be a string' },
        { pointer: '/pupil/birthDate', detail: 'must be a date, YYYY-MM-DD' },
        { pointer: '/contact/emails/0/value', detail: 'must be an e-mail address' },
        { pointer: '/evidence/0/sha256', detail: 'must be a SHA-256 digest as 64 lowercase hex characters' },
        { pointer: '/attendance/0/term', detail: 'must be HT or VT followed by a year, e.g. HT2025' },
        { pointer: '/attendance/0/validAbsencePercent', detail: 'must be at most 100' },
        { pointer: '/pupil/givenName', detail: 'must not be empty' },
        { pointer: '/pupil/familyName', detail: 'must be at most 200 characters' },
        { pointer: '/grades/0/gradingTeacher/id', detail: 'is required' },
      ]),
    );
    expect(errors).toHaveLength(12);
  });

  it('judges dates and times as ajv-formats does, however often a text comes back (the checks remember valid texts)', () => {
    const full = (name: 'date' | 'date-time', text: string) =>
      (fullFormats[name] as { validate: (t: string) => boolean }).validate(text);
    const digits = (n: number) =>
      fc.integer({ min: 0, max: 10 ** n - 1 }).map((v) => String(v).padStart(n, '0'));
    const date = fc.tuple(digits(4), digits(2), digits(2)).map(([y, m, d]) => `${y}-${m}-${d}`);
    const time = fc
      .tuple(digits(2), digits(2), digits(2), fc.constantFrom('Z', '+01:00', '-23:59', '', '+1'))
      .map(([h, m, s, zone]) => `${h}:${m}:${s}${zone}`);
    const dateTime = fc.tuple(date, fc.constantFrom('T', 't', ' '), time).map(([d, t, c]) => `${d}${t}${c}`);
    const judged = (value: string, pointer: string) =>
      !validateLearnerRecord(
        variant((r) => {
          r.pupil.birthDate = value;
          r.grades[0].provenance.importedAt = value;
        }),
      ).some((e) => e.pointer === pointer);
    fc.assert(
      fc.property(fc.array(fc.oneof(date, dateTime), { minLength: 1, maxLength: 8 }), (texts) => {
        // Each text twice: the second time it may be answered from what the first check remembered.
        for (const text of [...texts, ...texts]) {
          expect(judged(text, '/pupil/birthDate')).toBe(full('date', text));
          expect(judged(text, '/grades/0/provenance/importedAt')).toBe(full('date-time', text));
        }
      }),
      { numRuns: 200 },
    );
  });

  it('names the allowed types of a field that may take several', () => {
    expect(validateLearnerRecord(variant((r) => (r.enrolments[0].schoolYear = '9')))).toEqual([
      { pointer: '/enrolments/0/schoolYear', detail: 'must be an integer or null' },
    ]);
    expect(validateLearnerRecord(variant((r) => (r.achievements[0].credential = 42)))).toEqual([
      { pointer: '/achievements/0/credential', detail: 'must be a string or an object' },
    ]);
  });

  it('reports the branch that matched the type when it fails for another reason', () => {
    expect(validateLearnerRecord(variant((r) => (r.enrolments[0].schoolYear = 15)))).toEqual([
      { pointer: '/enrolments/0/schoolYear', detail: 'must be at most 14' },
    ]);
    expect(validateLearnerRecord(variant((r) => (r.achievements[1].credential = '')))).toEqual([
      { pointer: '/achievements/1/credential', detail: 'must not be empty' },
    ]);
  });

  it('requires twelve digits for a Swedish civic number and nothing more for another country', () => {
    expect(validateLearnerRecord(variant((r) => (r.pupil.civicNo.value = '1203142383')))).toEqual([
      { pointer: '/pupil/civicNo/value', detail: 'must be 12 digits, YYYYMMDDNNNN' },
    ]);
    expect(validateLearnerRecord(variant((r) => (r.guardians[0].civicNo.value = '19780921-4575')))).toEqual([
      { pointer: '/guardians/0/civicNo/value', detail: 'must be 12 digits, YYYYMMDDNNNN' },
    ]);
    expect(
      validateLearnerRecord(variant((r) => (r.pupil.civicNo = { value: '14031212345', nationality: 'NO' }))),
    ).toEqual([]);
  });

  it('refuses a Swedish civic number with a wrong check digit or date', () => {
    expect(validateLearnerRecord(variant((r) => (r.pupil.civicNo.value = '201203142384')))).toEqual([
      {
        pointer: '/pupil/civicNo/value',
        detail: 'is not a valid personnummer or samordningsnummer: has a wrong check digit',
      },
    ]);
    expect(validateLearnerRecord(variant((r) => (r.guardians[1].civicNo.value = '198102303165')))).toEqual([
      {
        pointer: '/guardians/1/civicNo/value',
        detail: 'is not a valid personnummer or samordningsnummer: does not begin with a valid date of birth',
      },
    ]);
  });

  it('refuses a birth date that the civic number contradicts', () => {
    expect(validateLearnerRecord(variant((r) => (r.pupil.birthDate = '2012-03-15')))).toEqual([
      { pointer: '/pupil/birthDate', detail: 'does not match the date in civicNo (2012-03-14)' },
    ]);
  });

  it('refuses an end before the start', () => {
    const errors = validateLearnerRecord(
      variant((r) => {
        r.enrolments[1].endDate = '2027-08-15';
        r.groups[0].endDate = '2026-08-16';
        r.supportMeasures[0].endDate = '2025-08-31';
      }),
    );
    expect(errors).toEqual([
      { pointer: '/enrolments/1/endDate', detail: 'must not be before startDate' },
      { pointer: '/groups/0/endDate', detail: 'must not be before startDate' },
      { pointer: '/supportMeasures/0/endDate', detail: 'must not be before decidedDate' },
    ]);
  });

  it('refuses more absence than scheduled time', () => {
    expect(validateLearnerRecord(variant((r) => (r.attendance[0].scheduledMinutes = 620)))).toEqual([
      {
        pointer: '/attendance/0/scheduledMinutes',
        detail: 'must be at least validAbsenceMinutes + invalidAbsenceMinutes',
      },
    ]);
  });

  it('points at the duplicate of a guardian, group or evidence id', () => {
    const errors = validateLearnerRecord(
      variant((r) => {
        r.guardians[1].id = 'vh-1';
        r.groups[1].id = 'g-9b';
        r.evidence.push({ ...r.evidence[0], uri: 'https://files.skola.example/ev/2.pdf' });
      }),
    );
    expect(errors).toEqual([
      { pointer: '/guardians/1/id', detail: 'duplicates /guardians/0/id' },
      { pointer: '/groups/1/id', detail: 'duplicates /groups/0/id' },
      { pointer: '/evidence/1/id', detail: 'duplicates /evidence/0/id' },
    ]);
  });

  it('keeps schema errors and rule errors apart', () => {
    expect(checkLearnerRecord(variant((r) => (r.pupil.nickname = 'x')))).toEqual({
      schemaErrors: [{ pointer: '/pupil/nickname', detail: 'unknown field' }],
      ruleErrors: [],
    });
    expect(checkLearnerRecord(variant((r) => (r.guardians[1].id = 'vh-1')))).toEqual({
      schemaErrors: [],
      ruleErrors: [{ pointer: '/guardians/1/id', detail: 'duplicates /guardians/0/id' }],
    });
  });

  it('leaves the domain rules until the record conforms to the schema', () => {
    const errors = validateLearnerRecord(
      variant((r) => {
        r.pupil.civicNo.value = '201203142384';
        r.pupil.nickname = 'x';
      }),
    );
    expect(errors).toEqual([{ pointer: '/pupil/nickname', detail: 'unknown field' }]);
  });
});

describe('LEARNER_RECORD_SCHEMA', () => {
  it('is the v1 schema, frozen, and loadLearnerRecordSchema gives an editable copy', () => {
    expect(LEARNER_RECORD_SCHEMA.$id).toBe('urn:portabel:learner-record:v1');
    expect(Object.isFrozen(LEARNER_RECORD_SCHEMA)).toBe(true);
    const copy = loadLearnerRecordSchema();
    expect(copy).toEqual(LEARNER_RECORD_SCHEMA);
    copy.title = 'changed';
    expect(LEARNER_RECORD_SCHEMA.title).toBe('LearnerRecord v1');
  });

  // Walks every subschema; `path` is for the failure message.
  function walk(
    schema: JsonSchemaObject,
    path: string,
    visit: (schema: JsonSchemaObject, path: string) => void,
  ): void {
    visit(schema, path);
    const children = (key: string): [string, JsonSchemaObject][] =>
      Object.entries((schema[key] as Record<string, JsonSchemaObject> | undefined) ?? {});
    for (const [name, child] of children('$defs')) walk(child, `${path}/$defs/${name}`, visit);
    for (const [name, child] of children('properties')) walk(child, `${path}/properties/${name}`, visit);
    if (schema.items) walk(schema.items as JsonSchemaObject, `${path}/items`, visit);
    for (const key of ['anyOf', 'oneOf', 'allOf'] as const) {
      (schema[key] as JsonSchemaObject[] | undefined)?.forEach((child, i) =>
        walk(child, `${path}/${key}/${i}`, visit),
      );
    }
  }

  /** An anchored pattern without *, + or {n,} outside character classes can only match bounded strings. */
  function boundedPattern(pattern: unknown): boolean {
    if (typeof pattern !== 'string' || !pattern.startsWith('^') || !pattern.endsWith('$')) return false;
    const bare = pattern.replace(/\\./g, '').replace(/\[[^\]]*\]/g, '');
    return !/[*+]|\{[0-9]+,\}/.test(bare);
  }

  it('bounds every string, array and object so nothing unbounded is accepted', () => {
    const unbounded: string[] = [];
    walk(LEARNER_RECORD_SCHEMA, '#', (schema, path) => {
      if (
        schema.type === 'string' &&
        !('maxLength' in schema || 'enum' in schema || boundedPattern(schema.pattern))
      ) {
        unbounded.push(path);
      }
      if (schema.type === 'array' && !('maxItems' in schema)) unbounded.push(path);
      if (schema.type === 'object' && schema.additionalProperties !== false && !('maxProperties' in schema)) {
        unbounded.push(path);
      }
    });
    expect(unbounded).toEqual([]);
  });

  it('describes every definition and every property', () => {
    const defs = LEARNER_RECORD_SCHEMA.$defs as Record<string, JsonSchemaObject>;
    const undescribed: string[] = [];
    walk(LEARNER_RECORD_SCHEMA, '#', (schema, path) => {
      const isDefOrProperty = /\/(\$defs|properties)\/[^/]+$/.test(path) && !path.includes('/then/');
      if (!isDefOrProperty || 'description' in schema) return;
      const ref = schema.$ref as string | undefined;
      const target = ref ? defs[ref.replace('#/$defs/', '')] : undefined;
      if (!target || !('description' in target)) undescribed.push(path);
    });
    expect(undescribed).toEqual([]);
  });
});
