import { offer } from '../ledger/wallet/wallet.fixtures';
import { walletDecider } from '../ledger/wallet/wallet.decider';
import type { WalletCommand } from '../ledger/wallet/wallet.commands';
import type { WalletEvent } from '../ledger/wallet/wallet.events';
import { isDomainError } from '../shared/domain/domain-error';
import { audited, canceled, credit, Log, WALLET } from './audit.fixtures';

const T = (minutes: number) =>
  new Date(Date.parse('2025-03-01T10:00:00.000Z') + minutes * 60_000).toISOString();

/** Decides `commands` in turn on one wallet, each decision one append of the log. */
function written(commands: WalletCommand[], log = new Log()): Log {
  let state = walletDecider.initialState;
  for (const command of commands) {
    const events = walletDecider.decide(command, state);
    if (isDomainError(events)) throw new Error(`${command.type}: ${events.message}`);
    log.append(WALLET, events);
    state = events.reduce(walletDecider.evolve, state);
  }
  return log;
}

const creditOf = (amount: number, now = T(0)): WalletCommand => ({
  type: 'CreditPoints',
  data: { transactionId: `tx-c-${amount}`, amount, now },
});
const hold = (id: string, now = T(0), expiresAt = T(60)): WalletCommand => ({
  type: 'CreateRedemption',
  data: {
    redemptionId: id,
    transactionId: `tx-${id}`,
    externalUserID: 'm-1',
    offer: offer({ id: `offer-${id}`, pointsPrice: 100, maxPerMember: null }),
    delayPointsDeduction: true,
    holdExpiresAt: expiresAt,
    now,
  },
});
const apply = (id: string, now = T(1)): WalletCommand => ({
  type: 'ApplyHold',
  data: { redemptionId: id, transactionId: `tx-a-${id}`, actor: 'org', now },
});
const release = (id: string, now = T(1)): WalletCommand => ({
  type: 'ReleaseHold',
  data: { redemptionId: id, actor: 'org', now },
});

const rules = (log: Log) => audited(log.events).map((v) => [v.rule, v.revision, v.message]);

const heldEvent = (id: string, points = 100): WalletEvent => ({
  type: 'PointsHeld',
  data: { redemptionId: id, points, expiresAt: T(60), heldAt: T(0) },
});
const appliedEvent = (id: string, points = 100): WalletEvent => ({
  type: 'PointsHoldApplied',
  data: { redemptionId: id, points, reference: null, appliedAt: T(1) },
});
const releasedEvent = (id: string, points = 100): WalletEvent => ({
  type: 'PointsHoldReleased',
  data: { redemptionId: id, points, reason: 'released', releasedAt: T(1) },
});
const debitOf = (id: string, amount = 100): WalletEvent => ({
  type: 'PointsDebited',
  data: {
    transactionId: `tx-d-${id}`,
    amount,
    reason: 'redemption',
    redemptionId: id,
    debitedAt: T(1),
  },
});

describe('LedgerAudit: held points', () => {
  it('passes what the decider writes: holds applied, released, canceled, expired, and an archive', () => {
    const log = written([
      creditOf(500),
      hold('r-1'),
      apply('r-1'),
      hold('r-2'),
      release('r-2'),
      hold('r-3', T(2), T(10)),
      // Expired when the next command comes: released in its append.
      creditOf(5, T(11)),
      hold('r-4', T(12), T(100)),
      { type: 'ArchiveMember', data: { retainBalance: false, transactionId: 'tx-f', now: T(13) } },
    ]);
    expect(log.events.map((e) => e.type)).toContain('PointsHoldReleased');
    expect(rules(log)).toEqual([]);
  });

  it('hold-mismatch: a hold applied twice (its debit then matches the second apply)', () => {
    const log = written([creditOf(500), hold('r-1'), apply('r-1')]);
    log.append(WALLET, [appliedEvent('r-1'), debitOf('r-1')]);
    expect(rules(log)).toEqual([
      ['hold-mismatch', 5n, 'it applies the hold of redemption r-1, which is APPLIED already'],
    ]);
  });

  it('hold-mismatch: a release without its cancel, and one of a redemption the wallet does not hold', () => {
    const log = written([creditOf(500), hold('r-1')])
      .append(WALLET, [releasedEvent('r-1')])
      .append(WALLET, [canceled('r-9', 'SUBMITTED', 0), releasedEvent('r-9')]);
    expect(rules(log).filter(([rule]) => rule === 'hold-mismatch')).toEqual([
      [
        'hold-mismatch',
        3n,
        'the release of the hold of redemption r-1 is not the next event of the append that cancels it',
      ],
      ['hold-mismatch', 5n, 'it releases the hold of redemption r-9, which holds no points'],
    ]);
  });

  it('hold-mismatch: a DELAYED redemption without its PointsHeld, and a hold of another amount', () => {
    const created = written([creditOf(500), hold('r-1')]).events[1];
    const log = new Log()
      .append(WALLET, [credit(500)])
      .append(WALLET, [{ type: created.type, data: created.data }])
      .append(WALLET, [
        { type: created.type, data: { ...(created.data as object), redemptionId: 'r-2' } },
        heldEvent('r-2', 90),
      ]);
    expect(rules(log).map(([rule, revision]) => [rule, revision])).toEqual([
      ['hold-mismatch', 1n],
      ['hold-mismatch', 3n],
    ]);
  });

  it('negative-pending and overspent-hold: a release of more than is held, a debit into held points', () => {
    const log = written([creditOf(100), hold('r-1')]).append(WALLET, [
      canceled('r-1', 'SUBMITTED', 0),
      releasedEvent('r-1', 150),
    ]);
    expect(rules(log).map(([rule]) => rule)).toEqual(['hold-mismatch', 'negative-pending']);
    const spent = written([creditOf(100), hold('r-1')]).append(WALLET, [
      {
        type: 'PointsDebited',
        data: {
          transactionId: 'x',
          amount: 50,
          reason: 'member_archived',
          redemptionId: null,
          debitedAt: T(1),
        },
      },
    ]);
    expect(rules(spent).map(([rule]) => rule)).toContain('overspent-hold');
  });

  it('debit-not-atomic: an apply whose debit does not follow in its append', () => {
    const log = written([creditOf(500), hold('r-1')]).append(WALLET, [appliedEvent('r-1')]);
    expect(rules(log)).toEqual([
      [
        'debit-not-atomic',
        3n,
        'the hold of redemption r-1 is applied, and the next event of its append is not its PointsDebited',
      ],
    ]);
  });
});
