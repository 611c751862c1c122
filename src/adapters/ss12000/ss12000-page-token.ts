import { DomainError } from '../../common/problem/domain-error';
import { PROBLEMS } from '../../common/problem/problem-types';

/** Where a paged SS 12000 list stopped, and the filters it was asked with (SS 12000 keeps them in the token). */
export type PageState = Record<string, string | number | boolean | undefined>;

export const pageTokenInvalid = (): DomainError => {
  const detail = 'pageToken is not one this list handed out. Start again without it.';
  return new DomainError(PROBLEMS.invalidCursor, 'SS12000.PAGE_TOKEN_INVALID', detail, [
    { parameter: 'pageToken', detail },
  ]);
};

/** Opaque to clients: base64url JSON tagged with the list it belongs to. */
export function encodePageToken(list: string, state: PageState): string {
  return Buffer.from(JSON.stringify({ l: list, ...state })).toString('base64url');
}

export function decodePageToken(list: string, token: string): PageState {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw pageTokenInvalid();
  }
  if (typeof parsed !== 'object' || parsed === null || (parsed as { l?: unknown }).l !== list)
    throw pageTokenInvalid();
  const state = { ...(parsed as PageState) };
  delete state.l;
  return state;
}

/** The list behind a token refused the position it carries: say so as the token's fault. */
export function asPageTokenError(err: unknown): unknown {
  return err instanceof DomainError && err.code === 'CURSOR.INVALID' ? pageTokenInvalid() : err;
}

/** SS 12000: filters travel in the token, so a request with a pageToken must not repeat them (400). */
export function filtersWithToken(names: string[]): DomainError {
  const detail = `${names.join(', ')} cannot be combined with pageToken: the token carries the first request's filters.`;
  return badQuery('SS12000.FILTER_WITH_PAGE_TOKEN', names, detail);
}

export function badQuery(code: string, parameters: string[], detail: string): DomainError {
  return new DomainError(
    PROBLEMS.validationFailed,
    code,
    detail,
    parameters.map((parameter) => ({ parameter, detail })),
  );
}
