import { Cached, RowCache } from './row-cache';
import type { WriteSetBuilder } from './write-set';

interface Row extends Cached {
  id: string;
}

/** A cache whose writes record the ids they save; `capacity` rows before it lets clean ones go. */
function cacheOf(capacity: number) {
  const saved: string[] = [];
  const cache = new RowCache<Row>(capacity, (row) => saved.push(row.id));
  const commit = () => {
    cache.write({} as WriteSetBuilder);
    cache.trim();
  };
  const putAll = (tenant: string, ids: string[]) => {
    for (const id of ids) cache.put(tenant, id, { id });
  };
  return { cache, saved, commit, putAll };
}

const ids = (from: number, to: number) =>
  Array.from({ length: to - from }, (_, i) => `m${from + i}`);

describe('RowCache', () => {
  it('knows, for a table that started empty, that a row it never kept is not stored', () => {
    const { cache, putAll } = cacheOf(100);
    cache.reset(true);
    putAll('t1', ids(0, 10));
    expect(cache.absent('t1', 'm3')).toBe(false);
    expect(cache.absent('t1', 'm10')).toBe(true);
    expect(cache.absent('t2', 'm3')).toBe(true);
  });

  it('still knows which rows are stored once it has let some go', () => {
    const { cache, commit, putAll } = cacheOf(10);
    cache.reset(true);
    putAll('t1', ids(0, 8));
    commit();
    putAll('t1', ids(8, 16));
    commit(); // 16 rows past a capacity of 10: the oldest clean ones go, down to 5

    const evicted = ids(0, 16).filter((id) => cache.get('t1', id) === undefined);
    expect(evicted).toEqual(ids(0, 11));
    for (const id of evicted) expect(cache.absent('t1', id)).toBe(false);
    expect(cache.absent('t1', 'm16')).toBe(true);

    cache.keep('t1', 'm16', { id: 'm16' });
    commit();
    expect(cache.absent('t1', 'm16')).toBe(false);
  });

  it('knows nothing is absent when the table did not start empty', () => {
    const { cache, putAll } = cacheOf(100);
    cache.reset(false);
    putAll('t1', ids(0, 3));
    expect(cache.absent('t1', 'never-seen')).toBe(false);
  });

  it('starts over complete when reset to an empty table after letting rows go', () => {
    const { cache, commit, putAll } = cacheOf(4);
    cache.reset(true);
    putAll('t1', ids(0, 10));
    commit();
    cache.reset(true);
    expect(cache.absent('t1', 'm0')).toBe(true);
  });

  it('never lets a changed row go before it is written, and counts a row kept twice once', () => {
    const { cache, saved, commit, putAll } = cacheOf(2);
    cache.reset(true);
    const a = { id: 'a' };
    for (let i = 0; i < 3; i++) cache.put('t1', 'a', a);
    putAll('t1', ['b']);
    cache.trim(); // nothing written yet: both rows are changed, both stay
    expect(cache.get('t1', 'a')).toBeDefined();
    expect(cache.get('t1', 'b')).toBeDefined();
    commit(); // two rows, a capacity of two: nothing to let go
    expect(saved).toEqual(['a', 'b']);
    expect(cache.get('t1', 'a')).toBe(a);
    expect(cache.get('t1', 'b')).toBeDefined();
  });
});
