/**
 * Rows of PostgreSQL's binary COPY format (`COPY … TO STDOUT (FORMAT binary)`), each field as its
 * bytes or null. A bytea field comes as the bytes themselves: with COPY nothing is hex-encoded by the
 * server and decoded here, and no field passes through a text decoding (the pg driver reads every
 * field of an ordinary result as UTF-8 text, which would corrupt binary data).
 *
 * The format: the signature, 32-bit flags, a header extension of a 32-bit length; then per row a
 * 16-bit field count and per field a 32-bit length (-1 for null) and the bytes; a count of -1 ends it.
 * The fields are views into `copy`, not copies.
 */
export function binaryCopyRows(copy: Buffer): Array<Array<Buffer | null>> {
  if (copy.length < HEADER.length + 8 || !copy.subarray(0, HEADER.length).equals(HEADER))
    throw new Error('not a binary COPY stream: the signature is missing');
  let at = HEADER.length + 4; // flags: bit 16 (OIDs) is never asked for here
  const extension = copy.readUInt32BE(at);
  at += 4 + extension;
  const rows: Array<Array<Buffer | null>> = [];
  for (;;) {
    need(copy, at, 2);
    const fields = copy.readInt16BE(at);
    at += 2;
    if (fields === -1) return rows;
    const row: Array<Buffer | null> = [];
    for (let i = 0; i < fields; i++) {
      need(copy, at, 4);
      const length = copy.readInt32BE(at);
      at += 4;
      if (length === -1) {
        row.push(null);
        continue;
      }
      need(copy, at, length);
      row.push(copy.subarray(at, at + length));
      at += length;
    }
    rows.push(row);
  }
}

const HEADER = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');

function need(copy: Buffer, at: number, bytes: number): void {
  if (at + bytes > copy.length) throw new Error('the binary COPY stream ends in the middle of a row');
}
