import { randomUUID } from 'node:crypto';
import { getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
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

describe('unpackBatch and memory', () => {
  // A full collection on demand, as the writer's heap gets one eventually.
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const heapUsed = () => {
    gc();
    return getHeapStatistics().used_heap_size;
  };

  it('gives stream names that do not keep the batch alive, as the writer caches them', () => {
    const before = heapUsed();
    const kept = new Map<string, number>();
    for (let b = 0; b < 50; b++) {
      // A megabyte of events behind each stream name, as large idempotency records are.
      const body = JSON.stringify({ offer: 'x'.repeat(1 << 20), b });
      const packed = structuredClone(
        packBatch([
          [{ stream: `wallet-sandbox.acme.${b}`, expected: 'any', events: [event(body)] }],
        ]),
      );
      for (const [append] of unpackBatch(packed)) kept.set(append.stream, b);
    }
    expect(kept.size).toBe(50);
    // 50 batches of 1 MB each were read; only the names, a few KB, may stay.
    expect(heapUsed() - before).toBeLessThan(5 << 20);
  });
});
