import fc from 'fast-check';
import { PersistentMap } from './persistent-map';

describe('PersistentMap', () => {
  it('answers like a Map after any sequence of sets and deletes, and never changes an earlier version', () => {
    fc.assert(
      fc.property(
        // A null value deletes the key.
        fc.array(fc.tuple(fc.string({ maxLength: 2 }), fc.option(fc.integer())), {
          maxLength: 300,
        }),
        (writes) => {
          const model = new Map<string, number>();
          const versions: Array<[PersistentMap<number>, Map<string, number>]> = [];
          let map = PersistentMap.empty<number>();
          for (const [key, value] of writes) {
            map = value === null ? map.delete(key) : map.set(key, value);
            if (value === null) model.delete(key);
            else model.set(key, value);
            versions.push([map, new Map(model)]);
          }
          for (const [version, expected] of versions) {
            expect(version.size).toBe(expected.size);
            for (const [key, value] of expected) {
              expect(version.has(key)).toBe(true);
              expect(version.get(key)).toBe(value);
            }
            expect([...version.values()].sort()).toEqual([...expected.values()].sort());
          }
          for (const [key] of writes) expect(map.has(key)).toBe(model.has(key));
        },
      ),
    );
  });

  it('copies a small part of itself per set: 20,000 sets (copying every entry would time out)', () => {
    let map = PersistentMap.empty<number>();
    for (let i = 0; i < 20_000; i++) map = map.set(`red_${i.toString(16)}`, i);
    expect(map.size).toBe(20_000);
    expect(map.get('red_4e1f')).toBe(0x4e1f);
  });
});
