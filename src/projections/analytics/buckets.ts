import { DAY_MS } from '../../shared/domain/values';

/** Time buckets of the analytics read model: UTC days, ISO weeks (from Monday), calendar months. */
export const INTERVALS = ['day', 'week', 'month'] as const;
export type Interval = (typeof INTERVALS)[number];

/*
 * Months move the date's own fields (setUTCDate, setUTCMonth), never Date.UTC(year, ...): that
 * reads the years 0-99 as 1900-1999.
 */

/** Start (ms since the epoch) of the bucket holding `ms`. 1970-01-01 was a Thursday. */
export function bucketStart(interval: Interval, ms: number): number {
  const day = Math.floor(ms / DAY_MS);
  if (interval === 'day') return day * DAY_MS;
  if (interval === 'week') return (day - ((((day + 3) % 7) + 7) % 7)) * DAY_MS;
  return new Date(day * DAY_MS).setUTCDate(1);
}

/** Start of the bucket after the one starting at `start`. */
export function nextBucket(interval: Interval, start: number): number {
  if (interval === 'day') return start + DAY_MS;
  if (interval === 'week') return start + 7 * DAY_MS;
  const date = new Date(start);
  return date.setUTCMonth(date.getUTCMonth() + 1, 1);
}
