import { randomUUID } from 'node:crypto';
import { packBatch, unpackBatch } from './sqlite-batch-codec';
import { QueuedAppend } from './sqlite-writer';

const event = (data: unknown) => ({
  id: randomUUID(),
  type: 'Typé 🎁',
  data: JSON.stringify(data),
  metadata: '{}',
});

describe('packBatch / unpackBatch', () => {
  it('round-trips callers, streams, every kind of expected revision and unicode', () => {
    const batch: QueuedAppend[][] = [
      [{ stream: 'wallet-a', expected: 'no_stream', events: [event({ n: 1 }), event('ü')] }],
      [
        { stream: 'idempotency-ß', expected: 12n, events: [event(null)] },
        { stream: 'offer-東京', expected: 'any', events: [event({ emoji: '👨‍👩‍👧' })] },
      ],
      [{ stream: 'x', expected: 'stream_exists', events: [event('')] }],
    ];
    expect(unpackBatch(structuredClone(packBatch(batch)))).toEqual(batch);
  });
});
