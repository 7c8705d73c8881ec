import { randomUUID } from 'node:crypto';
import { createdWith } from '../../src/catalog/offer/offer.fixtures';
import { walletDecider } from '../../src/ledger/wallet/wallet.decider';
import type { WalletEvent } from '../../src/ledger/wallet/wallet.events';
import { cancel, credited, movedTo, redeemed } from '../../src/ledger/wallet/wallet.fixtures';
import { isDomainError } from '../../src/shared/domain/domain-error';
import { SqliteEventStore } from '../../src/infrastructure/sqlite/sqlite-event-store';
import { ReadModelDb } from '../../src/projections/read-model-db';
import { OfferQueries } from '../../src/read-models/offers/offer.queries';
import { AnalyticsQueries } from '../../src/read-models/analytics/analytics.queries';
import { WalletQueries } from '../../src/read-models/wallet/wallet.queries';
import { projectToHead } from '../support/read-models';
import { TENANT, walletEvent } from '../support/wallet-events';

const TENANT_KEY = 'sandbox.acme';
const AT = '2024-03-01T12:00:00.000Z';

const registered = (member: string) =>
  walletEvent(member, 'MemberRegistered', {
    externalUserID: member,
    displayName: null,
    tier: null,
    attributes: {},
    email: null,
    phone: null,
    posAccountId: null,
    registeredAt: AT,
  });
const archived = (member: string) =>
  walletEvent(member, 'MemberArchived', {
    retainBalance: true,
    forfeitedPoints: 0,
    archivedAt: AT,
  });
const unarchived = (member: string) =>
  walletEvent(member, 'MemberUnarchived', { unarchivedAt: AT });

const offerEvent = (type: string, data: Record<string, unknown>) => ({
  id: randomUUID(),
  type,
  data: data as never,
  metadata: { schemaVersion: 1, occurredAt: AT, ...TENANT },
});

/** Read-model rules of docs/read-models.md, over events appended to a real store and projected. */
describe('Read-model rules (integration)', () => {
  let store: SqliteEventStore;
  let readModels: ReadModelDb;

  beforeEach(() => {
    store = SqliteEventStore.open({ path: ':memory:' });
    readModels = ReadModelDb.open({ path: ':memory:' });
  });
  afterEach(async () => {
    readModels.close();
    await store.close();
  });

  const append = (member: string, ...events: ReturnType<typeof walletEvent>[]) =>
    store.append(`wallet-sandbox.acme.${member}`, events, 'any');
  const project = () => projectToHead(store, readModels);

  it('memberCount counts registered members that are not archived, and an unarchived one again', async () => {
    const analytics = new AnalyticsQueries(readModels);
    const wallets = new WalletQueries(readModels);
    await append('ada', registered('ada'));
    await append('bob', registered('bob'));
    await append('cy', registered('cy'), archived('cy'));
    await project();
    expect(analytics.summary(TENANT_KEY).memberCount).toBe(2);
    expect(wallets.member(TENANT_KEY, 'cy')).toMatchObject({ archived: true });

    await append('cy', unarchived('cy'));
    await append('bob', archived('bob'));
    await project();
    expect(analytics.summary(TENANT_KEY).memberCount).toBe(2);
    expect(wallets.member(TENANT_KEY, 'cy')).toMatchObject({ archived: false });
    expect(wallets.member(TENANT_KEY, 'bob')).toMatchObject({ archived: true });
  });

  it('gives reserved stock back to the offer read model when a reservation is released', async () => {
    const offers = new OfferQueries(readModels);
    const created = createdWith({ offerId: 'off_1', maxTotal: 2 })[0].data;
    await store.append(
      'offer-sandbox.acme.off_1',
      [
        offerEvent('OfferCreated', created),
        offerEvent('OfferStockReserved', { redemptionId: 'r-1', units: 1, reservedAt: AT }),
        offerEvent('OfferStockReserved', { redemptionId: 'r-2', units: 1, reservedAt: AT }),
      ],
      'no_stream',
    );
    await project();
    expect(offers.find(TENANT_KEY, 'off_1', 'org')).toMatchObject({
      status: 'OUT_OF_STOCK',
      remainingStock: 0,
    });

    await store.append(
      'offer-sandbox.acme.off_1',
      [offerEvent('OfferStockReleased', { redemptionId: 'r-1', units: 1, releasedAt: AT })],
      'any',
    );
    await project();
    expect(offers.find(TENANT_KEY, 'off_1', 'org')).toMatchObject({
      status: 'ACTIVE',
      remainingStock: 1,
    });
  });

  it("counts an offer's completions and cancellations by status, and spent points net of refunds", async () => {
    const analytics = new AnalyticsQueries(readModels);
    const created = createdWith({ offerId: 'offer-1', maxPerMember: null })[0].data;
    await store.append('offer-sandbox.acme.offer-1', [offerEvent('OfferCreated', created)], 'any');
    const history: WalletEvent[] = [
      credited(1000),
      ...redeemed('r-1'),
      ...movedTo('r-1', 'COMPLETED'),
      ...redeemed('r-2'),
      ...redeemed('r-3'),
      ...movedTo('r-3', 'OPEN'),
    ];
    const state = history.reduce(walletDecider.evolve, walletDecider.initialState);
    const canceled = walletDecider.decide(cancel('org', 'r-2'), state);
    if (isDomainError(canceled)) throw canceled;
    await append(
      'm-1',
      ...[...history, ...canceled].map((e) => walletEvent('m-1', e.type, e.data)),
    );
    await project();

    expect(analytics.offerStats(TENANT_KEY).offers).toEqual([
      {
        offerId: 'offer-1',
        signups: 3,
        completions: 1,
        cancellations: 1,
        redeemedUnits: 3,
        pointsSpent: 200,
      },
    ]);
    expect(analytics.summary(TENANT_KEY)).toMatchObject({
      pointsMinted: 1000,
      pointsSpent: 200,
      completionRate: 1 / 3,
      redemptions: { open: 1, completed: 1, canceled: 1, submitted: 0, total: 3 },
    });
  });
});
