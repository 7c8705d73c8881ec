import type { LeanEvent } from '../../event-store/event-store.port';
import type { ProjectedEvent } from './projection';
import { instantMs } from '../../shared/domain/values';

/** Categories whose events carry a tenant in their metadata and feed read models. */
const TENANT_CATEGORIES = new Set(['wallet', 'offer']);
const SUPPORTED_SCHEMA_VERSION = 1;

/** The events of one command share their occurredAt: parse it once. */
let lastOccurredAt = '';
let lastOccurredAtMs = NaN;
/** One string per tenant, so that its hash is computed once and not on every map lookup. */
const tenantKeys = new Map<string, Map<string, string>>();

function tenantKeyOf(environment: string, orgId: string): string {
  let byOrg = tenantKeys.get(environment);
  if (!byOrg) tenantKeys.set(environment, (byOrg = new Map()));
  let key = byOrg.get(orgId);
  if (key === undefined) {
    if (byOrg.size > 100_000) byOrg.clear();
    byOrg.set(orgId, (key = `${environment}.${orgId}`));
  }
  return key;
}

function categoryOf(stream: string): string {
  // Literals for the common cases: a sliced string would be hashed again by every Set lookup.
  if (stream.startsWith('wallet-')) return 'wallet';
  if (stream.startsWith('offer-')) return 'offer';
  const dash = stream.indexOf('-');
  return dash < 0 ? stream : stream.slice(0, dash);
}

function parseInstant(iso: string): number {
  if (iso !== lastOccurredAt) {
    lastOccurredAt = iso;
    lastOccurredAtMs = instantMs(iso);
  }
  return lastOccurredAtMs;
}

/** Reads the envelope once; a problem is recorded, not thrown, so that only consumers stop on it. */
export function decode(event: Omit<LeanEvent, 'position'>, position: number): ProjectedEvent {
  const category = categoryOf(event.stream);
  const projected: ProjectedEvent = {
    position,
    type: event.type,
    category,
    stream: event.stream,
    data: event.data,
    tenant: '',
    externalUserID: null,
    occurredAtMs: 0,
    invalid: event.unreadable ?? null,
  };
  if (projected.invalid !== null || !TENANT_CATEGORIES.has(category)) return projected;
  const meta = event.metadata;
  const { environment, orgId, externalUserID, occurredAt, schemaVersion } = meta;
  if (typeof environment !== 'string' || typeof orgId !== 'string') {
    projected.invalid = 'metadata has no environment and orgId';
  } else if (schemaVersion !== SUPPORTED_SCHEMA_VERSION) {
    projected.invalid = `schema version ${String(schemaVersion)} is not supported`;
  } else if (typeof occurredAt !== 'string' || Number.isNaN(parseInstant(occurredAt))) {
    projected.invalid = 'metadata has no valid occurredAt';
  } else if (category === 'wallet' && typeof externalUserID !== 'string') {
    projected.invalid = 'wallet event metadata has no externalUserID';
  } else {
    projected.tenant = tenantKeyOf(environment, orgId);
    projected.externalUserID = typeof externalUserID === 'string' ? externalUserID : null;
    projected.occurredAtMs = parseInstant(occurredAt);
  }
  return projected;
}
