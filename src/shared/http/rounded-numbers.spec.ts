import { firstRoundedNumber, isRoundedToInteger } from './rounded-numbers';

describe('isRoundedToInteger', () => {
  it.each([
    '4.0000000000000001',
    '9.9999999999999999',
    '-4.0000000000000001',
    '9007199254740991.4',
    '40000000000000001e-16',
    '1e-400',
  ])('finds %s, which JSON.parse reads as a whole number it is not', (token) => {
    expect(Number.isInteger(JSON.parse(token))).toBe(true);
    expect(isRoundedToInteger(token)).toBe(true);
  });

  it.each([
    '4',
    '4.0',
    '4.000',
    '-0',
    '-0.0',
    '1e3',
    '1.5e1',
    '15E-1',
    '150e-2',
    '0e999',
    '0.5',
    '1e400',
  ])('leaves %s: a whole number as written, or not read as one', (token) =>
    expect(isRoundedToInteger(token)).toBe(false),
  );

  it('leaves numbers past the safe integers to the integer rules', () => {
    expect(isRoundedToInteger('9007199254740993.5')).toBe(false);
  });
});

describe('firstRoundedNumber', () => {
  it('finds the first such number outside strings, as written', () => {
    expect(
      firstRoundedNumber('{"a":1.5,"b":[2,-3.00000000000000001],"c":4.0000000000000001}'),
    ).toBe('-3.00000000000000001');
  });

  it('does not read numbers inside strings, keys or escapes', () => {
    const text = '{"4.0000000000000001":"9.9999999999999999","x\\"1.00000000000000001":true}';
    expect(firstRoundedNumber(text)).toBeUndefined();
  });

  it('finds nothing in a body of whole and fractional numbers', () => {
    expect(
      firstRoundedNumber('{"amount":500,"rate":0.25,"n":-1,"big":1e21,"z":null}'),
    ).toBeUndefined();
  });
});
