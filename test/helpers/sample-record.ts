import type { LearnerRecord } from '../../src/records/learner-record.types';

/** A small, valid learner record; `overrides` replace top-level sections. */
export function sampleRecord(sourceId: string, overrides: Partial<LearnerRecord> = {}): LearnerRecord {
  return {
    schemaVersion: '1.0',
    source: { platform: 'test-platform', id: sourceId },
    pupil: {
      civicNo: { value: '201203152382', nationality: 'SE' },
      givenName: 'Märta',
      familyName: 'Öberg',
      birthDate: '2012-03-15',
      securityMarking: 'Ingen',
    },
    guardians: [
      {
        id: 'g1',
        civicNo: { value: '198002032384', nationality: 'SE' },
        givenName: 'Åsa',
        familyName: 'Öberg',
        relation: 'Vårdnadshavare',
        custody: true,
      },
    ],
    enrolments: [
      {
        organiserCode: '1980',
        schoolUnitCode: '12345678',
        schoolType: 'GR',
        schoolYear: 8,
        startDate: '2019-08-15',
        cancelled: false,
      },
    ],
    grades: [
      {
        subjectCode: 'MA',
        gradeScale: 'A-F',
        value: 'B',
        final: false,
        trial: false,
        registeredDate: '2025-06-10',
        semester: 'VT',
        year: 2025,
        curriculum: 'LGR22',
        schoolUnitCode: '12345678',
      },
    ],
    ...overrides,
  };
}
