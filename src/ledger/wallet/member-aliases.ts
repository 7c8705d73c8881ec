/**
 * A member's lookup aliases (seed 003 finds a customer by email, E.164 phone or POS account id):
 * the profile's rules for them, which the decider applies to what it stores and the member lookup
 * to what it is asked for, and the key an email is looked up by.
 */

/** Most UTF-16 units of a profile's email (RFC 5321's path limit less its angle brackets). */
export const MAX_EMAIL_LENGTH = 254;

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const E164 = /^\+[1-9]\d{1,14}$/;

export const EMAIL_RULE = `an email address of at most ${MAX_EMAIL_LENGTH} characters`;
export const E164_RULE = 'in E.164 format, e.g. +14155552671';

/** The decider's rule for a profile's email (the edge also applies class-validator's IsEmail). */
export const isProfileEmail = (value: unknown): value is string =>
  typeof value === 'string' && value.length <= MAX_EMAIL_LENGTH && EMAIL.test(value);

export const isE164Phone = (value: unknown): value is string =>
  typeof value === 'string' && E164.test(value);

/**
 * What an email is looked up by: the address with its ASCII letters in lower case, every other
 * character as written. Domains are case-insensitive (RFC 4343: ASCII letters only), and members
 * and their systems rarely keep the case of a local part, so `Ada@Example.COM` finds a member
 * stored as `ada@example.com`. Non-ASCII letters are not folded: their case mapping depends on the
 * Unicode version of the runtime, and a rebuild must key every member as the live file does.
 */
export function emailKey(email: string): string {
  return email.replace(/[A-Z]+/g, (letters) => letters.toLowerCase());
}
