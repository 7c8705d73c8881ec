import { randomUUID } from 'node:crypto';
import type { EventData, JsonValue } from '../../src/event-store';

export const TENANT = { environment: 'sandbox', orgId: 'acme' };

/** A wallet event as a command would write it for `member`, for tests that append to a store directly. */
export function walletEvent(
  member: string,
  type: string,
  data: JsonValue,
  tenant = TENANT,
): EventData {
  const metadata = {
    schemaVersion: 1,
    occurredAt: '2024-03-01T12:00:00.000Z',
    requestId: null,
    actor: `org:${tenant.orgId}`,
    ...tenant,
    externalUserID: member,
  };
  return { id: randomUUID(), type, data, metadata };
}

/** PointsCredited of `amount`, which may be anything: tests write amounts that no command would. */
export const credited = (member: string, amount: unknown): EventData =>
  walletEvent(member, 'PointsCredited', {
    transactionId: `txn_${randomUUID()}`,
    amount: amount as JsonValue,
    reason: null,
    creditedAt: '2024-03-01T12:00:00.000Z',
  });
