/**
 * A platform's OAuth client id: "<kommun code>:<platform id>". The kommun comes first so the token
 * endpoint knows the tenant before it reads a row (all of them are under row-level security).
 */
export const clientIdOf = (kommunCode: string, platformId: string): string => `${kommunCode}:${platformId}`;

const CLIENT_ID = /^([0-9]{4}):([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;

export function parseClientId(value: unknown): { kommunCode: string; platformId: string } | undefined {
  const m = typeof value === 'string' ? CLIENT_ID.exec(value) : null;
  return m ? { kommunCode: m[1], platformId: m[2] } : undefined;
}
