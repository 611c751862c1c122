// Swedish civic numbers (personnummer, samordningsnummer): Skatteverket SKV 704 and SKV 707.
// Pure functions; nothing here reads the clock.

export type CivicNoKind = 'personnummer' | 'samordningsnummer';

/** Samordningsnummer add this to the day of birth (SKV 707). */
const COORDINATION_DAY_OFFSET = 60;

/** Luhn (mod 10) check over a string of digits whose last digit is the check digit. */
export function luhnValid(digits: string): boolean {
  if (!/^[0-9]+$/.test(digits)) return false;
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let digit = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return sum % 10 === 0;
}

/** The digit that, appended to `payload`, makes it pass the Luhn check. */
export function luhnCheckDigit(payload: string): number {
  if (!/^[0-9]*$/.test(payload)) throw new RangeError('payload must be digits');
  for (let digit = 0; digit <= 9; digit++) {
    if (luhnValid(payload + String(digit))) return digit;
  }
  /* istanbul ignore next: one of ten digits always completes a Luhn sum */
  throw new Error('unreachable');
}

/**
 * Why a twelve-digit value (YYYYMMDDNNNN) is not a Swedish civic number, or undefined when it is one.
 * The date part must be a real date (day + 60 for a samordningsnummer); the Luhn check runs over the
 * last ten digits, as Skatteverket computes it on the ten-digit form.
 */
export function civicNoProblem(value12: string): string | undefined {
  if (!/^[0-9]{12}$/.test(value12)) return 'must be 12 digits, YYYYMMDDNNNN';
  const year = Number(value12.slice(0, 4));
  const month = Number(value12.slice(4, 6));
  const rawDay = Number(value12.slice(6, 8));
  const day = rawDay > COORDINATION_DAY_OFFSET ? rawDay - COORDINATION_DAY_OFFSET : rawDay;
  if (year < 1800 || !isCalendarDate(year, month, day)) return 'does not begin with a valid date of birth';
  if (!luhnValid(value12.slice(2))) return 'has a wrong check digit';
  return undefined;
}

/** Whether a twelve-digit value is a valid personnummer or samordningsnummer. */
export function isValidSwedishCivicNo(value12: string): boolean {
  return civicNoProblem(value12) === undefined;
}

/** Which kind of number a valid twelve-digit value is; undefined when it is not valid. */
export function civicNoKind(value12: string): CivicNoKind | undefined {
  if (!isValidSwedishCivicNo(value12)) return undefined;
  return Number(value12.slice(6, 8)) > COORDINATION_DAY_OFFSET ? 'samordningsnummer' : 'personnummer';
}

/** The date of birth (YYYY-MM-DD) a valid twelve-digit value encodes; undefined when it is not valid. */
export function civicNoBirthDate(value12: string): string | undefined {
  if (!isValidSwedishCivicNo(value12)) return undefined;
  const rawDay = Number(value12.slice(6, 8));
  const day = rawDay > COORDINATION_DAY_OFFSET ? rawDay - COORDINATION_DAY_OFFSET : rawDay;
  return `${value12.slice(0, 4)}-${value12.slice(4, 6)}-${String(day).padStart(2, '0')}`;
}

/**
 * Turns the common written forms into twelve digits YYYYMMDDNNNN, or undefined when the input has
 * none of them. Accepts YYYYMMDDNNNN, YYYYMMDD-NNNN, YYMMDDNNNN, YYMMDD-NNNN and YYMMDD+NNNN.
 * Ten-digit forms get the century from `referenceDate` (its UTC date): with "-" (or none) the person is
 * under 100 on that date, with "+" 100 or older (folkbokföringslagen 18 §). Does not check the digits;
 * pass the result to isValidSwedishCivicNo.
 */
export function normaliseCivicNo(input: string, referenceDate: Date): string | undefined {
  const compact = input.trim().replace(/\s+/g, '');
  const long = /^([0-9]{8})[-+]?([0-9]{4})$/.exec(compact);
  if (long) return long[1] + long[2];
  const short = /^([0-9]{6})([-+]?)([0-9]{4})$/.exec(compact);
  if (!short) return undefined;

  const [, datePart, separator, serial] = short;
  const yy = Number(datePart.slice(0, 2));
  const month = Number(datePart.slice(2, 4));
  const rawDay = Number(datePart.slice(4, 6));
  const day = rawDay > COORDINATION_DAY_OFFSET ? rawDay - COORDINATION_DAY_OFFSET : rawDay;

  const refYear = referenceDate.getUTCFullYear();
  const refMonthDay = (referenceDate.getUTCMonth() + 1) * 100 + referenceDate.getUTCDate();
  // The latest year ending in yy whose birthday is not after the reference date.
  let year = refYear - ((((refYear - yy) % 100) + 100) % 100);
  if (year === refYear && month * 100 + day > refMonthDay) year -= 100;
  if (separator === '+') year -= 100;
  return String(year).padStart(4, '0') + datePart.slice(2) + serial;
}

function isCalendarDate(year: number, month: number, day: number): boolean {
  if (month < 1 || month > 12 || day < 1) return false;
  return day <= daysInMonth(year, month);
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) {
    const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
    return leap ? 29 : 28;
  }
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}
