/**
 * npm run bench:replay: writes a loyalty workload (1,000,000 events over 100,000 members by
 * default) to the embedded store, reads it back with a bare paged readAll, then rebuilds every
 * read model from it, and prints both rates and their ratio.
 */
import { randomUUID } from 'node:crypto';
import { EventData, JsonObject, JsonValue } from '../src/event-store';
import { SqliteEventStore } from '../src/infrastructure/sqlite/sqlite-event-store';
import { progressBar } from '../src/cli/progress-bar';
import { ReadModelDb } from '../src/projections/read-model-db';
import { rebuildReadModels } from '../src/projections/rebuild';
import { atLeast, fmt, prng, rate, ratio, row, scratchDir, timed } from './bench-util';
import { eventsPathIn, readModelsPathIn } from '../src/config/data-dir-files';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 1_000_000);
const MEMBERS = Number(process.env.BENCH_MEMBERS ?? 100_000);
const OFFERS_PER_TENANT = 50;
const TENANTS = [
  { environment: 'sandbox', orgId: 'bench' },
  { environment: 'live', orgId: 'bench' },
];
const PAGE = 1000;
const STEPS = ['OPEN', 'AWAITING_VENDOR', 'PURCHASED', 'COMPLETED'];

interface Offer {
  tenant: number;
  id: string;
  snapshot: JsonObject;
  price: number;
  limited: boolean;
}
interface Redemption {
  id: string;
  offer: Offer;
  step: number;
  debited: number;
  open: boolean;
}
interface Member {
  id: string;
  tenant: number;
  registered: boolean;
  balance: number;
  redemptions: Redemption[];
}

/** Writes the workload; returns the balances the read models must end with. */
async function writeWorkload(
  store: SqliteEventStore,
): Promise<{ events: number; balance: number }> {
  const random = prng(42);
  let clock = Date.parse('2024-01-01T00:00:00Z');
  let written = 0;
  let pending: Promise<unknown>[] = [];
  const revisions = new Map<string, bigint>();
  const append = (
    stream: string,
    tenant: number,
    member: string | null,
    events: Array<[string, JsonValue]>,
  ) => {
    const now = new Date(clock).toISOString();
    const metadata: JsonObject = {
      schemaVersion: 1,
      occurredAt: now,
      requestId: null,
      idempotencyKey: null,
      actor: 'org:bench',
      environment: TENANTS[tenant].environment,
      orgId: TENANTS[tenant].orgId,
      correlationId: null,
      causationId: null,
      ...(member === null ? {} : { externalUserID: member }),
    };
    const data: EventData[] = events.map(([type, d]) => ({
      id: randomUUID(),
      type,
      data: d,
      metadata,
    }));
    written += data.length;
    // Exact expected revisions, as the command side appends (and the store checks them cheaply).
    const revision = revisions.get(stream);
    revisions.set(stream, (revision ?? -1n) + BigInt(data.length));
    pending.push(store.append(stream, data, revision ?? 'no_stream'));
  };
  const tenantKey = (t: number) => `${TENANTS[t].environment}.${TENANTS[t].orgId}`;
  const offers: Offer[] = [];
  for (let t = 0; t < TENANTS.length; t++) {
    for (let i = 0; i < OFFERS_PER_TENANT; i++) {
      const id = `off_bench${String(i).padStart(4, '0')}`;
      const limited = i % 5 === 0;
      const definition = {
        title: `Offer ${i}`,
        description:
          'An experience worth the points, with a long enough description to be realistic.',
        shortDescription: 'An experience',
        images: [`https://img.example.com/${id}.jpg`],
        kind: 'EXPERIENCE',
        type: 'dining',
        priceModel: 'FIXED',
        pointsPrice: 100 * (1 + (i % 10)),
        unitCost: null,
        minAmount: null,
        maxAmount: null,
        pointsPerAmountUnit: null,
        status: 'ACTIVE',
        availableFrom: null,
        expiresAt: null,
        maxTotal: limited ? 1_000_000_000 : null,
        maxPerMember: null,
        artifact: 'NONE',
      };
      append(`offer-${tenantKey(t)}.${id}`, t, null, [
        ['OfferCreated', { offerId: id, ...definition, createdAt: new Date(clock).toISOString() }],
      ]);
      const { maxTotal: _m, ...rest } = definition;
      const snapshot = {
        id,
        ...rest,
        remainingStock: limited ? 1_000_000_000 : null,
      } as JsonObject;
      offers.push({ tenant: t, id, snapshot, price: definition.pointsPrice, limited });
    }
  }
  const members: Member[] = Array.from({ length: MEMBERS }, (_, i) => ({
    id: `member-${i}`,
    tenant: i % TENANTS.length,
    registered: false,
    balance: 0,
    redemptions: [],
  }));
  let serial = 0;
  while (written < EVENTS) {
    const m = members[Math.floor(random() * MEMBERS)];
    const stream = `wallet-${tenantKey(m.tenant)}.${m.id}`;
    const at = () => new Date(clock).toISOString();
    const txn = () => `txn_bench${(serial++).toString(16)}`;
    clock += 20_000;
    const dice = random();
    const open = m.redemptions.filter((r) => r.open);
    if (!m.registered) {
      m.registered = true;
      const profile = {
        displayName: `Member ${m.id}`,
        tier: 'gold',
        attributes: {},
        email: null,
        phone: null,
        posAccountId: null,
      };
      append(stream, m.tenant, m.id, [
        ['MemberRegistered', { externalUserID: m.id, ...profile, registeredAt: at() }],
      ]);
    } else if (dice < 0.45 || (dice < 0.75 && m.balance < 1000)) {
      const amount = 100 + Math.floor(random() * 900);
      m.balance += amount;
      append(stream, m.tenant, m.id, [
        ['PointsCredited', { transactionId: txn(), amount, reason: 'purchase', creditedAt: at() }],
      ]);
    } else if (dice < 0.75) {
      const offer = offers[m.tenant * OFFERS_PER_TENANT + Math.floor(random() * OFFERS_PER_TENANT)];
      if (offer.price > m.balance) continue;
      const id = `red_${m.id}_${(serial++).toString(16)}`;
      m.balance -= offer.price;
      m.redemptions.push({ id, offer, step: 0, debited: offer.price, open: true });
      if (offer.limited) {
        append(`offer-${tenantKey(m.tenant)}.${offer.id}`, m.tenant, m.id, [
          ['OfferStockReserved', { redemptionId: id, units: 1, reservedAt: at() }],
        ]);
      }
      const created = {
        redemptionId: id,
        externalUserID: m.id,
        offer: offer.snapshot,
        quantity: 1,
        amount: null,
        pointsCost: offer.price,
        description: null,
        shipping: null,
        artifact: { type: 'NONE' },
        createdAt: at(),
      };
      append(stream, m.tenant, m.id, [
        ['RedemptionCreated', created],
        [
          'PointsDebited',
          {
            transactionId: txn(),
            amount: offer.price,
            reason: 'redemption',
            redemptionId: id,
            debitedAt: at(),
          },
        ],
      ]);
    } else if (dice < 0.93 && open.length > 0) {
      const r = open[Math.floor(random() * open.length)];
      const from = r.step === 0 ? 'SUBMITTED' : STEPS[r.step - 1];
      const to = STEPS[r.step++];
      if (to === 'COMPLETED') r.open = false;
      append(stream, m.tenant, m.id, [
        [
          'RedemptionStatusChanged',
          { redemptionId: r.id, from, to, startAt: null, endAt: null, changedAt: at() },
        ],
      ]);
    } else if (open.length > 0) {
      const r = open[Math.floor(random() * open.length)];
      const from = r.step === 0 ? 'SUBMITTED' : STEPS[r.step - 1];
      r.open = false;
      m.balance += r.debited;
      append(stream, m.tenant, m.id, [
        [
          'RedemptionCanceled',
          {
            redemptionId: r.id,
            from,
            canceledBy: 'org',
            reason: null,
            refundedPoints: r.debited,
            canceledAt: at(),
          },
        ],
        [
          'PointsRefunded',
          {
            transactionId: txn(),
            amount: r.debited,
            reason: 'redemption_canceled',
            redemptionId: r.id,
            refundedAt: at(),
          },
        ],
      ]);
      if (r.offer.limited) {
        append(`offer-${tenantKey(m.tenant)}.${r.offer.id}`, m.tenant, m.id, [
          ['OfferStockReleased', { redemptionId: r.id, units: 1, releasedAt: at() }],
        ]);
      }
    } else continue;
    if (pending.length >= 2000) {
      await Promise.all(pending);
      pending = [];
    }
  }
  await Promise.all(pending);
  return { events: written, balance: members.reduce((sum, m) => sum + m.balance, 0) };
}

/** What the rebuild competes with: every event read back, a page at a time, and nothing else. */
async function bareReadAll(store: SqliteEventStore): Promise<number> {
  let count = 0;
  let from: bigint | 'start' = 'start';
  for (;;) {
    const page = await store.readAll({ fromPosition: from, maxCount: PAGE });
    count += page.length;
    if (page.length < PAGE) return count;
    from = page[page.length - 1].position + 1n;
  }
}

async function main(): Promise<void> {
  const dir = scratchDir('replay');
  const path = eventsPathIn(dir);
  const writer = SqliteEventStore.open({ path, synchronous: 'OFF' });
  console.log(`bench:replay in ${dir}: ${fmt(EVENTS)} events over ${fmt(MEMBERS)} members\n`);
  const written = await timed(() => writeWorkload(writer));
  row(
    'write workload (synchronous=OFF)',
    `${fmt(rate(written.result.events, written.seconds))} ev/s`,
  );
  // Both reads run as `ledger rebuild` runs: on a store opened read-only, with no writer thread
  // left over from writing the workload (closing it frees about 570 MB, whose mere presence made
  // the rebuild 0.5-1 s slower on one machine; docs/performance.md).
  await writer.close();
  const store = SqliteEventStore.open({ path, readonly: true });

  const bare = await timed(() => bareReadAll(store));
  const readModels = ReadModelDb.open({ path: readModelsPathIn(dir) });
  const bar = progressBar(process.stderr);
  const rebuilt = await rebuildReadModels(store, readModels, {
    onProgress: (p) => bar.update(p),
    deferIndexes: true,
  });
  bar.done();

  const bareRate = rate(bare.result, bare.seconds);
  const rebuildRate = rate(rebuilt.events, rebuilt.seconds);
  row('bare readAll (pages of 1,000)', `${fmt(bareRate)} ev/s`);
  row(
    `rebuild all read models (${fmt(rebuilt.events)} events, ${rebuilt.seconds.toFixed(2)} s)`,
    `${fmt(rebuildRate)} ev/s`,
    atLeast(rebuildRate, 100_000, '>= 100,000'),
  );
  const share = rebuildRate / bareRate;
  row('ratio rebuild / bare readAll', ratio(share), atLeast(share, 0.3, '>= 0.30'));

  const balance = readModels.db
    .prepare('SELECT sum(balance) FROM rm_wallets')
    .pluck()
    .get() as number;
  const stopped = rebuilt.projections.filter((p) => p.status === 'stopped');
  const ok =
    balance === written.result.balance && stopped.length === 0 && bare.result === rebuilt.events;
  row('check: balances, events and projections', ok ? 'ok' : 'MISMATCH');
  if (!ok) console.log({ balance, expected: written.result.balance, stopped });
  readModels.close();
  await store.close();
  if (!ok) process.exitCode = 1;
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
