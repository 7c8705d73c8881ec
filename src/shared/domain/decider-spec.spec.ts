import { Decider } from './decider';
import { deciderSpec } from './decider-spec';
import { DomainError } from './domain-error';

type Event = { type: 'Added'; data: { n: number; at?: unknown } };
type Command = { n: number; at?: unknown };
const counter: Decider<Command, number, Event> = {
  initialState: 0,
  decide: (c, total) =>
    c.n < 0
      ? new DomainError('VALIDATION_FAILED', 'negative')
      : [{ type: 'Added', data: { n: total + c.n, at: c.at } }],
  evolve: (_total, e) => e.data.n,
};
const spec = deciderSpec(counter);

describe('given / when / then', () => {
  it('returns the state after the expected events', () => {
    expect(
      spec
        .given([{ type: 'Added', data: { n: 2 } }])
        .when({ n: 3, at: 't' })
        .then([{ type: 'Added', data: { n: 5, at: 't' } }]),
    ).toBe(5);
  });

  it('returns the error for an expected code', () => {
    expect(spec.given().when({ n: -1 }).then('VALIDATION_FAILED').message).toBe('negative');
  });

  it('fails on other events, an unexpected error, or events that are not plain JSON', () => {
    expect(() =>
      spec
        .given()
        .when({ n: 1, at: 'x' })
        .then([{ type: 'Added', data: { n: 2, at: 'x' } }]),
    ).toThrow();
    expect(() => spec.given().when({ n: -1 }).then([])).toThrow(/VALIDATION_FAILED/);
    expect(() => spec.given().when({ n: 1, at: 'x' }).then('CONFLICT')).toThrow();
    expect(() =>
      spec
        .given()
        .when({ n: 1, at: new Date(0) })
        .thenEvents(),
    ).toThrow(/plain JSON/);
    expect(() => spec.given().when({ n: 1 }).thenEvents()).toThrow(/plain JSON/);
  });
});
