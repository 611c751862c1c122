import { DomainError } from '../problem/domain-error';
import { PROBLEMS } from '../problem/problem-types';

/**
 * Opaque paging cursors: base64url JSON with a kind tag, so a cursor of one list is refused by another
 * and clients cannot come to depend on what is inside.
 */
export function encodeCursor(kind: string, position: string): string {
  return Buffer.from(JSON.stringify({ k: kind, p: position })).toString('base64url');
}

export function decodeCursor(
  kind: string,
  cursor: string | undefined,
  valid: (p: string) => boolean,
): string | undefined {
  if (cursor === undefined || cursor === '') return undefined;
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as {
      k?: unknown;
      p?: unknown;
    };
    if (parsed.k === kind && typeof parsed.p === 'string' && valid(parsed.p)) return parsed.p;
  } catch {
    // fall through to the refusal below
  }
  const detail = 'The cursor is not one this list handed out. Start again without a cursor.';
  throw new DomainError(PROBLEMS.invalidCursor, 'CURSOR.INVALID', detail, [{ parameter: 'cursor', detail }]);
}
