export type JsonPrimitive = string | number | boolean | null;
export type JsonValue = JsonPrimitive | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

export const MAX_TEXT_LENGTH = 500;

export function isPositiveInteger(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) > 0;
}

export function isNonNegativeInteger(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 0;
}

/**
 * The characters of a text as every limit counts them: Unicode code points, so 😀 counts once, as
 * it does in an externalUserID (a string's `length` counts UTF-16 units, and would count it twice).
 */
export function textLength(text: string): number {
  let count = 0;
  for (let i = 0; i < text.length; i++, count++) {
    const unit = text.charCodeAt(i);
    if (unit >= 0xd800 && unit <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) i++; // a surrogate pair is one character
    }
  }
  return count;
}

/** At most `max` characters (textLength); a text of at most `max` UTF-16 units is not counted. */
export function fitsLength(text: string, max: number): boolean {
  return text.length <= max || (text.length <= 2 * max && textLength(text) <= max);
}

export function isNonEmptyString(value: unknown, maxLength = MAX_TEXT_LENGTH): value is string {
  return typeof value === 'string' && value.trim().length > 0 && fitsLength(value, maxLength);
}

/** Left out, null, or 1 to `max` characters and not blank. */
export const optionalText = (value: unknown, max = MAX_TEXT_LENGTH): boolean =>
  value == null || isNonEmptyString(value, max);

/**
 * A text field's check, `[ok, field, message]`: 1 to `max` characters and not blank, or (when
 * `nullable`) null or left out. The message states the very limit the check applies.
 */
export function textCheck<F extends string>(
  field: F,
  value: unknown,
  max: number,
  nullable = false,
): [boolean, F, string] {
  const ok = nullable ? optionalText(value, max) : isNonEmptyString(value, max);
  return [
    ok,
    field,
    `${field} must be 1-${max} characters, not all blank${nullable ? ', or null' : ''}`,
  ];
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

const ISO_INSTANT =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?(Z|[+-](\d{2}):(\d{2}))$/;

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const isLeapYear = (y: number) => y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
const daysInMonth = (year: number, month: number) =>
  month === 2 && isLeapYear(year) ? 29 : DAYS_IN_MONTH[month - 1];

/** An ISO-8601 instant with date, time to the second and a zone: `2024-01-15T10:30:00Z`. */
export function isIsoInstant(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  const m = ISO_INSTANT.exec(value);
  if (!m) return false;
  const year = +m[1];
  const month = +m[2];
  const day = +m[3];
  if (month < 1 || month > 12 || +m[4] > 23 || +m[5] > 59 || +m[6] > 59) return false;
  const zoneOk = m[8] === 'Z' || (+m[9] <= 23 && +m[10] <= 59);
  return day >= 1 && day <= daysInMonth(year, month) && zoneOk;
}

export const DAY_MS = 86_400_000;

/** The digit at `i`, or a large negative number that makes any field built from it out of range. */
function digitAt(text: string, i: number): number {
  const digit = text.charCodeAt(i) - 48;
  return digit >= 0 && digit <= 9 ? digit : -1e9;
}

/** Days from 1970-01-01 to a date of the proleptic Gregorian calendar (H. Hinnant's days_from_civil). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const dayOfEra =
    yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

/**
 * `YYYY-MM-DDTHH:MM:SS.sssZ`, the form toISOString writes and every event's occurredAt has, read
 * without Date.parse (a third of its cost: a rebuild reads one per command); NaN for anything else.
 */
function canonicalInstantMs(text: string): number {
  if (
    text.length !== 24 ||
    text[4] !== '-' ||
    text[7] !== '-' ||
    text[10] !== 'T' ||
    text[13] !== ':' ||
    text[16] !== ':' ||
    text[19] !== '.' ||
    text[23] !== 'Z'
  ) {
    return NaN;
  }
  const year =
    digitAt(text, 0) * 1000 + digitAt(text, 1) * 100 + digitAt(text, 2) * 10 + digitAt(text, 3);
  const month = digitAt(text, 5) * 10 + digitAt(text, 6);
  const day = digitAt(text, 8) * 10 + digitAt(text, 9);
  const hours = digitAt(text, 11) * 10 + digitAt(text, 12);
  const minutes = digitAt(text, 14) * 10 + digitAt(text, 15);
  const seconds = digitAt(text, 17) * 10 + digitAt(text, 18);
  const millis = digitAt(text, 20) * 100 + digitAt(text, 21) * 10 + digitAt(text, 22);
  if (year < 0 || month < 1 || month > 12 || day < 1 || hours < 0 || hours > 23) return NaN;
  if (minutes < 0 || minutes > 59 || seconds < 0 || seconds > 59 || millis < 0) return NaN;
  if (day > daysInMonth(year, month)) return NaN;
  return (
    daysFromCivil(year, month, day) * DAY_MS +
    hours * 3_600_000 +
    minutes * 60_000 +
    seconds * 1000 +
    millis
  );
}

/** Milliseconds since the epoch of an ISO instant, as Date.parse reads it. Pure: parsing, not a clock. */
export function instantMs(iso: string): number {
  const ms = canonicalInstantMs(iso);
  return Number.isNaN(ms) ? Date.parse(iso) : ms;
}

/** The digits of an instant's fraction past the millisecond, which instantMs drops ('' for none). */
function digitsPastMillisecond(iso: string): string {
  const fraction = /\.\d{3}(\d+)/.exec(iso);
  return fraction ? fraction[1] : '';
}

/** The first whole millisecond at or after an ISO instant: an exclusive bound for stored instants. */
export function instantCeilMs(iso: string): number {
  return instantMs(iso) + (/[1-9]/.test(digitsPastMillisecond(iso)) ? 1 : 0);
}

/**
 * Orders two ISO instants (negative, zero or positive) to every digit they were sent with, where
 * instantMs alone would call `….0000Z` and `….0009Z` the same instant. Offsets are whole
 * minutes, so the digits past the millisecond compare as they are written.
 */
export function compareInstants(a: string, b: string): number {
  const byMs = instantMs(a) - instantMs(b);
  if (byMs !== 0) return Math.sign(byMs);
  const pastA = digitsPastMillisecond(a);
  const pastB = digitsPastMillisecond(b);
  const width = Math.max(pastA.length, pastB.length);
  const [digitsA, digitsB] = [pastA.padEnd(width, '0'), pastB.padEnd(width, '0')];
  return digitsA < digitsB ? -1 : digitsA > digitsB ? 1 : 0;
}

/** How many levels of arrays and objects a JSON value checked by isJsonValue may nest. */
export const MAX_JSON_VALUE_DEPTH = 32;

/**
 * A JSON value that nests arrays and objects at most MAX_JSON_VALUE_DEPTH levels deep (`{}` is
 * one level, a scalar none). `depth` is how many arrays and objects enclose `value`. A whole
 * number must be a safe integer: past 2^53 JSON.parse had to round it (12345678901234567890 reads
 * as 12345678901234567000), and a value kept "as sent" must not come back changed (I-JSON,
 * RFC 7493: such numbers are sent as strings).
 */
export function isJsonValue(value: unknown, depth = 0): value is JsonValue {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true;
  if (typeof value === 'number')
    return Number.isFinite(value) && (!Number.isInteger(value) || Number.isSafeInteger(value));
  if (depth >= MAX_JSON_VALUE_DEPTH) return false;
  if (Array.isArray(value)) return value.every((v) => isJsonValue(v, depth + 1));
  return isPlainObject(value) && Object.values(value).every((v) => isJsonValue(v, depth + 1));
}

export function jsonEqual(a: JsonValue, b: JsonValue): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    return (
      Array.isArray(a) &&
      Array.isArray(b) &&
      a.length === b.length &&
      a.every((v, i) => jsonEqual(v, b[i]))
    );
  }
  const keys = Object.keys(a);
  return (
    keys.length === Object.keys(b).length &&
    keys.every((k) => Object.hasOwn(b, k) && jsonEqual(a[k], b[k]))
  );
}
