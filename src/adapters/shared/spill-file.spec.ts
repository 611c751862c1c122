import { readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { SpillFile, type SpillPlace } from './spill-file';

const spillDirs = () => readdirSync(tmpdir()).filter((name) => name.startsWith('portabel-spill-'));

describe('SpillFile', () => {
  it('gives back each text by its place, in any order, across writes and multi-byte letters', () => {
    const spill = new SpillFile();
    const texts = Array.from({ length: 5_000 }, (_, i) => `{"id":"${i}","namn":"Åsa Öberg ${'ä'.repeat(i % 700)}"}`);
    const places: SpillPlace[] = texts.map((t) => spill.append(t));
    try {
      // Read before and after the pending texts reach the disk, and in a scattered order.
      expect(spill.read(places[4_999])).toBe(texts[4_999]);
      const order = [0, 4_998, 17, 18, 19, 2_500, 3, 1];
      expect(spill.readMany(order.map((i) => places[i]))).toEqual(order.map((i) => texts[i]));
      expect(spill.readMany(places)).toEqual(texts);
      expect(spill.readMany([])).toEqual([]);
      expect(places[1].at).toBe(places[0].at + places[0].bytes);
      expect(places[1].bytes).toBe(Buffer.byteLength(texts[1]));
    } finally {
      spill.dispose();
    }
  });

  it('leaves nothing in the temporary directory, even before it is disposed of', () => {
    const before = spillDirs();
    const spill = new SpillFile();
    for (let i = 0; i < 300; i++) spill.append('x'.repeat(10_000)); // over one write
    expect(spill.read({ at: 10_000 * 299, bytes: 10_000 })).toBe('x'.repeat(10_000));
    expect(spillDirs()).toEqual(before);
    spill.dispose();
  });
});
