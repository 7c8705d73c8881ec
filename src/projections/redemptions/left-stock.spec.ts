import Database from 'better-sqlite3';
import fc from 'fast-check';
import { migrate } from '../../infrastructure/sqlite/migrations';
import { WriteSetBuilder, WriteSetExecutor } from '../engine/write-set';
import { READ_MODEL_MIGRATIONS } from '../read-model.migrations';
import { LeftStock } from './left-stock';

type Seen = { type: 'canceled'; id: string; at: number } | { type: 'released'; id: string };

/** Projects `events`, committing after those whose index `commitAfter` says; answers the table. */
function project(events: readonly Seen[], commitAfter: (i: number) => boolean) {
  const db = new Database(':memory:');
  migrate(db, READ_MODEL_MIGRATIONS, 'rm_schema_migrations');
  const left = new LeftStock();
  const commit = () => {
    const out = new WriteSetBuilder();
    left.write(out);
    new WriteSetExecutor(db).execute(out.build([]));
  };
  events.forEach((event, i) => {
    if (event.type === 'canceled') left.canceled('sandbox.acme', event.id, 'off_a', event.at);
    else left.released('sandbox.acme', event.id);
    if (commitAfter(i)) commit();
  });
  commit();
  const rows = db
    .prepare(
      `SELECT redemption_id AS id, offer_id AS offerId, canceled_ms AS canceledMs, released
       FROM rm_stock_left ORDER BY redemption_id`,
    )
    .all();
  db.close();
  return rows;
}

describe('LeftStock (rm_stock_left)', () => {
  it('keeps a row from the first of a cancel and its release to the other', () => {
    const events: Seen[] = [
      { type: 'canceled', id: 'lost', at: 1_000 },
      { type: 'canceled', id: 'freed', at: 2_000 },
      { type: 'released', id: 'freed' },
      // Released first, as one transaction writes an expired hold's on the embedded store.
      { type: 'released', id: 'expired' },
      { type: 'canceled', id: 'expired', at: 3_000 },
      { type: 'released', id: 'uncanceled' },
    ];
    const expected = [
      { id: 'lost', offerId: 'off_a', canceledMs: 1_000, released: 0 },
      { id: 'uncanceled', offerId: null, canceledMs: null, released: 1 },
    ];
    expect(project(events, () => false)).toEqual(expected);
    expect(project(events, () => true)).toEqual(expected);
  });

  it('writes the same table whatever commits the events fall into', () => {
    // Each redemption is canceled once at most and its stock released once at most, in any order.
    const ids = ['r1', 'r2', 'r3', 'r4'];
    const events = fc
      .tuple(
        fc.subarray(ids),
        fc.subarray(ids),
        fc.array(fc.nat(1_000), { minLength: 4, maxLength: 4 }),
      )
      .chain(([canceled, released, times]) =>
        fc.shuffledSubarray(
          [
            ...canceled.map((id, i): Seen => ({ type: 'canceled', id, at: times[i] })),
            ...released.map((id): Seen => ({ type: 'released', id })),
          ],
          { minLength: canceled.length + released.length },
        ),
      );
    fc.assert(
      fc.property(events, fc.array(fc.boolean()), (seen, cuts) => {
        const oneByOne = project(seen, () => true);
        expect(project(seen, () => false)).toEqual(oneByOne);
        expect(project(seen, (i) => cuts[i] === true)).toEqual(oneByOne);
      }),
    );
  });
});
