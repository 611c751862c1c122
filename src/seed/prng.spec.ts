import { createPrng, deriveSeed } from './prng';

describe('createPrng', () => {
  it('gives the same sequence for the same seed and another for another seed', () => {
    const draw = (seed: number) => {
      const prng = createPrng(seed);
      return Array.from({ length: 5 }, () => prng.next());
    };
    expect(draw(42)).toEqual(draw(42));
    expect(draw(42)).not.toEqual(draw(43));
  });

  it('pins the sequence, so seed data stays the same across releases', () => {
    const prng = createPrng(1);
    expect(Array.from({ length: 4 }, () => prng.int(0, 999))).toEqual([425, 790, 691, 524]);
  });

  it('keeps every helper within its range', () => {
    const prng = createPrng(7);
    for (let i = 0; i < 10_000; i++) {
      const x = prng.next();
      expect(x >= 0 && x < 1).toBe(true);
      const n = prng.int(-2, 3);
      expect(Number.isInteger(n) && n >= -2 && n <= 3).toBe(true);
      expect(Math.abs(prng.normal())).toBeLessThanOrEqual(3 * Math.SQRT2);
    }
    expect(['a', 'b', 'c']).toContain(prng.pick(['a', 'b', 'c']));
    expect(prng.sample([1, 2, 3, 4, 5], 3).sort()).toHaveLength(3);
    expect(new Set(prng.sample([1, 2, 3, 4, 5], 5))).toEqual(new Set([1, 2, 3, 4, 5]));
    expect(() => prng.pick([])).toThrow(RangeError);
  });

  it('draws in proportion to weights and chances', () => {
    const prng = createPrng(3);
    const counts = { a: 0, b: 0, never: 0 };
    let heads = 0;
    for (let i = 0; i < 20_000; i++) {
      counts[
        prng.weighted([
          ['a', 3],
          ['b', 1],
          ['never', 0],
        ] as const)
      ]++;
      if (prng.chance(0.1)) heads++;
    }
    expect(counts.never).toBe(0);
    expect(counts.a / counts.b).toBeGreaterThan(2.7);
    expect(counts.a / counts.b).toBeLessThan(3.3);
    expect(heads / 20_000).toBeCloseTo(0.1, 1);
  });
});

describe('deriveSeed', () => {
  it('is stable and tells its parts apart', () => {
    expect(deriveSeed(1, '1980', 'pupil', 7)).toBe(deriveSeed(1, '1980', 'pupil', 7));
    expect(deriveSeed(1, '1980', 'pupil', 7)).not.toBe(deriveSeed(1, '1980', 'pupil', 8));
    // The number 1 and the string '1' are different parts.
    expect(deriveSeed(1)).not.toBe(deriveSeed('1'));
    expect(Number.isInteger(deriveSeed('x')) && deriveSeed('x') >= 0 && deriveSeed('x') < 2 ** 32).toBe(true);
  });
});
