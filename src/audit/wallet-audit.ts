import type { JsonValue } from '../event-store/event-store.port';
import type {
  PointsDebited,
  PointsHeld,
  PointsHoldApplied,
  PointsHoldReleased,
  PointsRefunded,
  RedemptionCanceled,
  RedemptionCreated,
  RedemptionFulfilled,
  RedemptionReversed,
  RedemptionStatusChanged,
  WalletEvent,
} from '../ledger/wallet/wallet.events';
import { cancelError, statusMoveError } from '../ledger/wallet/wallet.lifecycle';
import { fieldError, partToReverse } from '../ledger/wallet/wallet.reversals';
import { DomainError } from '../shared/domain/domain-error';
import {
  evolveWallet,
  initialWalletState,
  lifetimePoints,
  type Ledger,
  type Wallet,
  walletOf,
  type WalletState,
} from '../ledger/wallet/wallet.state';
import { assertNever } from '../shared/domain/decider';
import { jsonEqual } from '../shared/domain/values';
import {
  type AuditedEvent,
  type AuditRule,
  type Finding,
  type Follower,
  quoted,
  sameStreamNext,
} from './audit-rules';

/** What the audit keeps of one wallet stream: the command side's own state, and its member. */
export interface WalletAudit {
  state: WalletState;
  /** The member the stream's first event names in its metadata. */
  member: string | null;
}

export const newWalletAudit = (): WalletAudit => ({ state: initialWalletState, member: null });

/** The event before in `$all`, as the second event of an append sees it. */
type Previous = AuditedEvent | null;

type Data = Record<string, JsonValue>;
const dataOf = (event: AuditedEvent | null): Data => (event?.data ?? {}) as Data;

/** Every event of one decision carries the same metadata (events.md): two appends differ. */
const sameRequest = (a: AuditedEvent, b: AuditedEvent) => jsonEqual(a.metadata, b.metadata);

const points = (n: unknown) => `${typeof n === 'number' ? n.toLocaleString('en-US') : quoted(n)}`;

/**
 * Checks one wallet event against the rules the wallet decider keeps, folds it with evolveWallet
 * (mutating `wallet`), and checks the ledger it leads to. `member` is its metadata's member (the
 * decoder checked there is one). Returns what it breaks, and the event that must follow it in
 * the same append, if any.
 */
export function auditWalletEvent(
  wallet: WalletAudit,
  event: AuditedEvent,
  member: string,
  previous: Previous,
): { findings: Finding[]; follower: Follower | null } {
  const findings: Finding[] = [];
  const add = (rule: AuditRule, message: string) => findings.push({ rule, message });
  if (wallet.member === null) wallet.member = member;
  else if (member !== wallet.member)
    add(
      'member-mismatch',
      `its metadata names member ${quoted(member)}, the stream's first event ${quoted(wallet.member)}`,
    );
  const typed = { type: event.type, data: event.data } as WalletEvent;
  const before = wallet.state;
  const follower = beforeFold(typed, before, { event, member, previous, add });
  wallet.state = evolveWallet(before, typed);
  afterFold(walletOf(before).ledger, walletOf(wallet.state).ledger, add);
  return { findings, follower };
}

interface Checking {
  event: AuditedEvent;
  member: string;
  previous: Previous;
  add: (rule: AuditRule, message: string) => void;
}

function beforeFold(typed: WalletEvent, state: WalletState, c: Checking): Follower | null {
  const wallet = walletOf(state);
  const archived = state.status === 'archived';
  switch (typed.type) {
    case 'MemberRegistered':
      if (typed.data.externalUserID !== c.member)
        c.add(
          'member-mismatch',
          `it registers member ${quoted(typed.data.externalUserID)}, its metadata names ${quoted(c.member)}`,
        );
      return null;
    case 'MemberArchived': {
      if (archived) c.add('archived-member', 'the member is archived already');
      const { retainBalance, forfeitedPoints } = typed.data;
      const owed = retainBalance ? 0 : wallet.ledger.balance;
      if (forfeitedPoints !== owed)
        c.add(
          'forfeit-mismatch',
          retainBalance
            ? `it keeps the balance, yet says ${points(forfeitedPoints)} points are forfeited`
            : `it forfeits ${points(forfeitedPoints)} points of a balance of ${points(owed)}: a forfeit takes the whole balance`,
        );
      if (typeof forfeitedPoints !== 'number' || forfeitedPoints <= 0) return null;
      return forfeitFollower(c.event, `the forfeit of its ${points(forfeitedPoints)} points`);
    }
    case 'MemberProfileUpdated':
      return null;
    case 'MemberUnarchived':
      if (!archived) c.add('archived-member', 'the member is not archived');
      return null;
    case 'PointsCredited':
      if (archived)
        c.add(
          'archived-member',
          `${points(typed.data.amount)} points credited to an archived member`,
        );
      return null;
    case 'PointsDebited':
      if (typed.data.reason === 'member_archived') checkForfeit(typed, state, c);
      else checkDebit(typed, wallet, c);
      return null;
    case 'PointsRefunded':
      checkRefund(typed, wallet, c);
      // A member archived with its balance forfeited holds no points: the refund is forfeited too.
      if (state.status !== 'archived' || state.balanceRetained) return null;
      return forfeitFollower(c.event, `the forfeit of its ${points(typed.data.amount)} points`);
    case 'RedemptionCreated':
      return checkCreated(typed, wallet, archived, c);
    case 'RedemptionStatusChanged':
      checkMove(typed, wallet, c);
      return null;
    case 'RedemptionCanceled':
      return checkCancel(typed, wallet, archived, c);
    case 'RedemptionReversed':
      return checkReversal(typed, wallet, c);
    case 'RedemptionFulfilled':
      checkFulfilment(typed, wallet, c);
      return null;
    case 'PointsHeld':
      checkHeld(typed, wallet, c);
      return null;
    case 'PointsHoldApplied':
    case 'PointsHoldReleased':
      return checkHoldEnd(typed, wallet, c);
    default:
      // Events whose type evolveWallet does not know are refused before (walletEventProblem).
      return assertNever(typed);
  }
}

/** A follower that is the next event of `event`'s stream, read right after it. */
function follower(
  event: AuditedEvent,
  rule: AuditRule,
  message: string,
  is: (next: AuditedEvent) => boolean,
): Follower {
  return { finding: { rule, message }, matches: (next) => sameStreamNext(event, next) && is(next) };
}

function forfeitFollower(event: AuditedEvent, what: string): Follower {
  return follower(
    event,
    'forfeit-mismatch',
    `${what} (a PointsDebited with reason member_archived) is not the next event of its append`,
    (next) => next.type === 'PointsDebited' && dataOf(next).reason === 'member_archived',
  );
}

function checkCreated(
  typed: RedemptionCreated,
  wallet: Wallet,
  archived: boolean,
  c: Checking,
): Follower | null {
  const { redemptionId: id, offer, pointsCost } = typed.data;
  if (archived) c.add('archived-member', `redemption ${id} is created for an archived member`);
  if (wallet.redemptions.has(id))
    c.add(
      'redemption-repeated',
      `redemption ${id} was created before: the fold ignores this one, but not what follows it`,
    );
  const limit = offer.maxPerMember;
  const held = wallet.nonCanceledByOffer.get(offer.id) ?? 0;
  if (typeof limit === 'number' && held >= limit)
    c.add(
      'per-member-limit',
      `the member already holds ${held} redemption(s) of offer ${offer.id} that are not canceled, and its maxPerMember is ${limit}`,
    );
  if (typed.data.deduction === 'DELAYED')
    return follower(
      c.event,
      'hold-mismatch',
      `redemption ${id} delays its deduction, and the next event of its append is not its PointsHeld`,
      (next) => next.type === 'PointsHeld' && dataOf(next).redemptionId === id,
    );
  if (pointsCost === 0) return null;
  return follower(
    c.event,
    'debit-not-atomic',
    `redemption ${id} costs ${points(pointsCost)} points, and the next event of its append is not its PointsDebited`,
    (next) =>
      next.type === 'PointsDebited' &&
      dataOf(next).reason !== 'member_archived' &&
      dataOf(next).redemptionId === id,
  );
}

/**
 * Whether the event before this one is, in the same stream, the `type` event of redemption `id`
 * that opens its append (RedemptionCreated before a debit, RedemptionCanceled before a refund).
 */
function followsItsOpener(c: Checking, type: string, id: string | null): boolean {
  return (
    sameStreamNext(c.previous, c.event) &&
    c.previous?.type === type &&
    dataOf(c.previous).redemptionId === id
  );
}

function checkDebit(typed: PointsDebited, wallet: Wallet, c: Checking): void {
  const { redemptionId: id, amount } = typed.data;
  const entry = id === null ? undefined : wallet.redemptions.get(id);
  const created = dataOf(c.previous);
  if (followsItsOpener(c, 'PointsHoldApplied', id)) {
    if (!sameRequest(c.previous!, c.event))
      c.add(
        'debit-not-atomic',
        `the debit of redemption ${id} follows its PointsHoldApplied but carries another request's metadata: two appends, not one`,
      );
    else if (amount !== created.points)
      c.add(
        'debit-mismatch',
        `it debits ${points(amount)} points for redemption ${id}, whose applied hold is ${points(created.points)}`,
      );
    return;
  }
  if (!followsItsOpener(c, 'RedemptionCreated', id)) {
    const which =
      entry === undefined
        ? `${id === null ? 'no redemption' : `redemption ${id}, which this wallet does not hold`}`
        : `redemption ${id}, created in an earlier append${entry.pointsDebited > 0 ? ` and debited ${points(entry.pointsDebited)} points already` : ''}`;
    c.add(
      'debit-not-atomic',
      `a debit of ${points(amount)} points for ${which}: a redemption's debit is the next event of the append that creates it, or that applies its hold`,
    );
  } else if (!sameRequest(c.previous!, c.event))
    c.add(
      'debit-not-atomic',
      `the debit of redemption ${id} follows its RedemptionCreated but carries another request's metadata: two appends, not one`,
    );
  else if (entry !== undefined && entry.pointsDebited > 0)
    c.add(
      'debit-mismatch',
      `redemption ${id} is debited a second time (${points(entry.pointsDebited)} points before)`,
    );
  else if (amount !== created.pointsCost)
    c.add(
      'debit-mismatch',
      `it debits ${points(amount)} points for redemption ${id}, which costs ${points(created.pointsCost)}`,
    );
}

function checkForfeit(typed: PointsDebited, state: WalletState, c: Checking): void {
  const { amount } = typed.data;
  const explains = dataOf(c.previous);
  const forfeiting = state.status === 'archived' && !state.balanceRetained;
  const kind = c.previous?.type;
  const after =
    sameStreamNext(c.previous, c.event) &&
    (kind === 'MemberArchived' || (kind === 'PointsRefunded' && forfeiting));
  const balance = walletOf(state).ledger.balance;
  if (!after)
    c.add(
      'forfeit-mismatch',
      `a forfeit of ${points(amount)} points that is not the next event of a MemberArchived, or of the refund of an archived member who forfeited the balance, in the same append`,
    );
  else if (!sameRequest(c.previous!, c.event))
    c.add(
      'forfeit-mismatch',
      `the forfeit follows its ${kind} but carries another request's metadata: two appends, not one`,
    );
  else if (amount !== (kind === 'MemberArchived' ? explains.forfeitedPoints : explains.amount))
    c.add(
      'forfeit-mismatch',
      `it forfeits ${points(amount)} points where its ${kind} says ${points(kind === 'MemberArchived' ? explains.forfeitedPoints : explains.amount)}`,
    );
  else if (amount !== balance)
    c.add(
      'forfeit-mismatch',
      `it forfeits ${points(amount)} points of a balance of ${points(balance)}: a forfeit takes the whole balance`,
    );
}

/** What an opener of a refund's append says it gives back. */
const REFUND_OPENERS = {
  RedemptionCanceled: 'refundedPoints',
  RedemptionReversed: 'reversedPoints',
} as const;

function checkRefund(typed: PointsRefunded, wallet: Wallet, c: Checking): void {
  const { redemptionId: id, amount } = typed.data;
  const entry = wallet.redemptions.get(id);
  const opener = (Object.keys(REFUND_OPENERS) as (keyof typeof REFUND_OPENERS)[]).find((type) =>
    followsItsOpener(c, type, id),
  );
  if (opener === undefined) {
    const which =
      entry === undefined
        ? `redemption ${id}, which this wallet does not hold`
        : `redemption ${id}${entry.pointsRefunded > 0 ? `, refunded ${points(entry.pointsRefunded)} points already` : ''}`;
    c.add(
      'refund-not-atomic',
      `a refund of ${points(amount)} points for ${which}: a refund is the next event of the append that cancels or reverses its redemption`,
    );
  } else if (!sameRequest(c.previous!, c.event))
    c.add(
      'refund-not-atomic',
      `the refund of redemption ${id} follows its ${opener} but carries another request's metadata: two appends, not one`,
    );
  else if (amount !== dataOf(c.previous)[REFUND_OPENERS[opener]])
    c.add(
      'refund-mismatch',
      `it refunds ${points(amount)} points for redemption ${id}, and its ${opener} says ${points(dataOf(c.previous)[REFUND_OPENERS[opener]])}`,
    );
}

function checkMove(typed: RedemptionStatusChanged, wallet: Wallet, c: Checking): void {
  const { redemptionId: id, from, to } = typed.data;
  const entry = wallet.redemptions.get(id);
  if (entry === undefined) {
    c.add(
      'unknown-redemption',
      `a status move of redemption ${id}, which this wallet does not hold`,
    );
    return;
  }
  const illegal = statusMoveError(entry.status, to);
  if (from !== entry.status)
    c.add(
      'illegal-transition',
      `it moves redemption ${id} from ${quoted(from)} to ${to}, but the redemption is ${entry.status}${illegal ? `, and ${illegal.message}` : ''}`,
    );
  else if (illegal) c.add('illegal-transition', `redemption ${id}: ${illegal.message}`);
}

function checkCancel(
  typed: RedemptionCanceled,
  wallet: Wallet,
  archived: boolean,
  c: Checking,
): Follower | null {
  const { redemptionId: id, from, canceledBy, refundedPoints } = typed.data;
  const entry = wallet.redemptions.get(id);
  if (entry === undefined) {
    c.add('unknown-redemption', `a cancel of redemption ${id}, which this wallet does not hold`);
    return null;
  }
  if (entry.status === 'CANCELED')
    c.add('canceled-twice', `redemption ${id} was canceled already, at ${entry.canceledAt}`);
  else {
    const refused = cancelError(entry.status, canceledBy);
    if (from !== entry.status)
      c.add(
        'illegal-transition',
        `it cancels redemption ${id} from ${quoted(from)}, but the redemption is ${entry.status}`,
      );
    else if (refused) c.add('illegal-transition', `redemption ${id}: ${refused.message}`);
  }
  if (archived && canceledBy === 'member')
    c.add('archived-member', `the member cancels redemption ${id} while archived`);
  const owed = entry.pointsDebited - entry.pointsRefunded;
  if (entry.hold?.state === 'HELD' && entry.status !== 'CANCELED')
    return follower(
      c.event,
      'hold-mismatch',
      `the cancel of redemption ${id}, whose points are on hold, is not followed in its append by its PointsHoldReleased`,
      (next) => next.type === 'PointsHoldReleased' && dataOf(next).redemptionId === id,
    );
  if (refundedPoints !== owed)
    c.add(
      'refund-mismatch',
      `the cancel of redemption ${id} refunds ${points(refundedPoints)} points, where ${points(entry.pointsDebited)} were debited for it and ${points(entry.pointsRefunded)} refunded`,
    );
  if (typeof refundedPoints !== 'number' || refundedPoints <= 0) return null;
  return follower(
    c.event,
    'refund-not-atomic',
    `the cancel of redemption ${id} refunds ${points(refundedPoints)} points, and the next event of its append is not its PointsRefunded`,
    (next) => next.type === 'PointsRefunded' && dataOf(next).redemptionId === id,
  );
}

/**
 * A reversal gives back at most what is still debited for a live redemption, and never past its
 * whole measure (units or amount); its refund is the next event of its append.
 */
function checkReversal(typed: RedemptionReversed, wallet: Wallet, c: Checking): Follower | null {
  const { redemptionId: id, reversedPoints } = typed.data;
  const entry = wallet.redemptions.get(id);
  if (entry === undefined) {
    c.add('unknown-redemption', `a reversal of redemption ${id}, which this wallet does not hold`);
    return null;
  }
  const owed = entry.pointsDebited - entry.pointsRefunded;
  if (entry.status === 'CANCELED')
    c.add('reversal-mismatch', `it reverses redemption ${id}, canceled at ${entry.canceledAt}`);
  else if (entry.reversed.state === 'FULLY_REVERSED')
    c.add('reversal-mismatch', `it reverses redemption ${id}, which was reversed whole already`);
  else if (reversedPoints > owed)
    c.add(
      'reversal-mismatch',
      `it gives back ${points(reversedPoints)} points of redemption ${id}, where ${points(owed)} are still debited for it`,
    );
  else if (fieldError(entry, typed.data) !== null)
    c.add(
      'reversal-mismatch',
      `it reverses ${measure(typed.data)} of redemption ${id}, a ${entry.created.offer.priceModel} one, which is not measured so`,
    );
  else {
    // The service's own reckoning of this measure (wallet.reversals.ts): it refuses a measure past
    // what was redeemed, and a part refunded above what it gives back is forged.
    const part = partToReverse(entry, typed.data, owed);
    if (part instanceof DomainError)
      c.add(
        'reversal-mismatch',
        `it reverses more of redemption ${id} than was redeemed (${typed.data.units === null ? `amount ${quoted(typed.data.amount)} of ${quoted(entry.created.amount)}` : `${typed.data.units} units of ${entry.created.quantity}`}, ${typed.data.units === null ? `${quoted(entry.reversed.amount)}` : `${entry.reversed.units ?? 0}`} reversed before)`,
      );
    else if (reversedPoints > part.points)
      c.add(
        'reversal-mismatch',
        `it gives back ${points(reversedPoints)} points for ${measure(typed.data)} of redemption ${id}, where the service gives back ${points(part.points)}`,
      );
  }
  if (typeof reversedPoints !== 'number' || reversedPoints <= 0) return null;
  return follower(
    c.event,
    'refund-not-atomic',
    `the reversal of redemption ${id} gives back ${points(reversedPoints)} points, and the next event of its append is not its PointsRefunded`,
    (next) => next.type === 'PointsRefunded' && dataOf(next).redemptionId === id,
  );
}

/** Only a FULFILMENT redemption that is not canceled is shipped (wallet.fulfilment.ts). */
function checkFulfilment(typed: RedemptionFulfilled, wallet: Wallet, c: Checking): void {
  const { redemptionId: id } = typed.data;
  const entry = wallet.redemptions.get(id);
  if (entry === undefined)
    c.add(
      'unknown-redemption',
      `a fulfilment of redemption ${id}, which this wallet does not hold`,
    );
  else if (entry.created.artifact.type !== 'FULFILMENT')
    c.add(
      'fulfilment-mismatch',
      `it fulfils redemption ${id}, whose artifact is ${entry.created.artifact.type}, not FULFILMENT`,
    );
  else if (entry.status === 'CANCELED')
    c.add('fulfilment-mismatch', `it fulfils redemption ${id}, canceled at ${entry.canceledAt}`);
}

/** A hold opens right after its DELAYED RedemptionCreated, for what the redemption costs. */
function checkHeld(typed: PointsHeld, wallet: Wallet, c: Checking): void {
  const { redemptionId: id, points: held } = typed.data;
  const entry = wallet.redemptions.get(id);
  const created = dataOf(c.previous);
  if (entry === undefined || !followsItsOpener(c, 'RedemptionCreated', id))
    c.add(
      'hold-mismatch',
      `a hold of ${points(held)} points for redemption ${id} that is not the next event of the append that creates it`,
    );
  else if (entry.hold !== null) c.add('hold-mismatch', `redemption ${id} is held a second time`);
  else if (created.deduction !== 'DELAYED' || held !== created.pointsCost)
    c.add(
      'hold-mismatch',
      `it holds ${points(held)} points for redemption ${id}, which costs ${points(created.pointsCost)} and ${created.deduction === 'DELAYED' ? 'delays' : 'does not delay'} its deduction`,
    );
}

/**
 * A hold is applied or released once, only while HELD, for what it holds: an apply is followed
 * by its debit (when it holds points), a release follows its redemption's cancel.
 */
function checkHoldEnd(
  typed: PointsHoldApplied | PointsHoldReleased,
  wallet: Wallet,
  c: Checking,
): Follower | null {
  const { redemptionId: id, points: ended } = typed.data;
  const verb = typed.type === 'PointsHoldApplied' ? 'applies' : 'releases';
  const hold = wallet.redemptions.get(id)?.hold ?? null;
  if (hold === null)
    c.add('hold-mismatch', `it ${verb} the hold of redemption ${id}, which holds no points`);
  else if (hold.state !== 'HELD')
    c.add(
      'hold-mismatch',
      `it ${verb} the hold of redemption ${id}, which is ${hold.state} already`,
    );
  else if (ended !== hold.points)
    c.add(
      'hold-mismatch',
      `it ${verb} ${points(ended)} points of the hold of redemption ${id}, which holds ${points(hold.points)}`,
    );
  if (typed.type === 'PointsHoldReleased') {
    if (!followsItsOpener(c, 'RedemptionCanceled', id))
      c.add(
        'hold-mismatch',
        `the release of the hold of redemption ${id} is not the next event of the append that cancels it`,
      );
    return null;
  }
  if (typeof ended !== 'number' || ended <= 0) return null;
  return follower(
    c.event,
    'debit-not-atomic',
    `the hold of redemption ${id} is applied, and the next event of its append is not its PointsDebited`,
    (next) => next.type === 'PointsDebited' && dataOf(next).redemptionId === id,
  );
}

const measure = (data: RedemptionReversed['data']) =>
  data.units !== null
    ? `${data.units} units`
    : data.amount !== null
      ? `amount ${quoted(data.amount)}`
      : 'the whole';

const figures = (l: Ledger) => [
  l.balance,
  l.credited,
  l.debited,
  l.refunded,
  l.refundable,
  l.pending,
  lifetimePoints(l),
];
const exact = (l: Ledger) => figures(l).every(Number.isSafeInteger);

/** The ledger's own rules, on the ledger the event led to; each reported where it starts to fail. */
function afterFold(was: Ledger, now: Ledger, add: (rule: AuditRule, message: string) => void) {
  if (now.balance < 0 && (was.balance >= 0 || now.balance < was.balance))
    add(
      'negative-balance',
      `the balance falls to ${points(now.balance)} points${was.balance < 0 ? '' : ` from ${points(was.balance)}`}`,
    );
  if (now.pending < 0 && now.pending < was.pending)
    add('negative-pending', `the points on hold fall to ${points(now.pending)}`);
  const available = now.balance - now.pending;
  if (now.pending > 0 && available < 0 && available < was.balance - was.pending)
    add(
      'overspent-hold',
      `the balance of ${points(now.balance)} points falls below the ${points(now.pending)} on hold`,
    );
  const expected = now.credited - now.debited + now.refunded;
  if (now.balance !== expected)
    add(
      'balance-mismatch',
      `the balance is ${points(now.balance)}, credited - debited + refunded is ${points(expected)}`,
    );
  if (!exact(now) && exact(was))
    add(
      'unsafe-integer',
      `the wallet's figures (balance ${points(now.balance)}, lifetime points ${points(lifetimePoints(now))}) leave the safe-integer range (${points(Number.MAX_SAFE_INTEGER)}): its sums are no longer exact`,
    );
}
