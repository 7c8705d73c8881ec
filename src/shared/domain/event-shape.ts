import { isPlainObject } from './values';

/**
 * What an aggregate's fold needs of the events it reads back. evolve trusts its events to be what
 * its decider writes (events.md): it has no case for a type it does not know, and an amount of
 * "abc" would make a balance of "100abc". An aggregate checks each event it reads against these
 * rules before folding it, so that such an event stops the load, naming itself, instead of
 * reaching a state that decisions are made on.
 */

/** A field's rule: the values it takes, and how a message names them. */
export interface FieldRule {
  readonly ok: (value: unknown) => boolean;
  readonly expected: string;
}

const rule = (ok: (value: unknown) => boolean, expected: string): FieldRule => ({ ok, expected });

export const text = rule((v) => typeof v === 'string', 'a string');
export const textOrNull = rule((v) => v === null || typeof v === 'string', 'a string or null');
export const bool = rule((v) => typeof v === 'boolean', 'a boolean');
export const object = rule(isPlainObject, 'a JSON object');
export const objectOrNull = rule((v) => v === null || isPlainObject(v), 'a JSON object or null');
export const integerFrom = (min: number): FieldRule =>
  rule((v) => Number.isSafeInteger(v) && (v as number) >= min, `an integer of at least ${min}`);
export const oneOf = (values: readonly string[]): FieldRule =>
  rule((v) => typeof v === 'string' && values.includes(v), `one of ${values.join(', ')}`);
/** A field that events written before it existed lack (a reader takes it as absent). */
export const optional = (inner: FieldRule): FieldRule =>
  rule((v) => v === undefined || inner.ok(v), `${inner.expected}, or absent`);

/** A value as a message quotes it: short, and 'missing' for a field that is not there. */
function quoted(value: unknown): string {
  if (value === undefined) return 'missing';
  const json = JSON.stringify(value);
  return json.length > 60 ? `${json.slice(0, 57)}...` : json;
}

/** What is wrong with the first field of `data` that breaks its rule, or null. */
export function fieldsProblem(
  data: Record<string, unknown>,
  rules: Readonly<Record<string, FieldRule>>,
): string | null {
  for (const [field, { ok, expected }] of Object.entries(rules)) {
    const value = Object.hasOwn(data, field) ? data[field] : undefined;
    if (!ok(value)) return `${field} is ${quoted(value)}, not ${expected}`;
  }
  return null;
}

/** Per event type an aggregate knows, what is wrong with an event's data (an object), or null. */
export type EventRules = Readonly<Record<string, (data: Record<string, unknown>) => string | null>>;

/** The rules of an event whose fold reads only fields checked by `fieldRules`. */
export const fields =
  (fieldRules: Readonly<Record<string, FieldRule>>) =>
  (data: Record<string, unknown>): string | null =>
    fieldsProblem(data, fieldRules);

/**
 * Why an aggregate cannot fold `event`, or null: a type it does not know, data that is not an
 * object, or a field its fold reads that is not what its decider writes. Fields the rules do not
 * name are left alone: a later release may add one without a new schema version (events.md).
 */
export function eventProblem(
  aggregate: string,
  rules: EventRules,
  event: { readonly type: string; readonly data: unknown },
): string | null {
  if (!Object.hasOwn(rules, event.type))
    return `${event.type} is not an event type this version of the service knows in ${aggregate} streams`;
  if (!isPlainObject(event.data)) return `${event.type}: its data is not a JSON object`;
  const problem = rules[event.type](event.data);
  return problem === null ? null : `${event.type}: ${problem}`;
}
