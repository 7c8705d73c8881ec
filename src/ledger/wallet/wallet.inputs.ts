import { DomainError, isDomainError, validationFailed } from '../../shared/domain/domain-error';
import {
  isIsoInstant,
  isNonEmptyString,
  isPlainObject,
  optionalText,
} from '../../shared/domain/values';
import type { CreateRedemption, ShippingInput } from './wallet.commands';
import type { RedemptionArtifact, ShippingAddress } from './wallet.events';

/** `now` is an ISO-8601 instant and every id is a non-empty string. */
export function commandBasics(now: unknown, ids: Record<string, unknown>): DomainError | null {
  if (!isIsoInstant(now)) {
    return validationFailed('now must be an ISO-8601 instant', { field: 'now' });
  }
  const missing = Object.keys(ids).find((k) => !isNonEmptyString(ids[k], 200));
  return missing ? validationFailed(`${missing} is required`, { field: missing }) : null;
}

const invalid = (message: string, field: string) => validationFailed(message, { field });

function shippingAddress(input: ShippingInput): ShippingAddress | DomainError {
  const required = ['name', 'line1', 'city', 'postalCode', 'country'] as const;
  const missing = required.find((k) => !isNonEmptyString(input[k], 200));
  if (missing) return invalid(`shipping.${missing} is required`, `shipping.${missing}`);
  if (!optionalText(input.line2, 200) || !optionalText(input.region, 200)) {
    return invalid('shipping.line2 and shipping.region must be text or null', 'shipping');
  }
  const { name, line1, city, postalCode, country } = input;
  const line2 = input.line2 ?? null;
  const region = input.region ?? null;
  return { name, line1, line2, city, region, postalCode, country };
}

export type RedemptionExtras = { artifact: RedemptionArtifact; shipping: ShippingAddress | null };

/** A coupon offer takes the caller's coupon code; a fulfilment offer takes a shipping address. */
export function redemptionExtras(d: CreateRedemption['data']): RedemptionExtras | DomainError {
  const couponCode = d.couponCode ?? null;
  const shipping = d.shipping ?? null;
  const artifact = d.offer.artifact;
  if (artifact !== 'COUPON' && couponCode !== null) {
    return invalid('couponCode applies only to coupon offers', 'couponCode');
  }
  if (artifact !== 'FULFILMENT' && shipping !== null) {
    return invalid('shipping applies only to fulfilment offers', 'shipping');
  }
  switch (artifact) {
    case 'NONE':
      return { artifact: { type: 'NONE' }, shipping: null };
    case 'COUPON':
      if (!isNonEmptyString(couponCode, 200)) {
        return invalid('A coupon offer needs a couponCode of 1-200 characters', 'couponCode');
      }
      return { artifact: { type: 'COUPON', couponCode }, shipping: null };
    case 'FULFILMENT': {
      if (!isPlainObject(shipping)) {
        return invalid('A fulfilment offer needs a shipping address', 'shipping');
      }
      const address = shippingAddress(shipping as ShippingInput);
      return isDomainError(address)
        ? address
        : { artifact: { type: 'FULFILMENT' }, shipping: address };
    }
    default:
      return invalid(`Unknown offer artifact '${String(artifact)}'`, 'offer.artifact');
  }
}
