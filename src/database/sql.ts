import { escapeIdentifier } from 'pg';

/**
 * SQL with its values already quoted as literals (escapeLiteral below). It exists so that several
 * statements can travel in one simple-protocol message (one round trip, one implicit transaction),
 * which bind parameters do not allow. Values enter only through the `sql` tag, never by concatenation.
 */
export class Sql {
  constructor(readonly text: string) {}
}

/**
 * A string literal that means the same whatever standard_conforming_strings says: E'' with
 * backslashes and quotes doubled, as pg's escapeLiteral does, but by regex (pg's loops per
 * character: 100 µs for a 15 KB record against 2 µs).
 */
export function escapeLiteral(value: string): string {
  const quoted = value.replace(/'/g, "''");
  return value.includes('\\') ? `E'${quoted.replace(/\\/g, '\\\\')}'` : `'${quoted}'`;
}

type SqlValue = string | number | boolean | null | Date | Sql | readonly string[] | readonly number[];

function literal(value: SqlValue): string {
  if (value instanceof Sql) return value.text;
  if (value === null) return 'NULL';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error('non-finite number in SQL');
    return String(value);
  }
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  if (value instanceof Date) return `${escapeLiteral(value.toISOString())}::timestamptz`;
  if (Array.isArray(value)) return `ARRAY[${value.map((v) => literal(v as SqlValue)).join(',')}]`;
  return escapeLiteral(value as string);
}

export function sql(strings: TemplateStringsArray, ...values: SqlValue[]): Sql {
  let text = strings[0];
  values.forEach((value, i) => (text += literal(value) + strings[i + 1]));
  return new Sql(text);
}

/** An identifier (table, column), quoted. */
export const ident = (name: string): Sql => new Sql(escapeIdentifier(name));

/** Joins fragments with a separator (for optional WHERE clauses). */
export const join = (parts: Sql[], separator: string): Sql =>
  new Sql(parts.map((p) => p.text).join(separator));
