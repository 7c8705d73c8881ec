import { isNonNegativeInteger, isPositiveInteger } from '../../shared/domain/values';
import {
  OFFER_ARTIFACTS,
  OFFER_FIELDS,
  OFFER_STATUSES,
  PRICE_MODELS,
  type OfferDefinition,
} from './offer.events';

/**
 * What each field of an offer definition may hold, as the decider writes it (events.md): the
 * projections check a stored definition against it, so that a damaged or hand-written event stops
 * them instead of reaching the read models (a price of "abc", a status no rule knows).
 */
type Check = (value: unknown) => boolean;

const text: Check = (v) => typeof v === 'string';
const orNull =
  (check: Check): Check =>
  (v) =>
    v === null || check(v);
const oneOf =
  (values: readonly string[]): Check =>
  (v) =>
    typeof v === 'string' && values.includes(v);

const FIELD_CHECKS: Record<keyof OfferDefinition, Check> = {
  title: text,
  description: orNull(text),
  shortDescription: orNull(text),
  images: (v) => Array.isArray(v) && v.every(text),
  kind: text,
  type: text,
  priceModel: oneOf(PRICE_MODELS),
  pointsPrice: orNull(isNonNegativeInteger),
  unitCost: orNull(isPositiveInteger),
  minAmount: orNull(text),
  maxAmount: orNull(text),
  pointsPerAmountUnit: orNull(isPositiveInteger),
  status: oneOf(OFFER_STATUSES),
  availableFrom: orNull(text),
  expiresAt: orNull(text),
  maxTotal: orNull(isPositiveInteger),
  maxPerMember: orNull(isPositiveInteger),
  artifact: oneOf(OFFER_ARTIFACTS),
};

/**
 * What is wrong with offer definition fields, or null. `whole`: every field must be there (an
 * OfferCreated); otherwise only the fields given are checked (an OfferUpdated's changes). A field
 * the definition does not have is left alone: a later release may add one without a new schema
 * version (events.md), and an older one reading it must go on. `skip` names fields checked
 * elsewhere.
 */
export function offerFieldsProblem(
  fields: Record<string, unknown>,
  whole: boolean,
  skip: readonly string[] = [],
): string | null {
  for (const [field, value] of Object.entries(fields)) {
    if (skip.includes(field) || !Object.hasOwn(FIELD_CHECKS, field)) continue;
    if (!FIELD_CHECKS[field as keyof OfferDefinition](value))
      return `offer field ${field} is ${JSON.stringify(value)}`;
  }
  if (whole) {
    const missing = OFFER_FIELDS.find((field) => !skip.includes(field) && !(field in fields));
    if (missing) return `offer field ${missing} is missing`;
  }
  return null;
}

const snapshotStatus = oneOf([...OFFER_STATUSES, 'OUT_OF_STOCK']);

/** What is wrong with the offer snapshot a RedemptionCreated recorded (OfferSnapshot), or null. */
export function offerSnapshotProblem(snapshot: Record<string, unknown>): string | null {
  const { id, status, maxTotal, remainingStock, ...definition } = snapshot;
  if (typeof id !== 'string') return 'offer id is not a string';
  if (!snapshotStatus(status)) return `offer field status is ${JSON.stringify(status)}`;
  // maxTotal is absent from snapshots recorded before 2026-12-05.
  if (maxTotal !== undefined && !FIELD_CHECKS.maxTotal(maxTotal))
    return `offer field maxTotal is ${JSON.stringify(maxTotal)}`;
  return (
    remainingStockProblem(remainingStock) ??
    offerFieldsProblem(definition, true, ['status', 'maxTotal'])
  );
}

/** What is wrong with a snapshot's remainingStock (left out or null: none), or null. */
export function remainingStockProblem(remainingStock: unknown): string | null {
  return orNull(isNonNegativeInteger)(remainingStock ?? null)
    ? null
    : `offer field remainingStock is ${JSON.stringify(remainingStock)}`;
}
