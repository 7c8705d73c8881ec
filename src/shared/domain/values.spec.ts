import fc from 'fast-check';
import {
  compareInstants,
  fitsLength,
  instantCeilMs,
  instantMs,
  isIsoInstant,
  isNonEmptyString,
  isJsonValue,
  isPositiveInteger,
  jsonEqual,
  MAX_JSON_VALUE_DEPTH,
  textLength,
} from './values';

describe('ISO-8601 instants', () => {
  it.each([
    '2025-03-01T10:00:00Z',
    '2025-03-01T10:00:00.123Z',
    '2024-02-29T23:59:59+01:00',
    '2000-02-29T00:00:00Z',
    '2025-03-01T10:00:00.123456789-05:30',
  ])('accepts %s', (text) => expect(isIsoInstant(text)).toBe(true));

  it.each([
    '2025-03-01',
    '2025-03-01T10:00Z',
    '2025-03-01T10:00:00',
    '2025-02-29T00:00:00Z',
    '1900-02-29T00:00:00Z',
    '2100-02-29T00:00:00Z',
    '2025-03-01T24:00:00Z',
    '2025-03-01 10:00:00Z',
    1_700_000_000,
  ])('refuses %p', (value) => expect(isIsoInstant(value)).toBe(false));
});

describe('instantMs', () => {
  const pad = (n: number, width: number) => String(n).padStart(width, '0');
  const sameAsDateParse = (text: string) => expect(instantMs(text)).toBe(Date.parse(text));

  it('reads every instant toISOString writes from year 0 to 9999', () =>
    fc.assert(
      fc.property(fc.integer({ min: -62_167_219_200_000, max: 253_402_300_799_999 }), (ms) => {
        expect(instantMs(new Date(ms).toISOString())).toBe(ms);
      }),
      { numRuns: 20_000 },
    ));

  it('reads a text of the same shape with any fields, valid or not, as Date.parse does', () =>
    fc.assert(
      fc.property(
        fc.tuple(
          fc.integer({ min: 0, max: 9999 }),
          ...[99, 99, 99, 99, 99].map((max) => fc.integer({ min: 0, max })),
          fc.integer({ min: 0, max: 999 }),
        ),
        ([year, month, day, hours, minutes, seconds, millis]) =>
          sameAsDateParse(
            `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}T${pad(hours, 2)}:${pad(minutes, 2)}:${pad(seconds, 2)}.${pad(millis, 3)}Z`,
          ),
      ),
      { numRuns: 20_000 },
    ));

  it.each([
    '2024-02-29T12:00:00.000Z',
    '2023-02-29T12:00:00.000Z',
    '2024-01-31T24:00:00.000Z',
    '2025-03-01T10:00:00Z',
    '2025-03-01T10:00:00.123456789-05:30',
    '+275760-09-13T00:00:00.000Z',
    '2025-0a-01T10:00:00.000Z',
    '2025-03-01T10:00:00.000+',
    '2025-03-01 10:00:00.000Z',
    'not an instant at all...',
  ])('reads %s as Date.parse does', sameAsDateParse);
});

describe('compareInstants', () => {
  const sign = (a: string, b: string) => Math.sign(compareInstants(a, b));

  it('orders instants as their milliseconds do', () =>
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 253_402_300_799_999 }),
        fc.integer({ min: 0, max: 253_402_300_799_999 }),
        (a, b) => {
          const [isoA, isoB] = [new Date(a).toISOString(), new Date(b).toISOString()];
          expect(sign(isoA, isoB)).toBe(Math.sign(a - b));
        },
      ),
      { numRuns: 5_000 },
    ));

  it.each([
    ['2027-06-01T04:00:00.000Z', '2027-06-01T04:00:00.0009Z', -1],
    ['2027-06-01T04:00:00Z', '2027-06-01T04:00:00.000000001Z', -1],
    ['2027-06-01T04:00:00.0009Z', '2027-06-01T04:00:00.00089Z', 1],
    ['2027-06-01T04:00:00.0009Z', '2027-06-01T04:00:00.000900Z', 0],
    ['2027-06-01T04:00:00.5Z', '2027-06-01T04:00:00.500Z', 0],
    ['2027-06-01T09:30:00.0001+05:30', '2027-06-01T04:00:00.0002Z', -1],
    ['2027-06-01T04:00:00.9999Z', '2027-06-01T04:00:01Z', -1],
  ])('orders %s against %s to every digit sent: %d', (a, b, expected) => {
    expect(sign(a, b)).toBe(expected);
    expect(sign(b, a)).toBe(-expected || 0);
  });
});

describe('instantCeilMs', () => {
  it.each([
    ['2027-06-01T04:00:00Z', 0],
    ['2027-06-01T04:00:00.000000Z', 0],
    ['2027-06-01T04:00:00.0000001Z', 1],
    ['2027-06-01T04:00:00.9991Z', 1000],
    ['2027-06-01T09:30:00.0005+05:30', 1],
  ])('rounds %s up to the millisecond', (iso, past) => {
    expect(instantCeilMs(iso)).toBe(Date.parse('2027-06-01T04:00:00Z') + past);
  });
});

describe('JSON values', () => {
  it('compares by value, ignoring key order', () => {
    expect(jsonEqual({ a: [1, { b: null }], c: 'x' }, { c: 'x', a: [1, { b: null }] })).toBe(true);
    expect(jsonEqual({ a: 1 }, { a: 1, b: undefined as unknown as null })).toBe(false);
    expect(jsonEqual([1, 2], { 0: 1, 1: 2 })).toBe(false);
    expect(jsonEqual({ toString: 1 }, {})).toBe(false);
  });

  it('knows what JSON can hold', () => {
    expect(isJsonValue({ a: [1, 'x', true, null] })).toBe(true);
    expect(isJsonValue({ a: new Date(0) })).toBe(false);
    expect(isJsonValue({ a: Number.NaN })).toBe(false);
    expect(isJsonValue({ a: undefined })).toBe(false);
  });

  it('takes JSON nested up to MAX_JSON_VALUE_DEPTH levels, innermost empty or not', () => {
    /** `levels` objects around `inner`: nest(2, {}) is `{"a":{"a":{}}}`, 3 levels. */
    const nest = (levels: number, inner: unknown): unknown =>
      levels === 0 ? inner : { a: nest(levels - 1, inner) };
    expect(MAX_JSON_VALUE_DEPTH).toBe(32);
    expect(isJsonValue(nest(32, 1))).toBe(true);
    expect(isJsonValue(nest(31, {}))).toBe(true);
    expect(isJsonValue(nest(31, []))).toBe(true);
    expect(isJsonValue(nest(33, 1))).toBe(false);
    expect(isJsonValue(nest(32, {}))).toBe(false);
    expect(isJsonValue(nest(32, []))).toBe(false);
  });
});

describe('positive integers', () => {
  it.each([1, 42, Number.MAX_SAFE_INTEGER])('accepts %p', (value) =>
    expect(isPositiveInteger(value)).toBe(true),
  );

  it.each([0, -0, -1, 1.5, Number.MAX_SAFE_INTEGER + 1, NaN, Infinity, '1', null])(
    'refuses %p',
    (value) => expect(isPositiveInteger(value)).toBe(false),
  );
});

describe('text length', () => {
  it.each([
    ['', 0],
    ['abc', 3],
    ['😀', 1],
    ['a😀b', 3],
    ['é', 1],
    ['e\u0301', 2], // a combining accent is a character of its own
    ['❤\ufe0f', 2], // so is a variation selector
    ['\ud800', 1], // a lone surrogate counts once
    ['\udc00\ud800', 2],
  ])('counts %p as %p characters', (text, count) => expect(textLength(text)).toBe(count));

  it('counts code points, as a spread of the string does', () =>
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) =>
        expect(textLength(text)).toBe([...text].length),
      ),
    ));

  it('lets as many emoji as letters through a limit', () => {
    expect(fitsLength('😀'.repeat(500), 500)).toBe(true);
    expect(fitsLength('😀'.repeat(501), 500)).toBe(false);
    expect(fitsLength('x'.repeat(500), 500)).toBe(true);
    expect(fitsLength('x'.repeat(501), 500)).toBe(false);
    expect(isNonEmptyString('😀'.repeat(500))).toBe(true);
    expect(isNonEmptyString('😀'.repeat(501))).toBe(false);
  });
});
