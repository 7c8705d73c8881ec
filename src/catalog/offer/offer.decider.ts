import { assertNever, Decider } from '../../shared/domain/decider';
import { DomainError, validationFailed } from '../../shared/domain/domain-error';
import {
  compareInstants,
  isIsoInstant,
  isNonEmptyString,
  isPlainObject,
  isPositiveInteger,
  jsonEqual,
  textCheck,
} from '../../shared/domain/values';
import type {
  CreateOffer,
  OfferCommand,
  ReleaseOfferStock,
  ReserveOfferStock,
  UpdateOffer,
} from './offer.commands';
import {
  OFFER_ARTIFACTS,
  OFFER_FIELDS,
  OFFER_STATUSES,
  OFFER_TEXT_LIMITS,
  OfferDefinition,
  OfferEvent,
} from './offer.events';
import { validatePriceShape } from './offer.pricing';
import { fewerUnitsRemain, offerUnavailability, toOfferSnapshot } from './offer.snapshot';
import { DefinedOffer, evolveOffer, initialOfferState, OfferState } from './offer.state';

type Decision = OfferEvent[] | DomainError;

const optionalInstant = (value: unknown): boolean => value === null || isIsoInstant(value);
const optionalLimit = (value: unknown): boolean => value === null || isPositiveInteger(value);

function validateDefinition(o: OfferDefinition): DomainError | null {
  const checks: [boolean, keyof OfferDefinition, string][] = [
    textCheck('title', o.title, OFFER_TEXT_LIMITS.title),
    textCheck('description', o.description, OFFER_TEXT_LIMITS.description, true),
    textCheck('shortDescription', o.shortDescription, OFFER_TEXT_LIMITS.shortDescription, true),
    [
      Array.isArray(o.images) &&
        o.images.every((i) => isNonEmptyString(i, OFFER_TEXT_LIMITS.imageUrl)),
      'images',
      'images must be a list of URLs',
    ],
    textCheck('kind', o.kind, OFFER_TEXT_LIMITS.kind),
    textCheck('type', o.type, OFFER_TEXT_LIMITS.type),
    [
      OFFER_STATUSES.includes(o.status),
      'status',
      `status must be one of ${OFFER_STATUSES.join(', ')}`,
    ],
    [
      OFFER_ARTIFACTS.includes(o.artifact),
      'artifact',
      `artifact must be one of ${OFFER_ARTIFACTS.join(', ')}`,
    ],
    [
      optionalInstant(o.availableFrom),
      'availableFrom',
      'availableFrom must be an ISO-8601 instant or null',
    ],
    [optionalInstant(o.expiresAt), 'expiresAt', 'expiresAt must be an ISO-8601 instant or null'],
    [optionalLimit(o.maxTotal), 'maxTotal', 'maxTotal must be a positive integer or null'],
    [
      optionalLimit(o.maxPerMember),
      'maxPerMember',
      'maxPerMember must be a positive integer or null',
    ],
  ];
  const failed = checks.find(([ok]) => !ok);
  if (failed) return validationFailed(failed[2], { field: failed[1] });
  if (
    o.availableFrom !== null &&
    o.expiresAt !== null &&
    compareInstants(o.availableFrom, o.expiresAt) >= 0
  ) {
    return validationFailed('availableFrom must be before expiresAt', { field: 'expiresAt' });
  }
  return validatePriceShape(o);
}

function createOffer({ data: d }: CreateOffer, state: OfferState): Decision {
  if (!isIsoInstant(d.now)) return validationFailed('now must be an ISO-8601 instant');
  if (!isNonEmptyString(d.offerId, 200)) {
    return validationFailed('offerId is required', { field: 'offerId' });
  }
  if (state.status !== 'absent') {
    return new DomainError('CONFLICT', `Offer ${d.offerId} already exists`);
  }
  const offer: OfferDefinition = {
    title: d.title,
    description: d.description ?? null,
    shortDescription: d.shortDescription ?? null,
    images: Array.isArray(d.images) ? [...d.images] : (d.images ?? []),
    kind: d.kind,
    type: d.type,
    priceModel: d.priceModel,
    pointsPrice: d.pointsPrice ?? null,
    unitCost: d.unitCost ?? null,
    minAmount: d.minAmount ?? null,
    maxAmount: d.maxAmount ?? null,
    pointsPerAmountUnit: d.pointsPerAmountUnit ?? null,
    status: d.status,
    availableFrom: d.availableFrom ?? null,
    expiresAt: d.expiresAt ?? null,
    maxTotal: d.maxTotal ?? null,
    maxPerMember: d.maxPerMember === undefined ? 1 : d.maxPerMember,
    artifact: d.artifact,
  };
  const invalid = validateDefinition(offer);
  if (invalid) return invalid;
  return [{ type: 'OfferCreated', data: { offerId: d.offerId, ...offer, createdAt: d.now } }];
}

function updateOffer({ data: d }: UpdateOffer, state: OfferState): Decision {
  if (!isIsoInstant(d.now)) return validationFailed('now must be an ISO-8601 instant');
  if (!isPlainObject(d.patch)) return validationFailed('patch must be an object');
  const unknown = Object.keys(d.patch).find(
    (k) => !(OFFER_FIELDS as readonly string[]).includes(k),
  );
  if (unknown) return validationFailed(`${unknown} cannot be updated`, { field: unknown });
  if (state.status === 'absent') return new DomainError('NOT_FOUND', 'Offer not found');
  const merged: OfferDefinition = { ...state.offer };
  const changes: Partial<OfferDefinition> = {};
  for (const field of OFFER_FIELDS) {
    const value = d.patch[field];
    if (value === undefined || jsonEqual(value, state.offer[field])) continue;
    const copy = Array.isArray(value) ? [...value] : value;
    Object.assign(merged, { [field]: copy });
    Object.assign(changes, { [field]: copy });
  }
  const invalid = validateDefinition(merged);
  if (invalid) return invalid;
  if (merged.maxTotal !== null && merged.maxTotal < state.reservedUnits) {
    return validationFailed(
      `maxTotal cannot be below the ${state.reservedUnits} units already reserved`,
      {
        field: 'maxTotal',
        reservedUnits: state.reservedUnits,
      },
    );
  }
  if (Object.keys(changes).length === 0) return [];
  return [{ type: 'OfferUpdated', data: { changes, updatedAt: d.now } }];
}

function validateStockCommand(
  redemptionId: unknown,
  now: unknown,
  state: OfferState,
): DomainError | null {
  if (!isIsoInstant(now)) return validationFailed('now must be an ISO-8601 instant');
  if (!isNonEmptyString(redemptionId, 200)) return validationFailed('redemptionId is required');
  if (state.status === 'absent') return new DomainError('NOT_FOUND', 'Offer not found');
  return null;
}

function reserveStock({ data: d }: ReserveOfferStock, state: OfferState): Decision {
  const invalid = validateStockCommand(d.redemptionId, d.now, state);
  if (invalid) return invalid;
  if (!isPositiveInteger(d.units)) {
    return validationFailed('units must be a positive integer', { field: 'units' });
  }
  const offer = state as DefinedOffer;
  const held = offer.reservations.get(d.redemptionId);
  if (held === d.units) return [];
  if (held !== undefined) {
    return new DomainError(
      'CONFLICT',
      `Redemption ${d.redemptionId} already reserved ${held} units`,
      {
        reservedUnits: held,
      },
    );
  }
  const snapshot = toOfferSnapshot(offer);
  const unavailable = offerUnavailability(snapshot, d.now);
  if (unavailable) return unavailable;
  if (snapshot.remainingStock !== null && d.units > snapshot.remainingStock) {
    return new DomainError(
      'OFFER_UNAVAILABLE',
      fewerUnitsRemain(snapshot.remainingStock, offer.offerId),
      {
        offerId: offer.offerId,
        reason: 'OUT_OF_STOCK',
        remainingStock: snapshot.remainingStock,
        requested: d.units,
      },
    );
  }
  return [
    {
      type: 'OfferStockReserved',
      data: { redemptionId: d.redemptionId, units: d.units, reservedAt: d.now },
    },
  ];
}

function releaseStock({ data: d }: ReleaseOfferStock, state: OfferState): Decision {
  const invalid = validateStockCommand(d.redemptionId, d.now, state);
  if (invalid) return invalid;
  const units = (state as DefinedOffer).reservations.get(d.redemptionId);
  if (units === undefined) return [];
  return [
    {
      type: 'OfferStockReleased',
      data: { redemptionId: d.redemptionId, units, releasedAt: d.now },
    },
  ];
}

export function decideOffer(command: OfferCommand, state: OfferState): Decision {
  switch (command.type) {
    case 'CreateOffer':
      return createOffer(command, state);
    case 'UpdateOffer':
      return updateOffer(command, state);
    case 'ReserveOfferStock':
      return reserveStock(command, state);
    case 'ReleaseOfferStock':
      return releaseStock(command, state);
    default:
      return assertNever(command);
  }
}

export const offerDecider: Decider<OfferCommand, OfferState, OfferEvent> = {
  decide: decideOffer,
  evolve: evolveOffer,
  initialState: initialOfferState,
};
