import type { ResolvedEvent } from '@eventstore/db-client';
import { fromResolvedEvent } from './eventstoredb-mapping';

/** A resolved event as the client hands it over, with the parts the mapping reads. */
function resolved(event: Record<string, unknown> | undefined): ResolvedEvent {
  const base = {
    id: '0b1f6b54-0c5a-4b8e-9c1f-3f2d7c0e8a11',
    type: 'PointsCredited',
    streamId: 'wallet-sandbox.acme.a',
    revision: 3n,
    created: new Date(0),
    position: { commit: 42n, prepare: 42n },
  };
  return { event: event && { ...base, ...event } } as unknown as ResolvedEvent;
}

describe('fromResolvedEvent', () => {
  it('maps a JSON event with its metadata, and one written without metadata as {}', () => {
    const written = fromResolvedEvent(
      resolved({ isJson: true, data: { amount: 5 }, metadata: { orgId: 'acme' } }),
    );
    expect(written).toMatchObject({ data: { amount: 5 }, metadata: { orgId: 'acme' } });
    expect(written?.unreadable).toBeUndefined();
    for (const none of [undefined, new Uint8Array(0)]) {
      const bare = fromResolvedEvent(resolved({ isJson: true, data: {}, metadata: none }));
      expect(bare).toMatchObject({ metadata: {} });
      expect(bare?.unreadable).toBeUndefined();
    }
  });

  it('marks what this service could not have written, instead of dropping it or coercing it', () => {
    const binary = fromResolvedEvent(
      resolved({ isJson: false, data: new Uint8Array([1, 2]), metadata: new Uint8Array(0) }),
    );
    expect(binary).toMatchObject({
      data: {},
      unreadable: 'its data is not JSON (a binary event)',
      position: 42n,
    });
    for (const metadata of [null, [1], 'not json{', new Uint8Array([7])]) {
      expect(fromResolvedEvent(resolved({ isJson: true, data: {}, metadata }))).toMatchObject({
        metadata: {},
        unreadable: 'its metadata is not a JSON object',
      });
    }
  });

  it('gives nothing for a link whose target is gone', () => {
    expect(fromResolvedEvent(resolved(undefined))).toBeUndefined();
  });
});
