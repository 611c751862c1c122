// Dates as real exports write them: YYYY-MM-DD, ISO 8601 date-times (with or without offset) and the
// "YYYY-MM-DD HH:MM:SS" that spreadsheet tools produce. Pure functions; nothing here reads the clock.

const DATE_LIKE =
  /^([0-9]{4})-([0-9]{2})-([0-9]{2})(?:[T ]([0-9]{2}):([0-9]{2})(?::([0-9]{2})(?:\.[0-9]{1,9})?)?(Z|[+-][0-9]{2}:?[0-9]{2})?)?$/;

export interface ParsedDate {
  /** The calendar date as written, YYYY-MM-DD (a date-time keeps its own date, not the UTC one). */
  date: string;
  /** Whether a time of day followed the date. */
  hasTime: boolean;
}

// A bundle repeats a few hundred distinct dates half a million times: parse each once.
const parsed = new Map<string, ParsedDate | null>();
const shifted = new Map<string, string>();
const CACHE_LIMIT = 20_000;

/** The calendar date in one of the accepted forms, or undefined when it is none of them or no real date. */
export function parseDateLike(text: string): ParsedDate | undefined {
  const known = parsed.get(text);
  if (known !== undefined) return known ?? undefined;
  const result = parse(text);
  if (parsed.size >= CACHE_LIMIT) parsed.clear();
  parsed.set(text, result ?? null);
  return result;
}

function parse(text: string): ParsedDate | undefined {
  const m = DATE_LIKE.exec(text.trim());
  if (!m) return undefined;
  const [, y, mo, d, hh, mm, ss] = m;
  if (!isCalendarDate(Number(y), Number(mo), Number(d))) return undefined;
  if (hh !== undefined && (Number(hh) > 23 || Number(mm) > 59 || (ss !== undefined && Number(ss) > 60)))
    return undefined;
  return { date: `${y}-${mo}-${d}`, hasTime: hh !== undefined };
}

/** YYYY-MM-DD plus `days` (negative to go back). */
export function addDays(date: string, days: number): string {
  const key = `${date}|${days}`;
  const known = shifted.get(key);
  if (known !== undefined) return known;
  if (shifted.size >= CACHE_LIMIT) shifted.clear();
  const result = shift(date, days);
  shifted.set(key, result);
  return result;
}

function shift(date: string, days: number): string {
  const t = Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10)));
  return new Date(t + days * 86_400_000).toISOString().slice(0, 10);
}

/** Days from `from` to `to` (both YYYY-MM-DD). */
export function daysBetween(from: string, to: string): number {
  const t = (d: string) => Date.UTC(Number(d.slice(0, 4)), Number(d.slice(5, 7)) - 1, Number(d.slice(8, 10)));
  return Math.round((t(to) - t(from)) / 86_400_000);
}

function isCalendarDate(year: number, month: number, day: number): boolean {
  if (year < 1 || month < 1 || month > 12 || day < 1) return false;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const days = month === 2 ? (leap ? 29 : 28) : [4, 6, 9, 11].includes(month) ? 30 : 31;
  return day <= days;
}
