import { UnprocessableEventError } from './projection';

/** Checked field reads: an event whose data breaks its type stops the projection, loudly. */
type Data = Record<string, unknown>;

export function record(value: unknown): Data {
  if (typeof value !== 'object' || value === null)
    throw new UnprocessableEventError('data is not an object');
  return value as Data;
}

/** An amount, a count of units or a cost: a safe integer of at least `min` (events.md). */
export function int(data: Data, field: string, min = 1): number {
  const value = data[field];
  if (!Number.isSafeInteger(value)) throw new UnprocessableEventError(`${field} is not an integer`);
  if ((value as number) < min)
    throw new UnprocessableEventError(`${field} is ${String(value)}, below ${min}`);
  return value as number;
}

export function str(data: Data, field: string): string {
  const value = data[field];
  if (typeof value !== 'string') throw new UnprocessableEventError(`${field} is not a string`);
  return value;
}

export function strOrNull(data: Data, field: string): string | null {
  const value = data[field];
  if (value === null || value === undefined) return null;
  if (typeof value !== 'string')
    throw new UnprocessableEventError(`${field} is not a string or null`);
  return value;
}
