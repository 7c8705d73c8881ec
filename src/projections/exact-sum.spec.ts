import { loadedSum, plus, storedSum } from './exact-sum';

const MAX = Number.MAX_SAFE_INTEGER;

describe('exact sums of points', () => {
  it('adds numbers while the sum is safe, and goes on in bigint past it', () => {
    expect(plus(1, 2)).toBe(3);
    expect(plus(MAX - 1, 1)).toBe(MAX);
    expect(plus(MAX, 1)).toBe(2n ** 53n);
    expect(plus(plus(MAX, MAX), MAX)).toBe(3n * BigInt(MAX));
  });

  it('stays exact past 2^63, and comes back to a number when the sum is safe again', () => {
    let sum: number | bigint = 0;
    for (let i = 0; i < 1030; i++) sum = plus(sum, MAX);
    expect(sum).toBe(1030n * BigInt(MAX));
    expect(sum > 2n ** 63n).toBe(true);
    for (let i = 0; i < 1029; i++) sum = plus(sum, -MAX);
    expect(sum).toBe(MAX);
    expect(plus(-MAX, -1)).toBe(-(2n ** 53n));
  });

  it('stores a safe sum as an integer and a larger one as its digits, and reads both back', () => {
    const big = 1030n * BigInt(MAX);
    expect(storedSum(42)).toBe(42n);
    expect(storedSum(big)).toBe(big.toString());
    expect(loadedSum(42)).toBe(42);
    expect(loadedSum(big.toString())).toBe(big);
    expect(loadedSum(String(MAX))).toBe(MAX);
  });
});
