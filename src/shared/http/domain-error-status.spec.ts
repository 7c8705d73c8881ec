import {
  EventStoreLostEventsError,
  EventStoreUnavailableError,
} from '../../event-store/event-store.errors';
import { applicationProblem } from './domain-error-status';

describe('applicationProblem: the event store', () => {
  it('answers a store out of reach 503, to retry with the same key', () => {
    expect(applicationProblem(new EventStoreUnavailableError('down'))).toEqual({
      status: 503,
      code: 'SERVICE_UNAVAILABLE',
      message: 'The event store is unavailable; retry with the same Idempotency-Key',
    });
  });

  it('answers a store that lost events 503 for good, its positions in the log only', () => {
    const problem = applicationProblem(new EventStoreLostEventsError(21656n, -1n));
    expect(problem).toMatchObject({ status: 503, code: 'SERVICE_UNAVAILABLE' });
    expect(problem?.message).toBe(
      'The event store lost events this service has read: nothing is served or written until it holds them again and the service is restarted',
    );
    expect(problem?.log).toContain('its head is at position -1, before position 21656');
  });
});
