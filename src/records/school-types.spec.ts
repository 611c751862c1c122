import { LEARNER_RECORD_SCHEMA } from './learner-record.validator';
import { SCHOOL_TYPES } from './school-types';

describe('SCHOOL_TYPES', () => {
  it('is exactly the schema enum of schoolType', () => {
    const defs = (LEARNER_RECORD_SCHEMA as { $defs: Record<string, { enum?: string[] }> }).$defs;
    const schemaEnum = Object.values(defs).find((d) => d.enum?.includes('FKLASS'))?.enum;
    expect([...SCHOOL_TYPES].sort()).toEqual([...(schemaEnum ?? [])].sort());
  });
});
