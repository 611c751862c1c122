import type { StagedItem } from './import-jobs.repository';
import { packBatch, recordJsonOf } from './staged-batch';

const item = (seq: number, recordJson: string | null): StagedItem => ({
  seq,
  kind: recordJson === null ? 'rejected' : 'record',
  sourceId: `p-${seq}`,
  contentHash: null,
  recordJson,
  loss: [],
  errors: [],
  location: { pointer: `/persons/${seq}` },
});

describe('packBatch', () => {
  it('puts every record in one fresh buffer as jsonb binary input, text intact, and keeps the rest as it is', () => {
    const texts = ['{"givenName":"Åsa-Märta"}', '{"givenName":"Zoë 🦊 𝔄"}', '{}'];
    const { rows, buffer } = packBatch([
      item(1, texts[0]),
      item(2, null),
      item(3, texts[1]),
      item(4, texts[2]),
    ]);
    expect(rows.map((r) => r.seq)).toEqual([1, 2, 3, 4]);
    expect(rows[1]).toMatchObject({
      seq: 2,
      kind: 'rejected',
      recordJsonb: null,
      location: { pointer: '/persons/2' },
    });
    expect(rows.map(recordJsonOf)).toEqual([texts[0], null, texts[1], texts[2]]);
    for (const row of [rows[0], rows[2], rows[3]]) {
      expect(row.recordJsonb!.buffer).toBe(buffer); // a view, not a copy: the buffer is what moves
      expect(row.recordJsonb![0]).toBe(1); // jsonb's binary version
    }
    const utf8 = texts.reduce((n, t) => n + 1 + Buffer.byteLength(t), 0);
    expect(buffer.byteLength).toBe(utf8);
    expect(rows[0]).not.toHaveProperty('recordJson');
  });

  it('packs an empty batch, or one without records, into an empty buffer', () => {
    expect(packBatch([]).buffer.byteLength).toBe(0);
    expect(packBatch([item(1, null)]).buffer.byteLength).toBe(0);
  });
});
