import { HttpException } from '@nestjs/common';
import type { EventStore } from '../../event-store/event-store.port';
import type { ProjectionRunner } from '../../projections/engine/projection-runner';
import {
  EngineStoppedError,
  ProjectionLagError,
  ProjectionsFailingError,
  ProjectionStoppedError,
} from '../../projections/engine/waiters';
import { Freshness } from './freshness';

/** What a read answers when its wait for the projections ends with `error`. */
async function answerTo(error: Error) {
  const store = { headPosition: async () => 41n } as unknown as EventStore;
  const runner = { waitFor: () => Promise.reject(error) } as unknown as ProjectionRunner;
  try {
    await new Freshness(store, runner).of(['wallets']);
  } catch (thrown) {
    if (!(thrown instanceof HttpException)) return thrown;
    return { status: thrown.getStatus(), body: thrown.getResponse() };
  }
  return 'answered';
}

describe('Freshness', () => {
  it.each([
    [
      'a stopped projection',
      new ProjectionStoppedError('wallets', 7, 'x'),
      'READ_MODEL_UNAVAILABLE',
    ],
    ['a lagging one', new ProjectionLagError(['wallets'], 41, 5000), 'READ_MODEL_LAGGING'],
    // A damaged read-models file: the wait ran out while the engine failed, so not a mere lag.
    [
      'a failing engine',
      new ProjectionsFailingError(['wallets'], 41, 'database disk image is malformed'),
      'READ_MODEL_UNAVAILABLE',
    ],
    // The service shuts down while the read waits: retry elsewhere, not a 500.
    ['a stopped engine', new EngineStoppedError(), 'SERVICE_UNAVAILABLE'],
  ])('answers a wait ended by %s 503 %s', async (_name, error, code) => {
    expect(await answerTo(error)).toMatchObject({ status: 503, body: { code } });
  });

  it('lets any other error through, as the bug it is', async () => {
    const bug = new TypeError('bug');
    expect(await answerTo(bug)).toBe(bug);
  });
});
