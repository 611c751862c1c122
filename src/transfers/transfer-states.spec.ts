import { retryDelayMs } from './transfer-states';

describe('retryDelayMs', () => {
  it('doubles from the base with each attempt', () => {
    expect([1, 2, 3, 4].map((a) => retryDelayMs(a, 100, 1_000_000, 0))).toEqual([100, 200, 400, 800]);
  });

  it('never waits longer than the cap, however many attempts', () => {
    expect(retryDelayMs(200, 100, 5000, 0)).toBe(5000);
  });

  it('takes at most a fifth off for jitter', () => {
    expect(retryDelayMs(1, 1000, 10_000, 1)).toBe(800);
    expect(retryDelayMs(1, 1000, 10_000, 0.5)).toBe(900);
  });
});
