import { bodyFlaw, MAX_JSON_BODY_KEYS, MAX_JSON_DEPTH, MAX_JSON_OBJECT_KEYS } from './json-body';

/** An array nesting `levels` levels: `[[]]` is 2. */
const nested = (levels: number): unknown => (levels === 1 ? [] : [nested(levels - 1)]);
/** An object with `count` keys. */
const keyed = (count: number, prefix = 'k') =>
  Object.fromEntries(Array.from({ length: count }, (_, i) => [`${prefix}${i}`, 1]));

describe('bodyFlaw', () => {
  it('takes nesting up to the limit and refuses one level more', () => {
    expect(bodyFlaw(nested(MAX_JSON_DEPTH), MAX_JSON_DEPTH, false)).toBeUndefined();
    expect(bodyFlaw(nested(MAX_JSON_DEPTH + 1), MAX_JSON_DEPTH, false)).toBe('too-deep');
    expect(bodyFlaw('scalar', 0, false)).toBeUndefined();
    expect(bodyFlaw({}, 0, false)).toBe('too-deep');
  });

  it('takes up to 1,000 keys in one object and refuses one more', () => {
    expect(bodyFlaw(keyed(MAX_JSON_OBJECT_KEYS), MAX_JSON_DEPTH, false)).toBeUndefined();
    expect(bodyFlaw(keyed(MAX_JSON_OBJECT_KEYS + 1), MAX_JSON_DEPTH, false)).toBe('too-many-keys');
  });

  it('takes up to 10,000 keys in all and refuses one more', () => {
    // Ten objects of 1,000 keys inside one of 0 (an array adds no keys): exactly the limit.
    const atLimit = Array.from({ length: 10 }, (_, i) => keyed(MAX_JSON_OBJECT_KEYS, `o${i}k`));
    expect(bodyFlaw(atLimit, MAX_JSON_DEPTH, false)).toBeUndefined();
    expect(bodyFlaw([...atLimit, { one: 'more' }], MAX_JSON_DEPTH, false)).toBe('too-many-keys');
    expect(MAX_JSON_BODY_KEYS).toBe(10 * MAX_JSON_OBJECT_KEYS);
  });

  it('finds a lone surrogate in a key or a string only when asked to look', () => {
    expect(bodyFlaw({ a: ['x\ud800'] }, MAX_JSON_DEPTH, true)).toBe('lone-surrogate');
    expect(bodyFlaw({ 'k\udc00': 1 }, MAX_JSON_DEPTH, true)).toBe('lone-surrogate');
    expect(bodyFlaw({ a: 'x\ud800' }, MAX_JSON_DEPTH, false)).toBeUndefined();
    expect(bodyFlaw({ a: 'paired \ud83d\ude00' }, MAX_JSON_DEPTH, true)).toBeUndefined();
  });
});
