import { createdWith } from './offer.fixtures';
import { toOfferSnapshot } from './offer.snapshot';
import { offerDecider } from './offer.decider';
import { offerFieldsProblem, offerSnapshotProblem } from './offer.shape';

const definitionOf = (data: Record<string, unknown>) => {
  const { offerId: _id, createdAt: _at, ...definition } = data;
  return definition;
};

describe('offer shape', () => {
  it.each([
    ['FIXED', { priceModel: 'FIXED' as const, pointsPrice: 0 }],
    [
      'UNIT_BASED with stock',
      { priceModel: 'UNIT_BASED' as const, pointsPrice: null, unitCost: 5, maxTotal: 3 },
    ],
    [
      'AMOUNT_BASED',
      {
        priceModel: 'AMOUNT_BASED' as const,
        pointsPrice: null,
        minAmount: '1.00',
        maxAmount: '50.00',
        pointsPerAmountUnit: 10,
      },
    ],
  ])('passes what the decider writes (%s), as a definition and as a snapshot', (_, data) => {
    const [created] = createdWith({ description: 'd', images: ['https://x/y.png'], ...data });
    const definition = definitionOf(created.data);
    expect(offerFieldsProblem(definition, true)).toBeNull();
    const state = offerDecider.evolve(offerDecider.initialState, created);
    expect(offerSnapshotProblem({ ...toOfferSnapshot(state) })).toBeNull();
  });

  it('names the first wrong or missing field, and leaves fields it does not know alone', () => {
    const definition = definitionOf(createdWith()[0].data);
    expect(offerFieldsProblem({ ...definition, pointsPrice: 'abc' }, true)).toBe(
      'offer field pointsPrice is "abc"',
    );
    expect(offerFieldsProblem({ status: 'WEIRD' }, false)).toBe('offer field status is "WEIRD"');
    expect(offerFieldsProblem({ maxTotal: -3 }, false)).toBe('offer field maxTotal is -3');
    expect(offerFieldsProblem({ images: 'x' }, false)).toBe('offer field images is "x"');
    // A field a later release may add; also names an object inherits, which are no field here.
    expect(offerFieldsProblem({ colour: 'red', constructor: 'x', toString: 5 }, false)).toBeNull();
    expect(offerFieldsProblem(JSON.parse('{"__proto__":1,"title":"T"}'), false)).toBeNull();
    const { images: _images, ...withoutImages } = definition;
    expect(offerFieldsProblem(withoutImages, true)).toBe('offer field images is missing');
    expect(offerFieldsProblem(withoutImages, false)).toBeNull();
  });

  it('takes a snapshot without maxTotal (recorded before 2026-12-05), and refuses a bare one', () => {
    const state = offerDecider.evolve(offerDecider.initialState, createdWith()[0]);
    const { maxTotal: _maxTotal, ...older } = toOfferSnapshot(state)!;
    expect(offerSnapshotProblem(older)).toBeNull();
    expect(
      offerSnapshotProblem({ ...older, status: 'OUT_OF_STOCK', remainingStock: 0 }),
    ).toBeNull();
    expect(offerSnapshotProblem({ id: 'o1' })).toBe('offer field status is undefined');
    expect(offerSnapshotProblem({ ...older, remainingStock: -1 })).toBe(
      'offer field remainingStock is -1',
    );
  });
});
