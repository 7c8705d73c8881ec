import { readinessOf } from './readiness';

describe('readinessOf', () => {
  const caughtUp = { degraded: false, verified: true, checkpoints: [10, 12], startHead: 10 };

  it('is ready once every projection has reached the head seen at the first question', () => {
    expect(readinessOf(caughtUp)).toBe('ready');
  });

  it('is starting while one projection is behind that head, or the store is not yet checked', () => {
    expect(readinessOf({ ...caughtUp, checkpoints: [10, 9] })).toBe('starting');
    expect(readinessOf({ ...caughtUp, checkpoints: [-1, 12] })).toBe('starting');
    expect(readinessOf({ ...caughtUp, verified: false })).toBe('starting');
  });

  it('is degraded whenever /health is, caught up or not', () => {
    expect(readinessOf({ ...caughtUp, degraded: true })).toBe('degraded');
    expect(readinessOf({ ...caughtUp, checkpoints: [0], degraded: true })).toBe('degraded');
  });

  it('is ready on an empty store, where nothing is to be caught up', () => {
    expect(readinessOf({ ...caughtUp, checkpoints: [-1, -1], startHead: -1 })).toBe('ready');
  });
});
