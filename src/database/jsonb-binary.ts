// jsonb's binary form (jsonb_send / jsonb_recv): a version byte, then the JSON text in UTF-8. Bulk
// paths move records in it so that a record's text is never decoded on a thread that does not read it.

/** The only version PostgreSQL has written or reads. */
export const JSONB_BINARY_VERSION = 1;

/** The JSON text of jsonb's binary form. */
export function jsonbText(jsonb: Buffer): string {
  if (jsonb[0] !== JSONB_BINARY_VERSION) throw new Error(`unknown jsonb binary version ${jsonb[0]}`);
  return jsonb.toString('utf8', 1);
}
