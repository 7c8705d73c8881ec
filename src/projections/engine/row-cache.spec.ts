import { Cached, RowCache } from './row-cache';
import type { WriteSetBuilder } from './write-set';

interface Row extends Cached {
  id: string;
}

/**
 * A cache over a table held in a Map: its writes store rows there (as tenant t1's, the only tenant
 * the tests write), and `loads` lists the ids it read back. `capacity` rows before it lets clean
 * ones go.
 */
function cacheOf(capacity: number) {
  const table = new Map<string, Row>();
  const loads: string[] = [];
  const saved: string[] = [];
  const cache = new RowCache<Row>(
    capacity,
    (tenant, id) => {
      loads.push(id);
      const row = table.get(`${tenant}/${id}`);
      return row && { id: row.id };
    },
    (row) => {
      saved.push(row.id);
      table.set(`t1/${row.id}`, row);
    },
  );
  const commit = () => {
    cache.write({} as WriteSetBuilder);
    cache.trim();
  };
  const putAll = (tenant: string, ids: string[]) => {
    for (const id of ids) cache.put(tenant, id, { id });
  };
  return { cache, table, loads, saved, commit, putAll };
}

const ids = (from: number, to: number) =>
  Array.from({ length: to - from }, (_, i) => `m${from + i}`);

describe('RowCache', () => {
  it('finds a row it holds without reading the table', () => {
    const { cache, loads, putAll } = cacheOf(100);
    cache.reset(false);
    putAll('t1', ['a']);
    expect(cache.find('t1', 'a')?.id).toBe('a');
    expect(loads).toEqual([]);
  });

  it('reads a row it does not hold from the table once, and keeps it', () => {
    const { cache, table, loads } = cacheOf(100);
    cache.reset(false);
    table.set('t1/a', { id: 'a' });
    const found = cache.find('t1', 'a');
    expect(found).toEqual({ id: 'a' });
    expect(cache.find('t1', 'a')).toBe(found);
    expect(cache.find('t1', 'never-stored')).toBeUndefined();
    expect(loads).toEqual(['a', 'never-stored']);
  });

  it('does not read the table for a row it never had, when the table started empty', () => {
    const { cache, loads, putAll } = cacheOf(100);
    cache.reset(true);
    putAll('t1', ids(0, 10));
    expect(cache.find('t1', 'm3')).toBeDefined();
    expect(cache.find('t1', 'm10')).toBeUndefined();
    expect(cache.find('t2', 'm3')).toBeUndefined();
    expect(loads).toEqual([]);
  });

  it('reads back the rows it let go, and only those, once it has let some go', () => {
    const { cache, loads, commit, putAll } = cacheOf(10);
    cache.reset(true);
    putAll('t1', ids(0, 8));
    commit();
    putAll('t1', ids(8, 16));
    commit(); // 16 rows past a capacity of 10: the oldest clean ones go, down to 5

    expect(loads).toEqual([]);
    for (const id of ids(0, 16)) expect(cache.find('t1', id)?.id).toBe(id);
    expect(loads).toEqual(ids(0, 11));
    expect(cache.find('t1', 'm16')).toBeUndefined(); // never had it: no read
    expect(loads).toHaveLength(11);
  });

  it('reads back a row it was given after it began letting rows go', () => {
    const { cache, loads, commit, putAll } = cacheOf(10);
    cache.reset(true);
    putAll('t1', ids(0, 16));
    commit(); // past the capacity: rows go, and the cache keeps the ids it has had
    putAll('t1', ['late']);
    commit();
    putAll('t1', ids(16, 40));
    commit(); // 'late' is among the oldest clean rows, and goes
    expect(cache.find('t1', 'late')?.id).toBe('late');
    expect(loads).toContain('late');
  });

  it('reads the table for any row it does not hold when the table did not start empty', () => {
    const { cache, loads, putAll } = cacheOf(100);
    cache.reset(false);
    putAll('t1', ids(0, 3));
    expect(cache.find('t1', 'never-seen')).toBeUndefined();
    expect(loads).toEqual(['never-seen']);
  });

  it('starts over complete when reset to an empty table after letting rows go', () => {
    const { cache, loads, commit, putAll } = cacheOf(4);
    cache.reset(true);
    putAll('t1', ids(0, 10));
    commit();
    cache.reset(true);
    expect(cache.find('t1', 'm0')).toBeUndefined();
    expect(loads).toEqual([]);
  });

  it('never lets a changed row go before it is written, and counts a row kept twice once', () => {
    const { cache, saved, loads, commit, putAll } = cacheOf(2);
    cache.reset(true);
    const a = { id: 'a' };
    for (let i = 0; i < 3; i++) cache.put('t1', 'a', a);
    putAll('t1', ['b']);
    cache.trim(); // nothing written yet: both rows are changed, both stay
    expect(cache.find('t1', 'a')).toBe(a);
    expect(cache.find('t1', 'b')).toBeDefined();
    commit(); // two rows, a capacity of two: nothing to let go
    expect(saved).toEqual(['a', 'b']);
    expect(cache.find('t1', 'a')).toBe(a);
    expect(cache.find('t1', 'b')).toBeDefined();
    expect(loads).toEqual([]);
  });
});
