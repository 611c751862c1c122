import * as fc from 'fast-check';
import {
  civicNoBirthDate,
  civicNoKind,
  civicNoProblem,
  isValidSwedishCivicNo,
  luhnCheckDigit,
  luhnValid,
  normaliseCivicNo,
} from './civic-number';

const pad = (n: number, width: number): string => String(n).padStart(width, '0');

/** A valid twelve-digit civic number built from its parts. */
const validCivicNo = fc
  .record({
    date: fc.date({
      min: new Date('1900-01-01T00:00:00Z'),
      max: new Date('2099-12-31T00:00:00Z'),
      noInvalidDate: true,
    }),
    serial: fc.integer({ min: 0, max: 999 }),
    coordination: fc.boolean(),
  })
  .map(({ date, serial, coordination }) => {
    const day = date.getUTCDate() + (coordination ? 60 : 0);
    const datePart = `${pad(date.getUTCFullYear(), 4)}${pad(date.getUTCMonth() + 1, 2)}${pad(day, 2)}`;
    const payload = datePart.slice(2) + pad(serial, 3);
    return { value: datePart + pad(serial, 3) + String(luhnCheckDigit(payload)), coordination, date };
  });

describe('luhnValid', () => {
  it('accepts known-good numbers and rejects known-bad ones', () => {
    expect(luhnValid('8112189876')).toBe(true); // Skatteverket's example 811218-9876
    expect(luhnValid('79927398713')).toBe(true);
    expect(luhnValid('8112189875')).toBe(false);
    expect(luhnValid('')).toBe(false);
    expect(luhnValid('81121a9876')).toBe(false);
  });

  it('rejects any single-digit change of a valid number', () => {
    fc.assert(
      fc.property(
        validCivicNo,
        fc.integer({ min: 0, max: 9 }),
        fc.integer({ min: 1, max: 9 }),
        ({ value }, position, delta) => {
          const ten = value.slice(2);
          const changed = (Number(ten[position]) + delta) % 10;
          const mutated = ten.slice(0, position) + String(changed) + ten.slice(position + 1);
          expect(luhnValid(mutated)).toBe(false);
        },
      ),
    );
  });
});

describe('isValidSwedishCivicNo', () => {
  it('accepts every generated valid number and classifies it', () => {
    fc.assert(
      fc.property(validCivicNo, ({ value, coordination, date }) => {
        expect(isValidSwedishCivicNo(value)).toBe(true);
        expect(civicNoKind(value)).toBe(coordination ? 'samordningsnummer' : 'personnummer');
        expect(civicNoBirthDate(value)).toBe(date.toISOString().slice(0, 10));
      }),
    );
  });

  it('accepts a personnummer and a samordningsnummer', () => {
    expect(isValidSwedishCivicNo('198112189876')).toBe(true);
    expect(civicNoKind('198112189876')).toBe('personnummer');
    expect(isValidSwedishCivicNo('197010632391')).toBe(true); // 701063-2391, day 03 + 60
    expect(civicNoKind('197010632391')).toBe('samordningsnummer');
  });

  it('says why a value is not a civic number', () => {
    expect(civicNoProblem('8112189876')).toBe('must be 12 digits, YYYYMMDDNNNN');
    expect(civicNoProblem('19811218-9876')).toBe('must be 12 digits, YYYYMMDDNNNN');
    expect(civicNoProblem('198113189876')).toBe('does not begin with a valid date of birth');
    expect(civicNoProblem('201502290000')).toBe('does not begin with a valid date of birth'); // not a leap year
    expect(civicNoProblem('198112329876')).toBe('does not begin with a valid date of birth');
    expect(civicNoProblem('198112929876')).toBe('does not begin with a valid date of birth'); // day 32 + 60
    expect(civicNoProblem('198112189875')).toBe('has a wrong check digit');
    expect(civicNoKind('198112189875')).toBeUndefined();
    expect(civicNoBirthDate('198112189875')).toBeUndefined();
  });

  it('accepts 29 February in a leap year', () => {
    const payload = '200229123';
    expect(isValidSwedishCivicNo(`20${payload}${luhnCheckDigit(payload)}`)).toBe(true);
  });
});

describe('normaliseCivicNo', () => {
  const reference = new Date('2026-08-15T12:00:00Z');

  it('keeps twelve-digit forms, with or without separator', () => {
    expect(normaliseCivicNo('198112189876', reference)).toBe('198112189876');
    expect(normaliseCivicNo('19811218-9876', reference)).toBe('198112189876');
    expect(normaliseCivicNo(' 19811218 - 9876 ', reference)).toBe('198112189876');
  });

  it('puts a ten-digit number with "-" in the last hundred years', () => {
    expect(normaliseCivicNo('811218-9876', reference)).toBe('198112189876');
    expect(normaliseCivicNo('8112189876', reference)).toBe('198112189876');
    expect(normaliseCivicNo('200815-1234', reference)).toBe('202008151234');
    expect(normaliseCivicNo('260815-1234', reference)).toBe('202608151234'); // born on the reference day
    expect(normaliseCivicNo('260816-1234', reference)).toBe('192608161234'); // a day later would be unborn
    expect(normaliseCivicNo('260876-1234', reference)).toBe('192608761234'); // samordningsnummer, day 16
  });

  it('puts a ten-digit number with "+" a century earlier', () => {
    expect(normaliseCivicNo('200815+1234', reference)).toBe('192008151234');
    expect(normaliseCivicNo('260816+1234', reference)).toBe('182608161234');
  });

  it('refuses other shapes', () => {
    for (const input of ['', '81121-9876', '811218/9876', 'abcdefghij', '1981121898761']) {
      expect(normaliseCivicNo(input, reference)).toBeUndefined();
    }
  });

  it('round-trips a valid number written as YYMMDD-NNNN for anyone under 100', () => {
    fc.assert(
      fc.property(validCivicNo, ({ value, date }) => {
        fc.pre(date.getTime() <= reference.getTime() && date.getUTCFullYear() > 1926);
        const short = `${value.slice(2, 8)}-${value.slice(8)}`;
        expect(normaliseCivicNo(short, reference)).toBe(value);
      }),
    );
  });
});
