/** The most characters (Unicode code points, so 😀 counts once) an externalUserID may have. */
export const MAX_EXTERNAL_USER_ID_CHARS = 128;

/**
 * 1 to 128 characters, not all whitespace, no control characters: the rule for an externalUserID
 * everywhere (request bodies, paths and queries, member tokens, the wallet's own checks).
 * EXTERNAL_USER_ID_RULE says it.
 */
export const EXTERNAL_USER_ID_PATTERN = new RegExp(
  `^(?!\\s*$)[^\\p{Cc}]{1,${MAX_EXTERNAL_USER_ID_CHARS}}$`,
  'u',
);
export const EXTERNAL_USER_ID_RULE = `1-${MAX_EXTERNAL_USER_ID_CHARS} characters, not blank, without control characters`;

export function isExternalUserID(value: unknown): value is string {
  return typeof value === 'string' && EXTERNAL_USER_ID_PATTERN.test(value);
}
