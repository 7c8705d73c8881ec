import { createdWith } from '../../catalog/offer/offer.fixtures';
import { offerDecider } from '../../catalog/offer/offer.decider';
import { toOfferSnapshot } from '../../catalog/offer/offer.snapshot';
import { ReadModelDb } from '../read-model-db';
import { WriteSetBuilder, WriteSetExecutor } from '../engine/write-set';
import { OfferSnapshots } from './offer-snapshots';

/** A snapshot as a redemption records it: the whole offer, with the stock left before it. */
const MUG: Record<string, unknown> = {
  ...toOfferSnapshot(
    offerDecider.evolve(
      offerDecider.initialState,
      createdWith({ offerId: 'mug', title: 'Mug', pointsPrice: 500, images: ['a.png'] })[0],
    ),
  ),
  remainingStock: 9,
};

describe('OfferSnapshots', () => {
  let readModels: ReadModelDb;
  let snapshots: OfferSnapshots;

  beforeEach(() => {
    readModels = ReadModelDb.open({ path: ':memory:' });
    snapshots = new OfferSnapshots(readModels.db);
  });
  afterEach(() => readModels.close());

  const stored = () => {
    const out = new WriteSetBuilder();
    snapshots.write(out);
    new WriteSetExecutor(readModels.db).execute(out.build([]));
    return readModels.db
      .prepare('SELECT position, offer_id AS offerId, snapshot FROM rm_offer_snapshots')
      .all();
  };

  it('stores an offer once while only its remaining stock moves, without the stock', () => {
    expect(snapshots.idOf('t', 'mug', MUG, 10)).toBe(10);
    expect(snapshots.idOf('t', 'mug', { ...MUG, remainingStock: 8 }, 12)).toBe(10);
    expect(snapshots.idOf('t', 'mug', { ...MUG, remainingStock: 7 }, 14)).toBe(10);
    const { remainingStock: _stock, ...fields } = MUG;
    expect(stored()).toEqual([{ position: 10, offerId: 'mug', snapshot: JSON.stringify(fields) }]);
  });

  it.each([
    ['a changed value', { ...MUG, pointsPrice: 400 }],
    ['a changed array', { ...MUG, images: ['b.png'] }],
    ['a value where there was null', { ...MUG, expiresAt: '2027-01-01T00:00:00.000Z' }],
    ['a removed field (maxTotal, as recorded before 2026-12-05)', { ...MUG, maxTotal: undefined }],
  ])('stores a new snapshot for %s, which later redemptions refer to', (_case, changed) => {
    snapshots.idOf('t', 'mug', MUG, 10);
    expect(snapshots.idOf('t', 'mug', changed, 12)).toBe(12);
    expect(snapshots.idOf('t', 'mug', { ...changed, remainingStock: 1 }, 14)).toBe(12);
    expect(stored().map((row) => (row as { position: number }).position)).toEqual([10, 12]);
  });

  it('refuses a new snapshot that is not a whole offer, and a remainingStock that is not a count', () => {
    const { images: _images, ...withoutImages } = MUG;
    expect(() => snapshots.idOf('t', 'mug', withoutImages, 10)).toThrow(
      'offer field images is missing',
    );
    expect(() => snapshots.remainingStock({ ...MUG, remainingStock: -1 })).toThrow(
      'offer field remainingStock is -1',
    );
    expect(snapshots.remainingStock({ ...MUG, remainingStock: undefined })).toBeNull();
    expect(stored()).toEqual([]);
  });

  it('keeps offers of other tenants and ids apart', () => {
    expect(snapshots.idOf('t', 'mug', MUG, 10)).toBe(10);
    expect(snapshots.idOf('u', 'mug', MUG, 11)).toBe(11);
    expect(snapshots.idOf('t', 'cap', { ...MUG, id: 'cap' }, 12)).toBe(12);
  });

  it('refers to the latest stored snapshot after a restart', () => {
    snapshots.idOf('t', 'mug', MUG, 10);
    stored();
    const restarted = new OfferSnapshots(readModels.db);
    expect(restarted.idOf('t', 'mug', { ...MUG, remainingStock: 3 }, 20)).toBe(10);
    expect(restarted.idOf('t', 'mug', { ...MUG, title: 'Big mug' }, 22)).toBe(22);
  });
});
