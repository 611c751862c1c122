import { Readable } from 'node:stream';
import { readCsv, readCsvBatches } from './csv-reader';

async function read(bytes: Buffer | string, max = 1000) {
  const out = [];
  for await (const record of readCsv(Readable.from([Buffer.from(bytes)]), 'x.csv', max)) out.push(record);
  return out;
}

async function refusal(bytes: Buffer | string, max = 1000) {
  try {
    await read(bytes, max);
  } catch (error) {
    return error as { code: string; errors: unknown[] };
  }
  throw new Error('not refused');
}

describe('readCsv', () => {
  it('skips a BOM and blank lines, reads CRLF, quoted commas, quotes and line breaks, and counts physical lines', async () => {
    expect(await read('\uFEFFa,b\r\n1,"x\ny"\r\n\r\n2,3\r\n4,"q""uote, comma"\r\n')).toEqual([
      { cells: ['a', 'b'], line: 1 },
      { cells: ['1', 'x\ny'], line: 2 },
      { cells: ['2', '3'], line: 5 },
      { cells: ['4', 'q"uote, comma'], line: 6 },
    ]);
  });

  it('refuses bytes that are not UTF-8 at their line and field', async () => {
    const latin1 = Buffer.concat([
      Buffer.from('a,b\n1,2\n3,G'),
      Buffer.from([0xf6]),
      Buffer.from('teborg\n'),
    ]);
    expect(await refusal(latin1)).toEqual(
      expect.objectContaining({
        code: 'ONEROSTER.ENCODING',
        errors: [expect.objectContaining({ file: 'x.csv', line: 3, column: 2 })],
      }),
    );
  });

  it('reads UTF-8 split across chunks', async () => {
    const bytes = Buffer.from('a\nÅsa\n');
    const chunks = [bytes.subarray(0, 3), bytes.subarray(3)];
    const out = [];
    for await (const record of readCsv(Readable.from(chunks), 'x.csv', 100)) out.push(record.cells[0]);
    expect(out).toEqual(['a', 'Åsa']);
  });

  it('refuses a field over the limit, a row of the wrong width and an unclosed quote', async () => {
    expect(await refusal(`a,b\n1,${'x'.repeat(5000)}\n`)).toEqual(
      expect.objectContaining({
        code: 'ONEROSTER.FIELD_TOO_LARGE',
        errors: [expect.objectContaining({ line: 2, column: 2 })],
      }),
    );
    expect(await refusal('a,b\n1,2,3\n')).toEqual(
      expect.objectContaining({
        code: 'ONEROSTER.CSV_SYNTAX',
        errors: [expect.objectContaining({ line: 2 })],
      }),
    );
    expect(await refusal('a,b\n1,"2\n3,4\n')).toEqual(
      expect.objectContaining({ code: 'ONEROSTER.CSV_SYNTAX' }),
    );
  });

  it('reads the same records however the bytes are cut into chunks', async () => {
    const text = '\uFEFFid,name,note\r\n1,Åsa,"a ""q"", b\r\nc"\r\n2,Ölof,x"y\n\n3,,\n4,"",end';
    const whole = await read(text);
    expect(whole).toEqual([
      { cells: ['id', 'name', 'note'], line: 1 },
      { cells: ['1', 'Åsa', 'a "q", b\r\nc'], line: 2 },
      { cells: ['2', 'Ölof', 'x"y'], line: 4 },
      { cells: ['3', '', ''], line: 6 },
      { cells: ['4', '', 'end'], line: 7 },
    ]);
    const bytes = Buffer.from(text);
    for (let cut = 1; cut < bytes.length; cut++) {
      const out = [];
      for await (const r of readCsv(
        Readable.from([bytes.subarray(0, cut), bytes.subarray(cut)]),
        'x.csv',
        1000,
      ))
        out.push(r);
      expect(out).toEqual(whole);
    }
  });

  it('refuses text after a closing quote, and a quoted field that outgrows the limit before it closes', async () => {
    expect(await refusal('a,b\n1,"2"x\n')).toEqual(
      expect.objectContaining({
        code: 'ONEROSTER.CSV_SYNTAX',
        errors: [expect.objectContaining({ line: 2 })],
      }),
    );
    expect(await refusal(`a,b\n1,"${'x'.repeat(5000)}`)).toEqual(
      expect.objectContaining({
        code: 'ONEROSTER.FIELD_TOO_LARGE',
        errors: [expect.objectContaining({ line: 2, column: 2 })],
      }),
    );
  });

  it('hands out batches as pieces arrive, never an empty one, and the good rows of a piece before its bad row', async () => {
    const pieces = ['a,b\n1,', '2\n\n', '3,4\n5,6\n7\n8,9\n'].map((p) => Buffer.from(p));
    const seen: Array<Array<{ cells: string[]; line: number }>> = [];
    let fault: unknown;
    try {
      for await (const batch of readCsvBatches(Readable.from(pieces), 'x.csv', 1000)) seen.push(batch);
    } catch (error) {
      fault = error;
    }
    expect(seen).toEqual([
      [{ cells: ['a', 'b'], line: 1 }],
      [{ cells: ['1', '2'], line: 2 }],
      [
        { cells: ['3', '4'], line: 4 },
        { cells: ['5', '6'], line: 5 },
      ],
    ]);
    expect(fault).toEqual(
      expect.objectContaining({
        code: 'ONEROSTER.CSV_SYNTAX',
        errors: [expect.objectContaining({ file: 'x.csv', line: 6 })],
      }),
    );
  });
});
