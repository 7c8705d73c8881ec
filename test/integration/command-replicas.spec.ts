import { Logger } from '@nestjs/common';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateOfferInput, OfferCommands } from '../../src/catalog/offers/offer-commands.service';
import { EventStore, WrongExpectedVersionError } from '../../src/event-store';
import { SqliteEventStore } from '../../src/infrastructure/sqlite/sqlite-event-store';
import { Aggregates } from '../../src/ledger/application/aggregates';
import { MemberCommands } from '../../src/ledger/members/member.commands';
import { RedemptionCommands } from '../../src/ledger/redemptions/redemption.commands';
import { memberRefOfRedemption, offerStream, walletStream } from '../../src/ledger/streams';
import { walletOf } from '../../src/ledger/wallet/wallet.state';
import { ContentionError, ExecutionResult } from '../../src/shared/application/command-executor';
import { CommandRequest } from '../../src/shared/http/command-request';
import { ReadModelDb } from '../../src/projections/read-model-db';
import { HoldSweeper } from '../../src/read-models/holds/hold-sweeper';
import { delegatingStore } from '../support/delegating-store';
import { projectToHead } from '../support/read-models';

const TENANT = { orgId: 'acme', environment: 'sandbox' as const };
const TENANT_KEY = 'sandbox.acme';

let requests = 0;
function orgRequest(key?: string): CommandRequest {
  const requestId = `req-${++requests}`;
  return {
    principal: { kind: 'org', tenant: TENANT },
    tenant: TENANT,
    tenantKey: TENANT_KEY,
    requestId,
    idempotency: key
      ? { tenantKey: TENANT_KEY, key, fingerprint: key, context: { requestId } }
      : undefined,
  };
}

const offer = (input: Partial<CreateOfferInput>): CreateOfferInput => ({
  title: 'Sunset kayak tour',
  kind: 'EXPERIENCE',
  type: 'OUTDOOR',
  priceModel: 'FIXED',
  status: 'ACTIVE',
  artifact: 'NONE',
  maxPerMember: null,
  ...input,
});

/** The real store, with the expected-revision conflicts it answered counted. */
function countingConflicts(store: SqliteEventStore): { port: EventStore; conflicts: () => number } {
  let conflicts = 0;
  const counted = <T>(promise: Promise<T>): Promise<T> =>
    promise.catch((error: unknown) => {
      if (error instanceof WrongExpectedVersionError) conflicts++;
      throw error;
    });
  const port: EventStore = {
    ...delegatingStore(() => store),
    append: (...args) => counted(store.append(...args)),
    appendAtomically: (appends) => counted(store.appendAtomically(appends)),
  };
  return { port, conflicts: () => conflicts };
}

/**
 * One replica of the service's command side, built as the app builds it: its own store connection
 * on the shared file, its own state cache, executor and local lock.
 */
function replica(path: string) {
  const store = SqliteEventStore.open({ path, writer: 'inline' });
  const { port, conflicts } = countingConflicts(store);
  return { store, conflicts, ...commandSide(port), close: () => store.close() };
}

/** The command side on `port`, as the app builds it: its own state cache, executor and lock. */
function commandSide(port: EventStore) {
  const aggregates = new Aggregates(port);
  return {
    aggregates,
    members: new MemberCommands(aggregates),
    offers: new OfferCommands(aggregates),
    redemptions: new RedemptionCommands(aggregates),
  };
}

/**
 * The store as EventStoreDB offers it, one append at a time (no appendAtomically), whose appends to
 * wallet streams conflict for as long as `walletsBusy` says: another replica writing them.
 */
function sequentialWithBusyWallets(path: string) {
  const store = SqliteEventStore.open({ path, writer: 'inline' });
  const busy = { walletsBusy: false };
  const port: EventStore = {
    ...delegatingStore(() => store),
    append: (stream, events, expected) =>
      busy.walletsBusy && stream.startsWith('wallet-')
        ? Promise.reject(new WrongExpectedVersionError(stream, expected, 'no_stream'))
        : store.append(stream, events, expected),
  };
  return { store, busy, ...commandSide(port) };
}

/** A redemption's points held, not debited, for an hour from now. */
const heldForAnHour = () => ({
  delayPointsDeduction: true,
  holdExpiresAt: new Date(Date.now() + 3_600_000).toISOString(),
});

/** The clock two hours on (timers still run), past the expiry of heldForAnHour's holds. */
function twoHoursOn(): void {
  jest.useFakeTimers({
    now: Date.now() + 2 * 3_600_000,
    advanceTimers: true,
    doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask', 'hrtime', 'performance'],
  });
}

/**
 * A directory of its own for each test of the describe block that calls this, removed after the
 * test with the real clock back; answers the path of a file in it.
 */
function eachTestInItsOwnDir(prefix: string): (file: string) => string {
  let dir = '';
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), prefix))));
  afterEach(() => {
    jest.useRealTimers();
    rmSync(dir, { recursive: true, force: true });
  });
  return (file) => join(dir, file);
}

const codeOf = (r: ExecutionResult) =>
  r.outcome.status === 201 ? 'created' : (r.outcome.body as { error: { code: string } }).error.code;

/**
 * Each replica trusts its cached state without a read (docs/architecture.md, "Load by revision"),
 * and its local lock only queues its own requests. What keeps two replicas from spending the same
 * points or the same unit of stock is the expected revision each append names: a decision made on
 * state another replica has since moved must conflict, be decided again on fresh state, and be
 * refused.
 */
describe('Two replicas of the command side on one event store', () => {
  let dir: string;
  let a: ReturnType<typeof replica>;
  let b: ReturnType<typeof replica>;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'points-ledger-replicas-'));
    const path = join(dir, 'events.db');
    a = replica(path);
    b = replica(path);
  });
  afterEach(async () => {
    await a.close();
    await b.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** The balance the stored events add up to, folded by a command side with an empty cache. */
  const balanceInStore = async (wallet: string) =>
    walletOf((await new Aggregates(a.store).wallets.load(wallet)).state).ledger.balance;

  it('never spends a balance twice when both redeem from one wallet at once', async () => {
    const created = await a.offers.create(orgRequest(), offer({ pointsPrice: 30 }), 'off_kayak');
    expect(created.outcome.status).toBe(201);
    expect((await a.members.credit(orgRequest(), 'ann', 100, null)).outcome.status).toBe(200);
    const wallet = walletStream(
      TENANT_KEY,
      (await a.aggregates.memberRefs.get()).of(TENANT_KEY, 'ann'),
    );
    // Both replicas have seen the credited wallet (balance 100) and trust it from here on.
    for (const r of [a, b])
      expect(walletOf((await r.aggregates.wallets.load(wallet)).state).ledger.balance).toBe(100);

    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        (i % 2 === 0 ? a : b).redemptions.create(
          orgRequest(i < 2 ? `kayak-${i}` : undefined),
          'ann',
          { offerId: 'off_kayak' },
        ),
      ),
    );

    const codes = results.map(codeOf);
    expect(codes.filter((c) => c === 'created')).toHaveLength(3);
    expect(codes.filter((c) => c === 'INSUFFICIENT_POINTS')).toHaveLength(3);
    // 100 - 3 x 30: never below zero, whichever replica decided which redemption.
    expect(await balanceInStore(wallet)).toBe(10);
    // A stale decision was caught by its expected revision and decided again.
    expect(a.conflicts() + b.conflicts()).toBeGreaterThan(0);
  });

  it('decides a refusal on what the other replica wrote, not on its own stale wallet', async () => {
    await a.offers.create(orgRequest(), offer({ pointsPrice: 30 }), 'off_late');
    const early = await a.redemptions.create(orgRequest('uma-1'), 'uma', { offerId: 'off_late' });
    expect(codeOf(early)).toBe('INSUFFICIENT_POINTS');
    // B credits the wallet that A holds in its cache with a balance of 0.
    expect((await b.members.credit(orgRequest(), 'uma', 100, null)).outcome.status).toBe(200);
    for (const key of ['uma-2', undefined]) {
      const late = await a.redemptions.create(orgRequest(key), 'uma', { offerId: 'off_late' });
      expect(codeOf(late)).toBe('created');
    }
  });

  it('never sells the last unit of an offer twice when members redeem it on both at once', async () => {
    const limited = offer({ pointsPrice: 10, maxTotal: 1 });
    expect((await a.offers.create(orgRequest(), limited, 'off_last')).outcome.status).toBe(201);
    for (const m of ['bea', 'cal']) await a.members.credit(orgRequest(), m, 100, null);
    // Both replicas have seen one unit left.
    for (const r of [a, b]) await r.aggregates.offers.load(offerStream(TENANT_KEY, 'off_last'));

    const results = await Promise.all([
      a.redemptions.create(orgRequest(), 'bea', { offerId: 'off_last' }),
      b.redemptions.create(orgRequest('cal-last'), 'cal', { offerId: 'off_last' }),
    ]);

    expect(results.map(codeOf).sort()).toEqual(['OFFER_UNAVAILABLE', 'created']);
    const offerEvents = await a.store.readStream(offerStream(TENANT_KEY, 'off_last'));
    expect(offerEvents.filter((e) => e.type === 'OfferStockReserved')).toHaveLength(1);
    const balances = await Promise.all(
      ['bea', 'cal'].map(async (m) =>
        balanceInStore(
          walletStream(TENANT_KEY, (await a.aggregates.memberRefs.get()).of(TENANT_KEY, m)),
        ),
      ),
    );
    expect(balances.sort((x, y) => x - y)).toEqual([90, 100]);
    expect(a.conflicts() + b.conflicts()).toBeGreaterThan(0);
  });
});

describe('A redemption whose wallet write kept conflicting, retried with its key (sequential appends)', () => {
  const fileIn = eachTestInItsOwnDir('points-ledger-retry-');

  it('finishes on the stock its first attempt reserved, and reserves no second unit', async () => {
    const path = fileIn('events.db');
    const setup = replica(path);
    // The last unit: the retry must count the unit its first attempt reserved as its own.
    const limited = offer({ pointsPrice: 10, maxTotal: 1 });
    expect((await setup.offers.create(orgRequest(), limited, 'off_kept')).outcome.status).toBe(201);
    await setup.members.credit(orgRequest(), 'dee', 100, null);
    await setup.close();

    const busy = sequentialWithBusyWallets(path);
    busy.busy.walletsBusy = true;
    // The stock is reserved, then every wallet append conflicts: the client is told to retry.
    await expect(
      busy.redemptions.create(orgRequest('dee-1'), 'dee', { offerId: 'off_kept' }),
    ).rejects.toThrow(ContentionError);
    busy.busy.walletsBusy = false;
    // The wallet moves on meanwhile, so the recorded decision cannot be finished as recorded.
    const other = replica(path);
    expect((await other.members.credit(orgRequest(), 'dee', 5, null)).outcome.status).toBe(200);
    await other.close();
    const retried = await busy.redemptions.create(orgRequest('dee-1'), 'dee', {
      offerId: 'off_kept',
    });
    expect(codeOf(retried)).toBe('created');

    const offerEvents = await busy.store.readStream(offerStream(TENANT_KEY, 'off_kept'));
    const reserved = offerEvents.filter((e) => e.type === 'OfferStockReserved');
    expect(reserved.map((e) => (e.data as { redemptionId: string }).redemptionId)).toEqual([
      (retried.outcome.body as { id: string }).id,
    ]);
    await busy.store.close();
  });
});

describe('Two replicas appending one by one (EventStoreDB), one with a stale wallet', () => {
  const fileIn = eachTestInItsOwnDir('points-ledger-stale-');

  it('redeems an offer it does not lock on its definition as written, not as cached', async () => {
    const path = fileIn('events.db');
    const [a, b] = [sequentialWithBusyWallets(path), sequentialWithBusyWallets(path)];
    await a.offers.create(orgRequest(), offer({ pointsPrice: 1 }), 'off_open');
    for (const m of ['jo', 'kit']) await a.members.credit(orgRequest(), m, 10, null);
    expect(codeOf(await a.redemptions.create(orgRequest(), 'jo', { offerId: 'off_open' }))).toBe(
      'created',
    );
    // B closes the offer; A holds it in its cache as ACTIVE, with no expected revision on it.
    await b.offers.update(orgRequest(), 'off_open', { status: 'INACTIVE' });
    const late = await a.redemptions.create(orgRequest('kit-1'), 'kit', { offerId: 'off_open' });
    expect(codeOf(late)).toBe('OFFER_UNAVAILABLE');
    await a.store.close();
    await b.store.close();
  });

  it("releases an expired hold's stock that it learns of from the store, not from its cache", async () => {
    const path = fileIn('events.db');
    const [a, b] = [sequentialWithBusyWallets(path), sequentialWithBusyWallets(path)];
    await a.offers.create(orgRequest(), offer({ pointsPrice: 1 }), 'off_free');
    await a.offers.create(orgRequest(), offer({ pointsPrice: 1, maxTotal: 2 }), 'off_two');
    for (const m of ['lou', 'max', 'ned']) await a.members.credit(orgRequest(), m, 10, null);
    // A caches the two-unit offer with lou's unit; B then holds max's unit, which A does not know.
    await a.redemptions.create(orgRequest(), 'lou', { offerId: 'off_two' });
    await b.redemptions.create(orgRequest(), 'max', {
      offerId: 'off_two',
      ...heldForAnHour(),
    });
    twoHoursOn();
    // max's next write, on A, expires the hold: its unit must go back to the offer.
    expect(codeOf(await a.redemptions.create(orgRequest(), 'max', { offerId: 'off_free' }))).toBe(
      'created',
    );
    expect(codeOf(await b.redemptions.create(orgRequest(), 'ned', { offerId: 'off_two' }))).toBe(
      'created',
    );
    await a.store.close();
    await b.store.close();
  });

  it('never frees the stock of a hold that another replica applied, taking it for expired', async () => {
    const path = fileIn('events.db');
    const a = sequentialWithBusyWallets(path);
    const b = sequentialWithBusyWallets(path);
    const setup = replica(path);
    await setup.offers.create(orgRequest(), offer({ pointsPrice: 10, maxTotal: 1 }), 'off_one');
    for (const m of ['hal', 'ivy']) await setup.members.credit(orgRequest(), m, 100, null);
    await setup.close();

    const held = await a.redemptions.create(orgRequest(), 'hal', {
      offerId: 'off_one',
      ...heldForAnHour(),
    });
    const holdId = (held.outcome.body as { id: string }).id;
    // B applies the hold: it keeps its unit for good. A still holds the wallet with it HELD.
    expect((await b.redemptions.apply(orgRequest(), holdId, null)).outcome.status).toBe(200);

    // Past the hold's expiry, as A's stale wallet sees it: it would take it for expired.
    twoHoursOn();
    const again = await a.redemptions.create(orgRequest(), 'hal', { offerId: 'off_one' });
    const other = await b.redemptions.create(orgRequest(), 'ivy', { offerId: 'off_one' });
    expect([codeOf(again), codeOf(other)]).toEqual(['OFFER_UNAVAILABLE', 'OFFER_UNAVAILABLE']);
    const offerEvents = await a.store.readStream(offerStream(TENANT_KEY, 'off_one'));
    expect(offerEvents.map((e) => e.type)).not.toContain('OfferStockReleased');
    await a.store.close();
    await b.store.close();
  });
});

describe('A release lost after its cancel landed (sequential appends)', () => {
  const fileIn = eachTestInItsOwnDir('points-ledger-left-stock-');

  /**
   * The store one append at a time, whose first release of stock conflicts: another replica wrote
   * the offer between the wallet's append, which cancels a hold, and the release that follows it.
   */
  function sequentialWithOneLostRelease(path: string) {
    const store = SqliteEventStore.open({ path, writer: 'inline' });
    let lost = 0;
    const port: EventStore = {
      ...delegatingStore(() => store),
      append: (stream, events, expected) => {
        if (lost === 0 && events.some((e) => e.type === 'OfferStockReleased')) {
          lost++;
          return Promise.reject(new WrongExpectedVersionError(stream, expected, 'no_stream'));
        }
        return store.append(stream, events, expected);
      },
    };
    return { store, lost: () => lost, ...commandSide(port) };
  }

  it.each([
    ['without a key', undefined],
    ['under a key', 'hal-credit-1'],
  ])('credits once %s when the release its expired hold calls for conflicts', async (_how, key) => {
    const a = sequentialWithOneLostRelease(fileIn('events.db'));
    await a.offers.create(orgRequest(), offer({ pointsPrice: 10, maxTotal: 1 }), 'off_one');
    await a.members.credit(orgRequest(), 'hal', 100, null);
    await a.redemptions.create(orgRequest(), 'hal', { offerId: 'off_one', ...heldForAnHour() });
    twoHoursOn();
    // The credit's wallet append cancels the expired hold; the release that follows conflicts.
    const credited = await a.members.credit(orgRequest(key), 'hal', 5, null);
    expect(credited.outcome).toMatchObject({ status: 200, body: { balance: 105 } });
    expect(a.lost()).toBe(1);
    const types = (await a.store.readAll()).map((e) => e.type);
    expect(types.filter((t) => t === 'PointsCredited')).toHaveLength(2); // the 100 and the 5
    expect(types.filter((t) => t === 'IdempotentCommandDecided')).toHaveLength(key ? 1 : 0);
    await a.store.close();
  });

  it('gives the stock back through the sweeper, which finds it left in rm_stock_left', async () => {
    const path = fileIn('events.db');
    const a = sequentialWithOneLostRelease(path);
    await a.offers.create(orgRequest(), offer({ pointsPrice: 10, maxTotal: 1 }), 'off_one');
    await a.offers.create(orgRequest(), offer({ pointsPrice: 1 }), 'off_free');
    for (const m of ['hal', 'ivy']) await a.members.credit(orgRequest(), m, 100, null);
    const held = await a.redemptions.create(orgRequest(), 'hal', {
      offerId: 'off_one',
      ...heldForAnHour(),
    });
    const holdId = (held.outcome.body as { id: string }).id;
    twoHoursOn();
    // hal's next write cancels the expired hold; the release of its unit that follows conflicts.
    expect(codeOf(await a.redemptions.create(orgRequest(), 'hal', { offerId: 'off_free' }))).toBe(
      'created',
    );
    expect(a.lost()).toBe(1);
    const ref = memberRefOfRedemption(holdId)!;
    const wallet = await a.aggregates.wallets.load(walletStream(TENANT_KEY, ref));
    expect(walletOf(wallet.state).redemptions.get(holdId)?.status).toBe('CANCELED');
    const stock = await a.aggregates.offerAsWritten(offerStream(TENANT_KEY, 'off_one'));
    expect(stock.state.status !== 'absent' && stock.state.reservations.has(holdId)).toBe(true);
    expect(codeOf(await a.redemptions.create(orgRequest(), 'ivy', { offerId: 'off_one' }))).toBe(
      'OFFER_UNAVAILABLE',
    );

    const readModels = ReadModelDb.open({ path: fileIn('read-models.db') });
    try {
      await projectToHead(a.store, readModels);
      const sweeper = new HoldSweeper(readModels, { holdSweepIntervalMs: 0 }, a.redemptions);
      // Within the grace, a cancel's own release may still be on its way: left alone.
      expect(await sweeper.sweepOnce(new Date())).toEqual({ holds: 0, stock: 0 });
      const later = new Date(Date.now() + 120_000);
      const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
      expect(await sweeper.sweepOnce(later)).toEqual({ holds: 0, stock: 1 });
      expect(warn).toHaveBeenCalledWith(
        `Gave back the stock canceled redemption ${TENANT_KEY}/${holdId} still held`,
      );
      warn.mockRestore();
      const released = (await a.store.readStream(offerStream(TENANT_KEY, 'off_one'))).at(-1);
      expect(released?.type).toBe('OfferStockReleased');
      expect(released?.data).toMatchObject({ redemptionId: holdId, units: 1 });
      expect(released?.metadata).toMatchObject({ actor: 'system', externalUserID: 'hal' });
      expect(codeOf(await a.redemptions.create(orgRequest(), 'ivy', { offerId: 'off_one' }))).toBe(
        'created',
      );
      // Projected, the release ends the row: the next sweep finds nothing to do.
      await projectToHead(a.store, readModels);
      expect(await sweeper.sweepOnce(later)).toEqual({ holds: 0, stock: 0 });
      expect(readModels.db.prepare('SELECT * FROM rm_stock_left').all()).toEqual([]);
    } finally {
      readModels.close();
      await a.store.close();
    }
  });
});
