import { binaryCopyRows } from './copy-binary';

/** A binary COPY stream of these rows, as PostgreSQL writes it. */
function copyOf(rows: Array<Array<Buffer | null>>, extension = Buffer.alloc(0)): Buffer {
  const parts = [Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1'), Buffer.alloc(4), u32(extension.length), extension];
  for (const row of rows) {
    const count = Buffer.alloc(2);
    count.writeInt16BE(row.length);
    parts.push(count);
    for (const field of row) {
      const length = Buffer.alloc(4);
      length.writeInt32BE(field === null ? -1 : field.length);
      parts.push(length, ...(field ? [field] : []));
    }
  }
  const end = Buffer.alloc(2);
  end.writeInt16BE(-1);
  return Buffer.concat([...parts, end]);
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
}

describe('binaryCopyRows', () => {
  it('reads every byte value, empty fields, nulls and a header extension as written', () => {
    const everyByte = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    const rows = [[everyByte, Buffer.alloc(0)], [null, Buffer.from('åäö')]];
    expect(binaryCopyRows(copyOf(rows, Buffer.from('ext')))).toEqual(rows);
    expect(binaryCopyRows(copyOf([]))).toEqual([]);
  });

  it('refuses what is not a binary COPY stream, and one cut short', () => {
    expect(() => binaryCopyRows(Buffer.from('data\n'))).toThrow(/signature/);
    const whole = copyOf([[Buffer.from('a long enough field')]]);
    for (const cut of [whole.length - 1, whole.length - 5, 21])
      expect(() => binaryCopyRows(whole.subarray(0, cut))).toThrow(/ends in the middle/);
  });
});
