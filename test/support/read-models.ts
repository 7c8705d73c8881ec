import { prng } from '../../bench/bench-util';
import type Database from 'better-sqlite3';
import { EVENT_STORE, EventStore } from '../../src/event-store/event-store.port';
import { ALL_PROJECTIONS } from '../../src/projections/all-projections';
import { ProjectionEngine } from '../../src/projections/engine/projection-engine';
import { ProjectionRunner } from '../../src/projections/engine/projection-runner';
import type { ReadModelDb } from '../../src/projections/read-model-db';
import { READ_MODEL_DB } from '../../src/read-models/shared/tokens';
import { api, TestApp } from './test-app';

type Client = ReturnType<typeof api>;

/** The app's read side: its store, its read-model database and what runs its projections. */
export function readSide(t: TestApp): {
  store: EventStore;
  readModels: ReadModelDb;
  engine: ProjectionRunner;
} {
  return {
    store: t.app.get<EventStore>(EVENT_STORE),
    readModels: t.app.get<ReadModelDb>(READ_MODEL_DB),
    engine: t.app.get(ProjectionRunner),
  };
}

/** Resolves once every projection has committed the store's current head. */
export async function caughtUp(t: TestApp): Promise<void> {
  const { store, engine } = readSide(t);
  await engine.waitFor(engine.names, Number(await store.headPosition()), 10_000);
}

/** Runs every projection over `store` up to its head, then stops; fails if one stopped on an event. */
export async function projectToHead(store: EventStore, readModels: ReadModelDb): Promise<void> {
  const engine = new ProjectionEngine(store, readModels, ALL_PROJECTIONS, { retryDelayMs: 5 });
  engine.start();
  await engine.waitFor(engine.names, Number(await store.headPosition()), 20_000);
  expect(engine.status().filter((p) => p.status !== 'running')).toEqual([]);
  await engine.stop();
}

/** Every row of every read-model table, in primary-key order, for row-for-row comparisons. */
export function dumpTables(
  db: Database.Database,
  tables: readonly string[],
): Record<string, unknown[]> {
  return Object.fromEntries(
    tables.map((table) => {
      const keys = db
        .prepare(`SELECT name FROM pragma_table_info(?) WHERE pk > 0 ORDER BY pk`)
        .pluck()
        .all(table) as string[];
      const order = keys.length > 0 ? keys.join(', ') : 'rowid';
      return [table, db.prepare(`SELECT * FROM ${table} ORDER BY ${order}`).all()];
    }),
  );
}

export { prng };

/** Follows nextCursor until null, as seed 001's loop does; returns every page. */
export async function allPages<T>(client: Client, path: string, key: string): Promise<T[][]> {
  const pages: T[][] = [];
  let cursor: string | undefined;
  do {
    const separator = path.includes('?') ? '&' : '?';
    const url =
      cursor === undefined ? path : `${path}${separator}cursor=${encodeURIComponent(cursor)}`;
    const response = await client('GET', url);
    if (response.status !== 200)
      throw new Error(`${url}: ${response.status} ${JSON.stringify(response.body)}`);
    pages.push(response.body[key] as T[]);
    cursor = response.body.nextCursor ?? undefined;
  } while (cursor);
  return pages;
}

const STEPS = ['OPEN', 'AWAITING_VENDOR', 'AWAITING_CUSTOMER', 'PURCHASED', 'COMPLETED'];

/** An email address several members of a random workload share (randomWorkload). */
export const SHARED_EMAIL = 'Shared@Example.com';

/**
 * Lookup aliases a member's profile update sets, changes or clears, chosen by the step (so the
 * workload's random draws, and with them the rest of it, stay as they were without them).
 */
function aliasesAt(member: string, step: number): Record<string, string | null> {
  switch (step % 5) {
    case 0:
      return { email: `${member}@Example.com`, phone: `+1555010${step % 10}` };
    case 1:
      return { email: SHARED_EMAIL, posAccountId: `POS-${step % 3}` };
    case 2:
      return { email: null, phone: null };
    case 3:
      return { posAccountId: null, phone: `+4477009001${step % 10}` };
    default:
      return {};
  }
}

/**
 * A random workload through the real command side: offers (some with stock), members, credits,
 * redemptions (a third of them holding their points, some of those for a second or two), lifecycle
 * moves, holds applied or released, cancels, reversals (whole, and part of a UNIT_BASED one),
 * fulfilment, profile changes (lookup aliases among them) and archives. Returns the requests'
 * statuses.
 */
const SHIPPING = {
  name: 'M',
  line1: 'Storgata 1',
  city: 'Oslo',
  postalCode: '0155',
  country: 'NO',
};

export async function randomWorkload(org: Client, seed: number, steps: number): Promise<number[]> {
  const random = prng(seed);
  const pick = <T>(items: T[]): T => items[Math.floor(random() * items.length)];
  const members = Array.from({ length: 12 }, (_, i) => `member-${seed}-${i}`);
  const offers: string[] = [];
  const redemptions: string[] = [];
  const byTheUnit: string[] = [];
  const statuses: number[] = [];
  for (let i = 0; i < 4; i++) {
    const response = await org('POST', '/v1/offers', {
      title: `Offer ${i}`,
      kind: 'experience',
      type: 'outdoor',
      pointsPrice: 10 + 10 * i,
      maxPerMember: 5,
      ...(i % 2 === 0 ? { maxTotal: 40 } : {}),
    });
    offers.push(response.body.id);
  }
  const units = await org('POST', '/v1/offers', {
    title: 'Offer by the unit',
    kind: 'experience',
    type: 'outdoor',
    priceModel: 'UNIT_BASED',
    unitCost: 7,
    maxPerMember: 5,
  });
  offers.push(units.body.id);
  const parcel = await org('POST', '/v1/offers', {
    title: 'Offer shipped',
    kind: 'gift',
    type: 'parcel',
    pointsPrice: 15,
    artifact: 'FULFILMENT',
    maxPerMember: 5,
  });
  offers.push(parcel.body.id);
  const shipped: string[] = [];
  const held: string[] = [];
  for (let step = 0; step < steps; step++) {
    const dice = random();
    const member = pick(members);
    let response;
    if (dice < 0.15) {
      response = await org('PUT', `/v1/members/${member}`, {
        displayName: `Name ${step}`,
        tier: pick(['gold', 'silver']),
        ...aliasesAt(member, step),
      });
    } else if (dice < 0.45) {
      response = await org('POST', '/v1/wallet/credit', {
        amount: 1 + Math.floor(random() * 100),
        externalUserID: member,
      });
    } else if (dice < 0.7) {
      const offer = pick(offers);
      const delay = random();
      response = await org('POST', '/v1/redemptions', {
        offer,
        externalUserID: member,
        ...(offer === units.body.id ? { quantity: 1 + Math.floor(random() * 3) } : {}),
        ...(offer === parcel.body.id ? { shipping: SHIPPING } : {}),
        // Held; the shortest ones expire while the workload runs (released by a later command).
        ...(delay < 0.33 ? { delayPointsDeduction: true } : {}),
        ...(delay < 0.1 ? { holdExpiresAt: new Date(Date.now() + 1_500).toISOString() } : {}),
      });
      if (response.status === 201 && delay < 0.33) held.push(response.body.id);
      if (response.status === 201 && offer === parcel.body.id) shipped.push(response.body.id);
      if (response.status === 201) redemptions.push(response.body.id);
      if (response.status === 201 && response.body.quantity > 1) byTheUnit.push(response.body.id);
    } else if (dice < 0.79 && held.length > 0) {
      // Applied (with or without a reference), or released: either may meet an ended hold (409).
      const id = pick(held);
      const apply = random() < 0.6;
      response = await org(
        'POST',
        `/v1/redemptions/${id}/${apply ? 'apply' : 'release'}`,
        apply ? (random() < 0.5 ? { reference: `order-${step}` } : {}) : { reason: 'declined' },
      );
    } else if (dice < 0.85 && redemptions.length > 0) {
      response = await org('POST', `/v1/redemptions/${pick(redemptions)}/status`, {
        status: pick(STEPS),
      });
    } else if (dice < 0.91 && redemptions.length > 0) {
      response = await org('POST', `/v1/redemptions/${pick(redemptions)}/cancel`, {
        reason: 'changed plans',
      });
    } else if (dice < 0.93 && shipped.length > 0) {
      // Shipped, or its tracking corrected (a second event), or the same tracking (none).
      response = await org('POST', `/v1/redemptions/${pick(shipped)}/fulfilment`, {
        trackingNumber: `JD${Math.floor(random() * 3)}`,
      });
    } else if (dice < 0.95 && redemptions.length > 0) {
      // One unit of a UNIT_BASED redemption of several, or any one whole.
      const part = byTheUnit.length > 0 && random() < 0.6;
      response = await org(
        'POST',
        `/v1/redemptions/${pick(part ? byTheUnit : redemptions)}/reverse`,
        part ? { units: 1 } : { reason: 'returned' },
      );
    } else if (dice < 0.97) {
      response = await org('DELETE', `/v1/members/${member}?retainBalance=${random() < 0.5}`);
    } else {
      response = await org('PATCH', `/v1/offers/${pick(offers)}`, { title: `Renamed ${step}` });
    }
    if (response) statuses.push(response.status);
  }
  return statuses;
}
