import { ExecutionContext, ServiceUnavailableException } from '@nestjs/common';
import { ProjectionRunner } from '../../projections/engine/projection-runner';
import { StoreCheck, VerifiedStoreGuard } from './verified-store.guard';

const request = (method: string) =>
  ({ switchToHttp: () => ({ getRequest: () => ({ method }) }) }) as unknown as ExecutionContext;

describe('VerifiedStoreGuard', () => {
  const projections = { ready: false, engineError: null as string | null };
  const check = new StoreCheck();
  const guard = new VerifiedStoreGuard(check, projections as unknown as ProjectionRunner);
  beforeEach(() => {
    projections.ready = false;
    projections.engineError = null;
    check.passedAtStart = false;
  });

  it('lets everything through once the start-up check passed', () => {
    check.passedAtStart = true;
    for (const method of ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'])
      expect(guard.canActivate(request(method))).toBe(true);
  });

  it('holds writes back, not reads, while nobody has checked the store (EventStoreDB was down)', () => {
    expect(guard.canActivate(request('GET'))).toBe(true);
    expect(guard.canActivate(request('HEAD'))).toBe(true);
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE'])
      expect(() => guard.canActivate(request(method))).toThrow(ServiceUnavailableException);
    projections.ready = true; // the projections made the check when the store answered
    expect(guard.canActivate(request('POST'))).toBe(true);
  });

  it('gives the reason the projections found, such as a store that lost its events', () => {
    projections.engineError = 'The event store is empty, but the read models were built from it';
    expect(() => guard.canActivate(request('POST'))).toThrow(
      expect.objectContaining({
        response: expect.objectContaining({
          code: 'SERVICE_UNAVAILABLE',
          message: 'The event store is empty, but the read models were built from it',
        }),
      }),
    );
  });
});
