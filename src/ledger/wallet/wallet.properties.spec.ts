import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { OfferSnapshot } from '../../catalog/offer/offer.snapshot';
import { DOMAIN_ERROR_CODES, isDomainError } from '../../shared/domain/domain-error';
import { fold } from '../../shared/domain/decider';
import type { WalletCommand } from './wallet.commands';
import { walletDecider } from './wallet.decider';
import type { WalletState } from './wallet.state';
import { REDEMPTION_STATUSES, RedemptionStatus, WalletEvent } from './wallet.events';
import { at, offer } from './wallet.fixtures';

const MAX = Number.MAX_SAFE_INTEGER;
const OFFERS: OfferSnapshot[] = [
  offer({ id: 'fixed', pointsPrice: 100 }),
  offer({ id: 'free', pointsPrice: 0, maxPerMember: 2 }),
  offer({
    id: 'units',
    priceModel: 'UNIT_BASED',
    pointsPrice: null,
    unitCost: 25,
    maxPerMember: null,
  }),
  offer({
    id: 'amount',
    priceModel: 'AMOUNT_BASED',
    pointsPrice: null,
    minAmount: '1.00',
    maxAmount: '50.00',
    pointsPerAmountUnit: 10,
    maxPerMember: 3,
  }),
];
const MOVES = new Set([
  'SUBMITTED>OPEN',
  'OPEN>AWAITING_VENDOR',
  'OPEN>AWAITING_CUSTOMER',
  'OPEN>PURCHASED',
  'AWAITING_VENDOR>AWAITING_CUSTOMER',
  'AWAITING_CUSTOMER>AWAITING_VENDOR',
  'AWAITING_VENDOR>OPEN',
  'AWAITING_CUSTOMER>OPEN',
  'AWAITING_VENDOR>PURCHASED',
  'AWAITING_CUSTOMER>PURCHASED',
  'PURCHASED>COMPLETED',
]);

/** Minutes until a hold expires; steps are a minute apart, so many expire within a run. 0 is refused. */
type Hold = { delay?: boolean; ttl?: number };

type Step =
  | { kind: 'credit'; amount: number }
  | ({ kind: 'redeem'; offer: number; quantity?: number; cents?: number } & Hold)
  | { kind: 'apply'; target: number }
  | { kind: 'release'; target: number }
  | { kind: 'expire' }
  | { kind: 'cancel'; target: number; actor: 'member' | 'org' }
  | { kind: 'move'; target: number; status: RedemptionStatus | 'NEXT'; pick: number }
  | { kind: 'reverse'; target: number; units?: number; cents?: number }
  | { kind: 'archive'; retain: boolean }
  | { kind: 'upsert' };

const target = fc.integer({ min: -1, max: 12 });
const credit = fc.record({
  kind: fc.constant('credit' as const),
  amount: fc.oneof(
    { weight: 10, arbitrary: fc.integer({ min: 1, max: 300 }) },
    { weight: 10, arbitrary: fc.constantFrom(1, 24, 25, 99, 100, 101) },
    { weight: 2, arbitrary: fc.oneof(fc.integer({ min: -5, max: 0 }), fc.constant(2.5)) },
    { weight: 1, arbitrary: fc.constant(MAX) },
  ),
});
const wellFormedRedeem = fc.integer({ min: 0, max: OFFERS.length - 1 }).chain((o) =>
  fc
    .record(
      {
        kind: fc.constant('redeem' as const),
        offer: fc.constant(o),
        quantity:
          OFFERS[o].priceModel === 'UNIT_BASED' ? fc.integer({ min: 0, max: 4 }) : fc.constant(1),
        cents:
          OFFERS[o].priceModel === 'AMOUNT_BASED'
            ? fc.oneof(
                fc.integer({ min: 5, max: 550 }).map((c) => c * 10),
                fc.integer({ min: 0, max: 6000 }),
              )
            : fc.constant(0),
      },
      { requiredKeys: ['kind', 'offer'] },
    )
    .map((r) => (OFFERS[o].priceModel === 'AMOUNT_BASED' ? r : { ...r, cents: undefined })),
);
const anyRedeem = fc.record(
  {
    kind: fc.constant('redeem' as const),
    offer: fc.integer({ min: 0, max: OFFERS.length - 1 }),
    quantity: fc.integer({ min: 0, max: 4 }),
    cents: fc.integer({ min: 0, max: 6000 }),
  },
  { requiredKeys: ['kind', 'offer'] },
);
/** Half the redemptions hold their points, mostly for a few minutes (steps), at times not at all. */
const hold: fc.Arbitrary<Hold> = fc.oneof(
  fc.constant({}),
  fc.record({ delay: fc.constant(true), ttl: fc.integer({ min: 0, max: 25 }) }),
  fc.record({ delay: fc.constant(true) }),
);
const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 8, arbitrary: credit },
  {
    weight: 10,
    arbitrary: fc
      .tuple(
        fc.oneof({ weight: 9, arbitrary: wellFormedRedeem }, { weight: 1, arbitrary: anyRedeem }),
        hold,
      )
      .map(([redeem, h]) => ({ ...redeem, ...h })),
  },
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constantFrom('apply' as const, 'release' as const),
      target,
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('expire' as const) }) },
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant('cancel' as const),
      target,
      actor: fc.constantFrom('member' as const, 'org' as const),
    }),
  },
  {
    weight: 14,
    arbitrary: fc.record({
      kind: fc.constant('move' as const),
      target,
      status: fc.oneof(fc.constant('NEXT' as const), fc.constantFrom(...REDEMPTION_STATUSES)),
      pick: fc.nat(),
    }),
  },
  {
    weight: 5,
    arbitrary: fc.record(
      {
        kind: fc.constant('reverse' as const),
        target,
        units: fc.integer({ min: 0, max: 5 }),
        cents: fc.oneof(fc.integer({ min: 0, max: 60 }), fc.integer({ min: 0, max: 5100 })),
      },
      { requiredKeys: ['kind', 'target'] },
    ),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('archive' as const), retain: fc.boolean() }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('upsert' as const) }) },
);

type Modeled = {
  offerId: string;
  status: RedemptionStatus;
  debited: number;
  refunded: number;
  priceModel: string;
  quantity: number;
  cents: number;
  reversedUnits: number;
  reversedCents: number;
  reversedPoints: number;
  full: boolean;
  /** Held redemptions only: the minute (step) it expires at, and its state. */
  hold: { points: number; expires: number; state: string } | null;
};

const minuteOf = (instant: string) => (Date.parse(instant) - Date.parse(at(0))) / 60_000;

/** An independent account of the wallet, built only from the events and the rules as written. */
class Model {
  exists = false;
  archived = false;
  credited = 0;
  debited = 0;
  refunded = 0;
  readonly redemptions = new Map<string, Modeled>();

  get balance() {
    return this.credited - this.debited + this.refunded;
  }

  /** The points of the holds still HELD. */
  get pending() {
    let pending = 0;
    for (const r of this.redemptions.values())
      if (r.hold?.state === 'HELD') pending += r.hold.points;
    return pending;
  }

  /** A copy with the holds expired at minute `i` released, as every decision does first. */
  afterExpiry(i: number): Model {
    const copy = Object.assign(new Model(), this, { redemptions: new Map() }) as Model;
    for (const [id, r] of this.redemptions) {
      const expired = r.hold?.state === 'HELD' && r.hold.expires <= i;
      copy.redemptions.set(
        id,
        expired
          ? { ...r, status: 'CANCELED', hold: { ...r.hold!, state: 'EXPIRED' } }
          : { ...r, hold: r.hold && { ...r.hold } },
      );
    }
    return copy;
  }

  /** credited + refunded + what cancels could still refund: the rules keep it within MAX. */
  get lifetime() {
    let refundable = 0;
    for (const r of this.redemptions.values())
      if (r.status !== 'CANCELED') refundable += r.debited - r.refunded;
    return this.credited + this.refunded + refundable;
  }

  held(offerId: string) {
    return [...this.redemptions.values()].filter(
      (r) => r.offerId === offerId && r.status !== 'CANCELED',
    ).length;
  }

  /** The price a redemption should cost, or null when its input is invalid. */
  static price(s: Extract<Step, { kind: 'redeem' }>): number | null {
    const o = OFFERS[s.offer];
    if (o.priceModel !== 'UNIT_BASED' && s.quantity !== undefined && s.quantity !== 1) return null;
    if (o.priceModel !== 'AMOUNT_BASED' && s.cents !== undefined) return null;
    if (o.priceModel === 'FIXED') return o.pointsPrice;
    if (o.priceModel === 'UNIT_BASED') return s.quantity === 0 ? null : 25 * (s.quantity ?? 1);
    if (s.cents === undefined || s.cents < 100 || s.cents > 5000 || s.cents % 10 !== 0) return null;
    return s.cents / 10;
  }

  accepts(s: Step, id: string | undefined): boolean {
    const r = id === undefined ? undefined : this.redemptions.get(id);
    switch (s.kind) {
      case 'credit':
        return (
          Number.isSafeInteger(s.amount) &&
          s.amount > 0 &&
          !this.archived &&
          this.lifetime + s.amount <= MAX
        );
      case 'redeem': {
        const cost = Model.price(s);
        const max = OFFERS[s.offer].maxPerMember;
        if (s.delay && s.ttl === 0) return false;
        if (
          this.archived ||
          cost === null ||
          this.balance - this.pending < cost ||
          this.lifetime + cost > MAX
        ) {
          return false;
        }
        return max === null || this.held(OFFERS[s.offer].id) < max;
      }
      case 'cancel':
        if (r === undefined || (this.archived && s.actor === 'member')) return false;
        return (
          !['CANCELED', 'COMPLETED'].includes(r.status) &&
          !(s.actor === 'member' && r.status === 'PURCHASED')
        );
      case 'move':
        if (s.status === 'COMPLETED' && r?.hold?.state === 'HELD') return false;
        return r !== undefined && MOVES.has(`${r.status}>${s.status}`);
      case 'apply':
        return r?.hold?.state === 'HELD' && this.lifetime + r.hold.points <= MAX;
      case 'release':
        return r?.hold?.state === 'HELD';
      case 'expire':
        return true;
      case 'reverse': {
        if (r === undefined || r.status === 'CANCELED' || r.full) return false;
        if (r.hold?.state === 'HELD') return false;
        if (s.units !== undefined && r.priceModel !== 'UNIT_BASED') return false;
        if (s.cents !== undefined && r.priceModel !== 'AMOUNT_BASED') return false;
        if (s.units !== undefined) return s.units >= 1 && s.units <= r.quantity - r.reversedUnits;
        if (s.cents !== undefined) return s.cents >= 1 && s.cents <= r.cents - r.reversedCents;
        return true;
      }
      case 'archive':
        return this.exists;
      case 'upsert':
        return true;
    }
  }

  apply(e: WalletEvent): void {
    this.exists = true;
    const r =
      'redemptionId' in e.data && e.data.redemptionId !== null
        ? this.redemptions.get(e.data.redemptionId)
        : undefined;
    switch (e.type) {
      case 'PointsCredited':
        this.credited += e.data.amount;
        break;
      case 'PointsDebited':
        this.debited += e.data.amount;
        if (r) r.debited += e.data.amount;
        break;
      case 'PointsRefunded':
        this.refunded += e.data.amount;
        if (r) r.refunded += e.data.amount;
        break;
      case 'RedemptionCreated':
        this.redemptions.set(e.data.redemptionId, {
          offerId: e.data.offer.id,
          status: 'SUBMITTED',
          debited: 0,
          refunded: 0,
          priceModel: e.data.offer.priceModel,
          quantity: e.data.quantity,
          cents: e.data.amount === null ? 0 : Math.round(Number(e.data.amount) * 100),
          reversedUnits: 0,
          reversedCents: 0,
          reversedPoints: 0,
          full: false,
          hold: null,
        });
        break;
      case 'PointsHeld':
        assert.ok(r && r.hold === null, 'a hold opens once, on a redemption');
        r.hold = { points: e.data.points, expires: minuteOf(e.data.expiresAt), state: 'HELD' };
        break;
      case 'PointsHoldApplied':
      case 'PointsHoldReleased':
        assert.ok(r?.hold?.state === 'HELD', `${e.type} of a HELD hold`);
        assert.equal(e.data.points, r.hold.points);
        if (e.type === 'PointsHoldApplied') r.hold.state = 'APPLIED';
        else {
          if (e.data.reason === 'expired')
            assert.ok(r.hold.expires <= minuteOf(e.data.releasedAt), 'expired when released');
          r.hold.state = e.data.reason === 'expired' ? 'EXPIRED' : 'RELEASED';
        }
        break;
      case 'RedemptionStatusChanged':
        assert.ok(
          MOVES.has(`${e.data.from}>${e.data.to}`),
          `illegal move ${e.data.from} -> ${e.data.to}`,
        );
        if (r) r.status = e.data.to;
        break;
      case 'RedemptionCanceled':
        assert.equal(r && r.debited - r.refunded, e.data.refundedPoints);
        if (r) r.status = 'CANCELED';
        break;
      case 'RedemptionReversed': {
        assert.ok(r && r.status !== 'CANCELED' && !r.full, 'a reversal of a live redemption');
        const rest = r.debited - r.refunded;
        let expected = rest;
        if (e.data.units !== null) {
          r.reversedUnits += e.data.units;
          if (r.reversedUnits < r.quantity) expected = e.data.units * 25;
          r.full = r.reversedUnits === r.quantity;
        } else if (e.data.amount !== null) {
          r.reversedCents += Math.round(Number(e.data.amount) * 100);
          // 10 points per amount unit: a cent is worth a tenth of a point, rounded down in sum.
          if (r.reversedCents < r.cents)
            expected = Math.floor(r.reversedCents / 10) - r.reversedPoints;
          r.full = r.reversedCents === r.cents;
        } else r.full = true;
        assert.equal(e.data.reversedPoints, expected, 'the points a reversal gives back');
        r.reversedPoints += e.data.reversedPoints;
        assert.ok(r.reversedPoints <= r.debited, 'reversed never passes debited');
        break;
      }
      case 'MemberArchived':
        this.archived = true;
        break;
      case 'MemberUnarchived':
        this.archived = false;
        break;
    }
  }
}

/** Turns a 'NEXT' move into one of the moves the lifecycle allows from the redemption's status. */
function resolve(s: Step, model: Model, id: string | undefined): Step {
  if (s.kind !== 'move' || s.status !== 'NEXT') return s;
  const from = (id && model.redemptions.get(id)?.status) || 'SUBMITTED';
  const options = [...MOVES]
    .filter((m) => m.startsWith(`${from}>`))
    .map((m) => m.split('>')[1] as RedemptionStatus);
  return { ...s, status: options.length ? options[s.pick % options.length] : 'OPEN' };
}

function toCommand(s: Step, i: number, id: string | undefined): WalletCommand {
  const now = at(i);
  const ref = id ?? 'unknown';
  switch (s.kind) {
    case 'credit':
      return { type: 'CreditPoints', data: { transactionId: `tx-${i}`, amount: s.amount, now } };
    case 'redeem': {
      const amount = s.cents === undefined ? undefined : (s.cents / 100).toFixed(2);
      const data = {
        redemptionId: `r-${i}`,
        transactionId: `tx-${i}`,
        externalUserID: 'm-1',
        offer: OFFERS[s.offer],
        quantity: s.quantity,
        amount,
        delayPointsDeduction: s.delay,
        holdExpiresAt: s.ttl === undefined ? undefined : at(i + s.ttl),
        now,
      };
      return { type: 'CreateRedemption', data };
    }
    case 'apply':
      return {
        type: 'ApplyHold',
        data: { redemptionId: ref, transactionId: `tx-${i}`, reference: null, actor: 'org', now },
      };
    case 'release':
      return { type: 'ReleaseHold', data: { redemptionId: ref, actor: 'org', now } };
    case 'expire':
      return { type: 'ExpireHolds', data: { now } };
    case 'cancel':
      return {
        type: 'CancelRedemption',
        data: {
          redemptionId: ref,
          transactionId: `tx-${i}`,
          forfeitTransactionId: `tx-${i}-forfeit`,
          actor: s.actor,
          now,
        },
      };
    case 'move':
      return {
        type: 'ChangeRedemptionStatus',
        data: { redemptionId: ref, status: s.status as RedemptionStatus, actor: 'org', now },
      };
    case 'reverse':
      return {
        type: 'ReverseRedemption',
        data: {
          redemptionId: ref,
          transactionId: `tx-${i}`,
          forfeitTransactionId: `tx-${i}-forfeit`,
          units: s.units,
          amount: s.cents === undefined ? undefined : (s.cents / 100).toFixed(2),
          actor: 'org',
          now,
        },
      };
    case 'archive':
      return {
        type: 'ArchiveMember',
        data: { retainBalance: s.retain, transactionId: `tx-${i}`, now },
      };
    case 'upsert':
      return {
        type: 'UpsertMemberProfile',
        data: { externalUserID: 'member-1', tier: `tier-${i % 3}`, now },
      };
  }
}

const serialize = (state: WalletState) =>
  JSON.stringify(state, (_k, v: unknown) => (v instanceof Map ? [...v] : v));

/** Runs one step against the decider and the model; returns the events it appended. */
function runStep(
  run: { model: Model; ids: string[]; state: WalletState },
  generated: Step,
  i: number,
): WalletEvent[] {
  const { model, ids } = run;
  const id =
    'target' in generated && generated.target >= 0 && ids.length > 0
      ? ids[generated.target % ids.length]
      : undefined;
  const s = resolve(generated, model, id);
  const before = serialize(run.state);
  const outcome = walletDecider.decide(toCommand(s, i, id), run.state);
  assert.equal(serialize(run.state), before, 'decide must not change the state');
  assert.equal(
    isDomainError(outcome) ? 'rejected' : 'accepted',
    model.afterExpiry(i).accepts(s, id) ? 'accepted' : 'rejected',
    JSON.stringify(s),
  );
  if (isDomainError(outcome)) {
    assert.ok(DOMAIN_ERROR_CODES.includes(outcome.code));
    return [];
  }
  assert.deepStrictEqual(JSON.parse(JSON.stringify(outcome)), outcome, 'events must be plain JSON');
  for (const event of outcome) {
    model.apply(event);
    run.state = walletDecider.evolve(run.state, event);
    if (event.type === 'RedemptionCreated') ids.push(event.data.redemptionId);
  }
  assert.ok(model.balance >= 0, `negative balance ${model.balance}`);
  assert.ok(model.pending >= 0, `negative pending ${model.pending}`);
  assert.ok(model.balance - model.pending >= 0, `balance ${model.balance} below pending`);
  for (const r of model.redemptions.values())
    assert.ok(!(r.hold?.state === 'HELD' && r.hold.expires <= i), 'an accepted step expires holds');
  if (run.state.status === 'archived' && !run.state.balanceRetained)
    assert.equal(model.balance, 0, 'a member archived with its balance forfeited holds no points');
  assert.ok(model.lifetime <= MAX);
  if (run.state.status !== 'empty') {
    assert.deepStrictEqual(run.state.ledger, {
      balance: model.balance,
      credited: model.credited,
      debited: model.debited,
      refunded: model.refunded,
      refundable: model.lifetime - model.credited - model.refunded,
      pending: model.pending,
    });
    assert.equal(
      run.state.holds.size,
      [...model.redemptions.values()].filter((r) => r.hold?.state === 'HELD').length,
    );
  }
  for (const r of model.redemptions.values()) assert.ok(r.refunded <= r.debited);
  for (const o of OFFERS) assert.ok(o.maxPerMember === null || model.held(o.id) <= o.maxPerMember);
  return outcome;
}

describe('wallet properties', () => {
  it('keeps every balance non-negative and equal to credited - debited + refunded, reversals and holds included, balance - pending never negative', () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 100, size: 'max' }), (steps) => {
        const run = { model: new Model(), ids: [] as string[], state: walletDecider.initialState };
        const log = steps.flatMap((s, i) => runStep(run, s, i));
        assert.deepStrictEqual(
          fold(walletDecider, log),
          run.state,
          'replaying the events rebuilds the state',
        );
      }),
      { numRuns: 300 },
    );
  });
});
