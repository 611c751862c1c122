import type { LearnerRecord } from '../../records/learner-record.types';
import { diffSections, transferSource } from './inbox-diff';

const base = {
  schemaVersion: '1.0',
  source: { platform: 'vklass', id: 'x' },
  pupil: { civicNo: { value: '201203152382', nationality: 'SE' }, givenName: 'Märta', familyName: 'Öberg' },
} as unknown as LearnerRecord;

const grade = (value: string) => ({ subjectCode: 'MA', scale: 'A-F', value, date: '2025-06-10' });

describe('inbox diff', () => {
  it('says every section of a pupil held nowhere is added', () => {
    const incoming = { ...base, grades: [grade('A')] } as unknown as LearnerRecord;
    expect(diffSections(incoming, undefined)).toEqual([
      { section: 'pupil', change: 'added', incoming: 1, held: 0 },
      { section: 'grades', change: 'added', incoming: 1, held: 0 },
    ]);
  });

  it('ignores provenance and the source, and names what changed, came or went', () => {
    const held = {
      ...base,
      source: { platform: 'transfer', id: '1980:abc' },
      pupil: { ...base.pupil, provenance: { adapter: 'api' } },
      grades: [{ ...grade('A'), provenance: { adapter: 'api' } }],
      attendance: [{ term: 'HT2024' }],
    } as unknown as LearnerRecord;
    const incoming = {
      ...base,
      grades: [grade('B')],
      achievements: [{ id: 'a' }],
    } as unknown as LearnerRecord;
    expect(diffSections(incoming, held)).toEqual([
      { section: 'pupil', change: 'unchanged', incoming: 1, held: 1 },
      { section: 'grades', change: 'changed', incoming: 1, held: 1 },
      { section: 'attendance', change: 'removed', incoming: 0, held: 1 },
      { section: 'achievements', change: 'added', incoming: 1, held: 0 },
    ]);
  });

  it('keeps a transferred pupil under one source per sending kommun and pupil', () => {
    expect(transferSource('1980', 'abc')).toEqual({ platform: 'transfer', id: '1980:abc' });
  });
});
