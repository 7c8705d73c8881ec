import { exactJson } from './exact-json';

describe('exactJson', () => {
  it('writes what JSON.stringify writes when there is no bigint', () => {
    const value = { a: [1, 'two', null, { b: true }], c: 'x"y', d: undefined };
    expect(exactJson(value)).toBe(JSON.stringify(value));
  });

  it('writes a bigint as its exact digits, a JSON number', () => {
    const big = 9_500_000_000_000_000_001n;
    const text = exactJson({ pointsMinted: big, pointsSpent: -(2n ** 53n) - 1n, signups: 2 });
    expect(text).toBe(
      '{"pointsMinted":9500000000000000001,"pointsSpent":-9007199254740993,"signups":2}',
    );
    expect(exactJson([1n, '1', 'n'])).toBe('[1,"1","n"]');
  });
});
