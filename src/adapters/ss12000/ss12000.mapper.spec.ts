import { sampleRecord } from '../../../test/helpers/sample-record';
import { pupilToPersons } from './ss12000.mapper';

describe('SS 12000 persons: reference names', () => {
  const record = sampleRecord('names');
  const ids = { pupil: 'p-1', guardian: (_g: unknown, i: number) => `g-${i}` };

  it('names a school unit by the name portabel holds for it', () => {
    const { person } = pupilToPersons(record, ids, {
      schoolUnit: (_o, code) => (code === '12345678' ? 'Västra skolan' : undefined),
    });
    expect(person.enrolments?.[0].enroledAt).toEqual({
      id: expect.any(String),
      displayName: 'Västra skolan',
    });
  });

  it('gives no name, not a made-up one, to a school unit it holds none for', () => {
    const { person } = pupilToPersons(record, ids, { schoolUnit: () => undefined });
    expect(person.enrolments?.[0].enroledAt).toEqual({ id: expect.any(String) });
  });

  it('leaves names out unless asked', () => {
    const { person } = pupilToPersons(record, ids);
    expect(person.enrolments?.[0].enroledAt).not.toHaveProperty('displayName');
  });
});
