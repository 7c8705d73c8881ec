import { createdWith } from '../catalog/offer/offer.fixtures';
import { offer, redeemed, registered } from '../ledger/wallet/wallet.fixtures';
import * as walletState from '../ledger/wallet/wallet.state';
import { AUDIT_RULES } from './audit-rules';
import {
  archived,
  audited,
  canceled,
  credit,
  debit,
  Log,
  MEMBER,
  moved,
  OFFER,
  placed,
  refund,
  released,
  reserved,
  unarchived,
  WALLET,
} from './audit.fixtures';

/** A redemption of a fixed-price offer of its own, so that per-member limits stay out of the way. */
const redemption = (id: string, price: number, overrides = {}) =>
  redeemed(id, offer({ id: `offer-${id}`, pointsPrice: price, ...overrides }));

/** A history that keeps every rule: what the service writes. */
function cleanHistory(): Log {
  return new Log()
    .append(OFFER, createdWith({ maxTotal: 2 }))
    .append('idempotency-sandbox.acme.abc', [{ type: 'IdempotentCommandDecided', data: {} }], {})
    .append(WALLET, [registered(MEMBER), credit(1_000)])
    .append(OFFER, [reserved('r-1')])
    .append(WALLET, redemption('r-1', 300))
    .append(WALLET, [moved('r-1', 'SUBMITTED', 'OPEN')])
    .append(WALLET, [moved('r-1', 'OPEN', 'AWAITING_CUSTOMER')])
    .append(WALLET, [canceled('r-1', 'AWAITING_CUSTOMER', 300), refund(300, 'r-1')])
    .append(OFFER, [released('r-1')])
    .append(WALLET, redemption('r-2', 0))
    .append(WALLET, redemption('r-3', 200))
    .append(WALLET, [archived(true, 0)])
    .append(WALLET, [canceled('r-3', 'SUBMITTED', 200), refund(200, 'r-3')])
    .append(WALLET, [
      unarchived,
      { type: 'MemberProfileUpdated', data: { changes: {}, updatedAt: '' } },
    ])
    .append(WALLET, redemption('r-4', 100))
    .append(WALLET, [archived(false, 900), debit(900, null)])
    .append(WALLET, [canceled('r-4', 'SUBMITTED', 100), refund(100, 'r-4'), debit(100, null)]);
}

describe('LedgerAudit', () => {
  it('finds nothing wrong in a history that keeps every rule', () => {
    expect(audited(cleanHistory().events)).toEqual([]);
  });

  it('names every rule it can report once, in a stable order', () => {
    expect(new Set(AUDIT_RULES).size).toBe(AUDIT_RULES.length);
    for (const rule of AUDIT_RULES) expect(rule).toMatch(/^[a-z]+(-[a-z]+)+$/);
  });

  describe('streams and envelopes', () => {
    it('unreadable-event: an event the fold cannot read stops its stream, and only its stream', () => {
      const log = new Log()
        .append(WALLET, [credit(100)])
        .append(WALLET, [credit(5)], { schemaVersion: 2 })
        .append(WALLET, [debit(1_000, null)]) // not audited: the stream stopped
        .append('wallet-sandbox.acme.m2', [debit(50, 'r-9')]);
      const found = audited(log.events);
      expect(placed(found)).toEqual([
        { rule: 'unreadable-event', stream: WALLET, revision: 1n, position: 2n },
        { rule: 'debit-not-atomic', stream: 'wallet-sandbox.acme.m2', revision: 0n, position: 4n },
        { rule: 'negative-balance', stream: 'wallet-sandbox.acme.m2', revision: 0n, position: 4n },
      ]);
      expect(found[0].message).toBe(
        'the fold cannot read it: schema version 2 is not supported; the rest of this stream is not audited',
      );
    });

    it('unreadable-event: data that breaks its type, a damaged body, or a type the fold does not know', () => {
      const log = new Log()
        .append(WALLET, [credit(100)])
        .append(WALLET, [{ ...credit(1), data: { amount: '100abc' } }])
        .push({
          stream: OFFER,
          revision: 0n,
          type: 'OfferCreated',
          data: {},
          metadata: {},
          unreadable: 'not JSON',
        })
        .append('offer-sandbox.acme.o2', [{ type: 'OfferRenamed', data: {} }]);
      expect(audited(log.events).map((v) => [v.rule, v.position, v.message])).toEqual([
        [
          'unreadable-event',
          2n,
          'the fold cannot read it: PointsCredited: amount is "100abc", not an integer of at least 1; the rest of this stream is not audited',
        ],
        [
          'unreadable-event',
          3n,
          'the fold cannot read it: not JSON; the rest of this stream is not audited',
        ],
        [
          'unreadable-event',
          4n,
          'the fold cannot read it: OfferRenamed is not an event type this version of the service knows in offer streams; the rest of this stream is not audited',
        ],
      ]);
    });

    it('unreadable-event: what the fold itself throws on, and the audit goes on with the others', () => {
      const spy = jest.spyOn(walletState, 'evolveWallet').mockImplementationOnce(() => {
        throw new Error('cannot fold');
      });
      try {
        const log = new Log()
          .append(WALLET, [credit(100)])
          .append(WALLET, [debit(500, null)]) // not audited: the stream stopped
          .append('wallet-sandbox.acme.m2', [archived(false, 7)]);
        expect(audited(log.events).map((v) => [v.rule, v.stream, v.message])).toEqual([
          [
            'unreadable-event',
            WALLET,
            'the fold failed on it (cannot fold); the rest of this stream is not audited',
          ],
          [
            'forfeit-mismatch',
            'wallet-sandbox.acme.m2',
            'it forfeits 7 points of a balance of 0: a forfeit takes the whole balance',
          ],
          [
            'forfeit-mismatch',
            'wallet-sandbox.acme.m2',
            'the forfeit of its 7 points (a PointsDebited with reason member_archived) is not the next event of its append',
          ],
        ]);
      } finally {
        spy.mockRestore();
      }
    });

    it('revision-gap: a revision skipped or repeated stops the stream there', () => {
      const base = new Log().append(WALLET, [credit(100), credit(1)]).events;
      const skipped = [base[0], { ...base[1], revision: 2n }];
      expect(placed(audited(skipped))).toEqual([
        { rule: 'revision-gap', stream: WALLET, revision: 2n, position: 2n },
      ]);
      expect(audited(skipped)[0].message).toBe(
        'revision 2 comes after 0: 1 missing, or later in $all than it; the rest of this stream is not audited',
      );
      const repeated = [base[0], { ...base[1], revision: 0n }];
      expect(audited(repeated).map((v) => [v.rule, v.message])).toEqual([
        ['revision-gap', 'revision 0 again, after 0; the rest of this stream is not audited'],
      ]);
    });

    it('position-gap: on the embedded store, a position with no event is one lost from the log', () => {
      const events = new Log().append(WALLET, [credit(100), credit(1), credit(2)]).events;
      const lost = [events[0], { ...events[2], revision: 1n }];
      expect(audited(lost).map((v) => [v.rule, v.position, v.message])).toEqual([
        ['position-gap', 3n, 'position 2 holds no event: 1 missing from the log before this one'],
      ]);
      // EventStoreDB's positions are byte offsets: they skip by nature.
      expect(audited(lost, { positionsCountEvents: false })).toEqual([]);
    });

    it("tenant-mismatch: an event whose metadata names another tenant than its stream's", () => {
      const log = new Log()
        .append(WALLET, [credit(100)])
        .append(WALLET, [credit(1)], { orgId: 'globex' });
      expect(audited(log.events).map((v) => [v.rule, v.revision, v.message])).toEqual([
        [
          'tenant-mismatch',
          1n,
          "its metadata names tenant sandbox.globex, which is not the stream's",
        ],
      ]);
    });

    it('member-mismatch: a wallet event of another member than the stream holds', () => {
      const log = new Log()
        .append(WALLET, [credit(100)])
        .append(WALLET, [credit(1)], { externalUserID: 'm-2' })
        .append(WALLET, [registered('m-3')]);
      expect(audited(log.events).map((v) => [v.rule, v.revision, v.message])).toEqual([
        ['member-mismatch', 1n, `its metadata names member "m-2", the stream's first event "m-1"`],
        ['member-mismatch', 2n, 'it registers member "m-3", its metadata names "m-1"'],
      ]);
    });
  });
});
