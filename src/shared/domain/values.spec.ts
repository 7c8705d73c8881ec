import { isIsoInstant, isJsonValue, jsonEqual } from './values';

describe('ISO-8601 instants', () => {
  it.each([
    '2025-03-01T10:00:00Z',
    '2025-03-01T10:00:00.123Z',
    '2024-02-29T23:59:59+01:00',
    '2025-03-01T10:00:00.123456789-05:30',
  ])('accepts %s', (text) => expect(isIsoInstant(text)).toBe(true));

  it.each([
    '2025-03-01',
    '2025-03-01T10:00Z',
    '2025-03-01T10:00:00',
    '2025-02-29T00:00:00Z',
    '2025-03-01T24:00:00Z',
    '2025-03-01 10:00:00Z',
    1_700_000_000,
  ])('refuses %p', (value) => expect(isIsoInstant(value)).toBe(false));
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
});
