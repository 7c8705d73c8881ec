import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StreamUnreadableError } from '../event-store/event-store.errors';
import { EventStore } from '../event-store/event-store.port';
import { SqliteEventStore } from '../infrastructure/sqlite/sqlite-event-store';
import { sha256Hex } from '../shared/application/sha256';
import {
  loadMemberRefs,
  MEMBER_REF_SCHEME_CHOSEN,
  MEMBER_REF_SCHEME_STREAM,
  MemberRefs,
  MemberRefsOfStore,
} from './member-refs';

const event = (type: string) => ({ id: randomUUID(), type, data: {} });
/** The digest that named wallets before schemes were recorded (docs/events.md's example). */
const plain = (tenantKey: string, id: string) => sha256Hex(`${tenantKey}\n${id}`).slice(0, 24);

describe('member digests', () => {
  let store: SqliteEventStore;
  beforeEach(() => {
    store = SqliteEventStore.open({ path: ':memory:' });
  });
  afterEach(() => store.close());

  const recorded = () => store.readStream(MEMBER_REF_SCHEME_STREAM);

  it('keys a new store with a key of its own, recorded once, so a guessed member id cannot be checked', async () => {
    const refs = await loadMemberRefs(store);
    expect(refs.scheme).toEqual({
      kind: 'hmac-sha256',
      key: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    const ref = refs.of('sandbox.acme', 'user-123');
    expect(ref).toMatch(/^[0-9a-f]{24}$/);
    expect(ref).not.toBe(plain('sandbox.acme', 'user-123'));
    // The same member in another tenant is another digest.
    expect(refs.of('live.acme', 'user-123')).not.toBe(ref);
    // Loaded again (a restart, another replica): the recorded key, nothing more written.
    const again = await loadMemberRefs(store);
    expect(again.of('sandbox.acme', 'user-123')).toBe(ref);
    expect((await recorded()).map((e) => e.type)).toEqual([MEMBER_REF_SCHEME_CHOSEN]);
    // Two stores never share a key.
    const other = SqliteEventStore.open({ path: ':memory:' });
    try {
      expect((await loadMemberRefs(other)).of('sandbox.acme', 'user-123')).not.toBe(ref);
    } finally {
      await other.close();
    }
  });

  it('keeps the plain digest of a store whose wallets were named by it, and writes nothing', async () => {
    await store.append(
      `wallet-sandbox.acme.${plain('sandbox.acme', 'user-123')}`,
      [event('MemberRegistered')],
      'no_stream',
    );
    const refs = await loadMemberRefs(store);
    expect(refs.scheme).toEqual({ kind: 'sha256' });
    expect(refs.of('sandbox.acme', 'user-123')).toBe('fcaa904c1d13336469819294');
    expect(await recorded()).toEqual([]);
    expect(await store.headPosition()).toBe(1n);
  });

  it('keys a store that holds offers but no wallet yet', async () => {
    await store.append('offer-sandbox.acme.offer_1', [event('OfferCreated')], 'no_stream');
    expect((await loadMemberRefs(store)).scheme.kind).toBe('hmac-sha256');
  });

  it('settles on one key when two replicas choose at once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'points-ledger-member-refs-'));
    const path = join(dir, 'events.db');
    const a = SqliteEventStore.open({ path, writer: 'inline' });
    const b = SqliteEventStore.open({ path, writer: 'inline' });
    try {
      const [ofA, ofB] = await Promise.all([loadMemberRefs(a), loadMemberRefs(b)]);
      expect(ofA.of('sandbox.acme', 'ann')).toBe(ofB.of('sandbox.acme', 'ann'));
      expect(await a.readStream(MEMBER_REF_SCHEME_STREAM)).toHaveLength(1);
    } finally {
      await a.close();
      await b.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a recorded scheme it cannot read rather than name wallets anew', async () => {
    await store.append(
      MEMBER_REF_SCHEME_STREAM,
      [
        {
          id: randomUUID(),
          type: MEMBER_REF_SCHEME_CHOSEN,
          data: { kind: 'hmac-sha512', key: 'x' },
        },
      ],
      'no_stream',
    );
    const refusal = loadMemberRefs(store);
    await expect(refusal).rejects.toThrow(StreamUnreadableError); // 503 STREAM_UNREADABLE
    await expect(refusal).rejects.toThrow(
      /stream settings-memberrefs cannot be read: MemberRefSchemeChosen of kind "hmac-sha512": this version reads/,
    );
  });

  it('loads once, and again after a load that failed', async () => {
    const failing: EventStore = Object.create(store);
    let reads = 0;
    failing.readStream = (...args) => {
      reads += 1;
      if (reads === 1) return Promise.reject(new Error('store unreachable'));
      return store.readStream(...args);
    };
    const refs = new MemberRefsOfStore(failing);
    await expect(refs.get()).rejects.toThrow('store unreachable');
    const loaded = await refs.get();
    expect(loaded).toBeInstanceOf(MemberRefs);
    expect(await refs.get()).toBe(loaded);
    expect(reads).toBe(2);
  });
});
