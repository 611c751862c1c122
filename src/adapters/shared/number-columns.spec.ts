import fc from 'fast-check';
import { HashedSlots, NumberColumn } from './number-columns';

describe('NumberColumn', () => {
  it('keeps every value pushed, past its growth, Float64 past 2^31', () => {
    const offsets = new NumberColumn(Float64Array);
    const small = new NumberColumn(Int32Array);
    for (let i = 0; i < 5_000; i++) {
      offsets.push(2 ** 31 + i * 1_000_003);
      small.push(-i);
    }
    expect(offsets.length).toBe(5_000);
    expect(offsets.get(4_999)).toBe(2 ** 31 + 4_999 * 1_000_003);
    expect(small.get(0)).toBe(0);
    expect(small.get(4_321)).toBe(-4_321);
  });
});

describe('HashedSlots', () => {
  it('finds every slot added under its hash, and only slots of that hash, as a Map of lists would', () => {
    fc.assert(
      fc.property(
        // Few distinct hashes, many slots: collisions and long probe runs, negative hashes too.
        fc.array(fc.integer({ min: -40, max: 40 }), { maxLength: 3_000 }),
        (hashes) => {
          const table = new HashedSlots();
          const expected = new Map<number, number[]>();
          hashes.forEach((hash, slot) => {
            table.add(hash, slot);
            expected.set(hash, [...(expected.get(hash) ?? []), slot]);
          });
          for (let hash = -41; hash <= 41; hash++)
            expect(table.candidates(hash).sort((a, b) => a - b)).toEqual(expected.get(hash) ?? []);
        },
      ),
      { numRuns: 50 },
    );
  });

  it('takes full 32-bit hashes', () => {
    const table = new HashedSlots();
    table.add(0x811c9dc5 | 0, 7);
    table.add(-1, 8);
    expect(table.candidates(0x811c9dc5 | 0)).toEqual([7]);
    expect(table.candidates(-1)).toEqual([8]);
    expect(table.candidates(1)).toEqual([]);
  });
});
