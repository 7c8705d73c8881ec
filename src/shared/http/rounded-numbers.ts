import { stringEnd } from './duplicate-keys';

/*
 * JSON.parse reads 4.0000000000000001 as 4, the nearest double. Such a number would pass every
 * rule of an integer field (points, prices, quantities) as a whole number the client never sent,
 * and another JSON reader in front may read it otherwise: a body that holds one is refused, like a
 * body that names a key twice. These functions take text that JSON.parse has already accepted.
 */

const QUOTE = 0x22; // "
const MINUS = 0x2d;
const DOT = 0x2e;

const isDigit = (c: number) => c >= 0x30 && c <= 0x39;
/** e, E, + and - as well: the rest of a number that began with a digit or a minus. */
const isNumberPart = (c: number) =>
  isDigit(c) || c === DOT || c === 0x65 || c === 0x45 || c === 0x2b || c === MINUS;

const NUMBER = /^-?(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/;

/**
 * Whether a JSON number written with a fraction or an exponent is not a whole number while
 * JSON.parse reads it as a safe integer. Larger values are left to the integer rules, which refuse
 * anything past Number.MAX_SAFE_INTEGER.
 */
export function isRoundedToInteger(token: string): boolean {
  if (!Number.isSafeInteger(Number(token))) return false;
  const match = NUMBER.exec(token);
  if (!match) return false;
  const [, whole, fraction = '', exponent = '0'] = match;
  const digits = whole + fraction;
  // The number is digits × 10^scale: a whole number unless a digit right of the point is not 0.
  const scale = Number(exponent) - fraction.length;
  if (scale >= 0) return false;
  const point = digits.length + scale;
  return /[1-9]/.test(point > 0 ? digits.slice(point) : digits);
}

/** The first number in `text` that isRoundedToInteger, as written, or undefined. One pass. */
export function firstRoundedNumber(text: string): string | undefined {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      i = stringEnd(text, i);
      continue;
    }
    if (c !== MINUS && !isDigit(c)) continue;
    let end = i + 1;
    let plain = true; // digits only: an integer as written, never rounded to a safe one
    for (; end < text.length && isNumberPart(text.charCodeAt(end)); end++)
      plain &&= isDigit(text.charCodeAt(end));
    if (!plain && isRoundedToInteger(text.slice(i, end))) return text.slice(i, end);
    i = end - 1;
  }
  return undefined;
}
