import { civicNoBirthDate, isValidSwedishCivicNo } from '../records/civic-number';
import type { LearnerRecord } from '../records/learner-record.types';
import { validateLearnerRecord } from '../records/learner-record.validator';
import { DEFAULT_SCHOOL_UNIT_COUNT, generatePupils, generateSchoolUnits } from './pupil-generator';

const take = (opts: Parameters<typeof generatePupils>[0]): LearnerRecord[] => [...generatePupils(opts)];

describe('generateSchoolUnits', () => {
  const units = generateSchoolUnits({ kommunCode: '1980', seed: 1, count: DEFAULT_SCHOOL_UNIT_COUNT });

  it('makes units with unique 8-digit codes and Swedish names', () => {
    expect(units).toHaveLength(DEFAULT_SCHOOL_UNIT_COUNT);
    expect(new Set(units.map((u) => u.code)).size).toBe(units.length);
    for (const unit of units) {
      expect(unit.code).toMatch(/^[0-9]{8}$/);
      expect(unit.name).toMatch(/(skolan|skola|gymnasiet)$/);
    }
    expect(units.map((u) => u.schoolTypes)).toContainEqual(['GY']);
  });

  it('gives unit j the same whatever the count, and the same again for the same seed', () => {
    expect(generateSchoolUnits({ kommunCode: '1980', seed: 1, count: 3 })).toEqual(units.slice(0, 3));
    expect(generateSchoolUnits({ kommunCode: '1980', seed: 2, count: 3 })).not.toEqual(units.slice(0, 3));
  });

  it('names units after made-up places in kommuner without listed districts', () => {
    const elsewhere = generateSchoolUnits({ kommunCode: '9999', seed: 1, count: 200 });
    expect(new Set(elsewhere.map((u) => u.name)).size).toBe(200);
  });

  it('refuses a kommun code that is not 4 digits', () => {
    expect(() => generateSchoolUnits({ kommunCode: '198', seed: 1, count: 1 })).toThrow(RangeError);
  });
});

describe('generatePupils', () => {
  // 30 pupils of each of the 13 stages (förskoleklass to gymnasium year 3).
  const pupils = take({ kommunCode: '1980', count: 390, seed: 42 });

  it('makes records that all pass the validator', () => {
    const failures = pupils
      .map((record) => ({ id: record.source.id, errors: validateLearnerRecord(record) }))
      .filter((result) => result.errors.length > 0);
    expect(failures).toEqual([]);
  });

  it('is byte-identical for the same seed, and differs for another', () => {
    const again = take({ kommunCode: '1980', count: 390, seed: 42 });
    expect(JSON.stringify(again)).toBe(JSON.stringify(pupils));
    const other = take({ kommunCode: '1980', count: 5, seed: 43 });
    expect(JSON.stringify(other)).not.toBe(JSON.stringify(pupils.slice(0, 5)));
  });

  it('does not depend on the clock', () => {
    jest.useFakeTimers({ now: new Date('2031-02-03T04:05:06Z') });
    try {
      expect(JSON.stringify(take({ kommunCode: '1980', count: 26, seed: 42 }))).toBe(
        JSON.stringify(pupils.slice(0, 26)),
      );
    } finally {
      jest.useRealTimers();
    }
  });

  it('gives pupil i the same record whatever count and startIndex', () => {
    const window = take({ kommunCode: '1980', count: 7, seed: 42, startIndex: 100 });
    expect(window).toEqual(pupils.slice(100, 107));
    expect(window[0].source).toEqual({ platform: 'seed', id: '1980-100' });
  });

  it('averages 7–14 KB of JSON per pupil', () => {
    const sample = take({ kommunCode: '0180', count: 200, seed: 7 });
    const average =
      sample.reduce((sum, record) => sum + Buffer.byteLength(JSON.stringify(record)), 0) / sample.length;
    expect(average).toBeGreaterThan(7 * 1024);
    expect(average).toBeLessThan(14 * 1024);
  });

  it('is a generator, so large counts are streamed rather than built', () => {
    const iterator = generatePupils({ kommunCode: '1980', count: 1_000_000, seed: 42 });
    expect(iterator.next().value).toEqual(pupils[0]);
    expect(typeof iterator[Symbol.iterator]).toBe('function');
  });

  describe('over a larger population', () => {
    const population = take({ kommunCode: '1480', count: 1300, seed: 11 });
    const share = (predicate: (record: LearnerRecord) => boolean) =>
      population.filter(predicate).length / population.length;

    it('gives unique valid civic numbers that match the birth date', () => {
      const numbers = population.flatMap((r) => (r.pupil.civicNo ? [r.pupil.civicNo.value] : []));
      expect(new Set(numbers).size).toBe(numbers.length);
      for (const record of population) {
        const civicNo = record.pupil.civicNo?.value;
        if (!civicNo) continue;
        expect(isValidSwedishCivicNo(civicNo)).toBe(true);
        expect(civicNoBirthDate(civicNo)).toBe(record.pupil.birthDate);
        // The second-to-last digit is odd for men, even for women.
        expect(Number(civicNo[10]) % 2).toBe(record.pupil.sex === 'Man' ? 1 : 0);
      }
    });

    it('has a few samordningsnummer and a few pupils without a civic number', () => {
      const coordination = share((r) => Number(r.pupil.civicNo?.value.slice(6, 8) ?? 0) > 60);
      expect(coordination).toBeGreaterThan(0.005);
      expect(coordination).toBeLessThan(0.04);
      const none = share((r) => r.pupil.civicNo === undefined);
      expect(none).toBeGreaterThan(0.01);
      expect(none).toBeLessThan(0.06);
    });

    it('marks about 1.5 % of pupils and keeps no address for skyddad folkbokföring', () => {
      const marked = share((r) => r.pupil.securityMarking !== 'Ingen');
      expect(marked).toBeGreaterThan(0.005);
      expect(marked).toBeLessThan(0.03);
      const protectedPupils = population.filter((r) => r.pupil.securityMarking === 'Skyddad folkbokföring');
      expect(protectedPupils.length).toBeGreaterThan(0);
      for (const record of protectedPupils) {
        expect(record.contact?.addresses).toBeUndefined();
        for (const guardian of record.guardians ?? []) expect(guardian.contact?.addresses).toBeUndefined();
      }
    });

    it('gives one or two guardians, mostly with custody, some without', () => {
      for (const record of population) expect([1, 2]).toContain(record.guardians?.length);
      const guardians = population.flatMap((r) => r.guardians ?? []);
      const withCustody = guardians.filter((g) => g.custody).length / guardians.length;
      expect(withCustody).toBeGreaterThan(0.85);
      expect(withCustody).toBeLessThan(1);
    });

    it('gives about one pupil in ten support measures', () => {
      const supported = share((r) => (r.supportMeasures?.length ?? 0) > 0);
      expect(supported).toBeGreaterThan(0.05);
      expect(supported).toBeLessThan(0.15);
    });

    it('has exactly one current placement in grundskola years 0–9 or gymnasium years 1–3', () => {
      const years = new Set<string>();
      for (const record of population) {
        const open = (record.enrolments ?? []).filter((e) => !e.endDate && e.schoolType !== 'FTH');
        expect(open).toHaveLength(1);
        const [current] = open;
        years.add(`${current.schoolType}${current.schoolYear}`);
        if (current.schoolType === 'GY') expect(current.programmeCode).toBeDefined();
      }
      expect([...years].sort()).toEqual(
        [
          'FKLASS0',
          'GR1',
          'GR2',
          'GR3',
          'GR4',
          'GR5',
          'GR6',
          'GR7',
          'GR8',
          'GR9',
          'GY1',
          'GY2',
          'GY3',
        ].sort(),
      );
    });

    it('grades from year 6 on the A–F scale, with slutbetyg only in the spring of year 9', () => {
      for (const record of population) {
        const current = (record.enrolments ?? []).find((e) => !e.endDate && e.schoolType !== 'FTH');
        const grades = record.grades ?? [];
        if (current?.schoolType !== 'GY' && (current?.schoolYear ?? 0) <= 6) expect(grades).toEqual([]);
        for (const grade of grades) {
          expect(['A', 'B', 'C', 'D', 'E', 'F']).toContain(grade.value);
          if (grade.final && !grade.courseCode) expect(grade.semester).toBe('VT');
        }
      }
      const values = population.flatMap((r) => (r.grades ?? []).map((g) => g.value));
      const fShare = values.filter((v) => v === 'F').length / values.length;
      expect(fShare).toBeGreaterThan(0.02);
      expect(fShare).toBeLessThan(0.15);
    });
  });
});
