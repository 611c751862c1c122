/** Strong entity tags from a resource's version number. */
export const etagFor = (version: number): string => `"v${version}"`;

/** True when an If-Match / If-None-Match header value names this version (or is `*`). */
export function etagMatches(header: string | undefined, version: number): boolean {
  if (header === undefined) return false;
  const wanted = etagFor(version);
  return header
    .split(',')
    .map((t) => t.trim().replace(/^W\//, ''))
    .some((t) => t === '*' || t === wanted);
}
