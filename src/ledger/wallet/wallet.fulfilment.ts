import { DomainError, validationFailed } from '../../shared/domain/domain-error';
import { hasControlCharacters } from '../../shared/domain/control-characters';
import { isNonEmptyString, textCheck } from '../../shared/domain/values';
import type { FulfilRedemption } from './wallet.commands';
import type { Fulfilment, WalletEvent } from './wallet.events';
import { commandBasics } from './wallet.inputs';
import { alreadyCanceled, fullyReversed, redemptionNotFound } from './wallet.lifecycle';
import { walletOf, type WalletState } from './wallet.state';

/** Most characters of each fulfilment field, at the edge (redemption.dto.ts) and here. */
export const FULFILMENT_LIMITS = { trackingNumber: 100, carrier: 100, trackingUrl: 2048 } as const;

/** An absolute http(s) URL without control characters: a link a member is sent to. */
export function isTrackingUrl(value: unknown): value is string {
  if (!isNonEmptyString(value, FULFILMENT_LIMITS.trackingUrl) || hasControlCharacters(value))
    return false;
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    return false;
  }
}

const sameFulfilment = (a: Fulfilment | null, b: Omit<Fulfilment, 'fulfilledAt'>) =>
  a !== null &&
  a.trackingNumber === b.trackingNumber &&
  a.carrier === b.carrier &&
  a.trackingUrl === b.trackingUrl;

/**
 * Seed 004's fulfill(id, { tracking }): a FULFILMENT redemption is marked shipped. A later call
 * with other tracking corrects it (a new event: the ledger keeps both); the same tracking again
 * writes nothing.
 */
export function fulfilRedemption(
  { data: d }: FulfilRedemption,
  state: WalletState,
): WalletEvent[] | DomainError {
  const basics = commandBasics(d.now, { redemptionId: d.redemptionId });
  if (basics) return basics;
  if (d.actor !== 'org') return validationFailed('Only the organization fulfils a redemption');
  const { trackingNumber } = d;
  const checks: [boolean, string, string][] = [
    [
      isNonEmptyString(trackingNumber, FULFILMENT_LIMITS.trackingNumber) &&
        !hasControlCharacters(trackingNumber),
      'trackingNumber',
      `trackingNumber must be 1-${FULFILMENT_LIMITS.trackingNumber} characters on one line, not all blank`,
    ],
    textCheck('carrier', d.carrier, FULFILMENT_LIMITS.carrier, true),
    [
      d.trackingUrl == null || isTrackingUrl(d.trackingUrl),
      'trackingUrl',
      'trackingUrl must be an http or https URL, or null',
    ],
  ];
  const failed = checks.find(([ok]) => !ok);
  if (failed) return validationFailed(failed[2], { field: failed[1] });
  const entry = walletOf(state).redemptions.get(d.redemptionId);
  if (entry === undefined) return redemptionNotFound(d.redemptionId);
  const artifact = entry.created.artifact.type;
  if (artifact !== 'FULFILMENT')
    return validationFailed(
      `Only a redemption of a FULFILMENT offer is fulfilled; this one's artifact is ${artifact}`,
      { field: 'artifact', artifact },
    );
  if (entry.status === 'CANCELED') return alreadyCanceled();
  // Its points all given back, the line is void (seed 004): nothing is left to ship.
  if (entry.reversed.state === 'FULLY_REVERSED')
    return fullyReversed(entry, 'The redemption is fully reversed: its fulfilment line is void');
  const tracking = {
    trackingNumber,
    carrier: d.carrier ?? null,
    trackingUrl: d.trackingUrl ?? null,
  };
  if (sameFulfilment(entry.fulfilment, tracking)) return [];
  return [
    {
      type: 'RedemptionFulfilled',
      data: { redemptionId: d.redemptionId, ...tracking, fulfilledAt: d.now },
    },
  ];
}
