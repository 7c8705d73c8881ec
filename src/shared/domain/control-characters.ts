/**
 * Whether a text field may break lines. A single-line text (a title, a reason, a name, an address
 * line, a URL) holds no control character; prose (an offer's or a redemption's description) may
 * hold tab, line feed and carriage return, and no other.
 */
export type TextLines = 'single-line' | 'multi-line';

/**
 * The control characters (Unicode's Cc, as an externalUserID refuses them): C0 U+0000-U+001F, DEL
 * and C1 U+007F-U+009F. Once stored, a NUL or an escape sequence would reach every reader of the
 * ledger (logs, terminals, exports) as sent, and events are never rewritten.
 */
const CONTROL = /\p{Cc}/u;
const CONTROL_BUT_LINE_BREAKS = /(?![\t\n\r])\p{Cc}/u;

export function hasControlCharacters(text: string, lines: TextLines = 'single-line'): boolean {
  return (lines === 'single-line' ? CONTROL : CONTROL_BUT_LINE_BREAKS).test(text);
}

/** The rule as error messages state it, after "<field> must ...". */
export const CONTROL_CHARACTERS_RULE: Record<TextLines, string> = {
  'single-line': 'not contain control characters',
  'multi-line': 'not contain control characters other than tab, line feed and carriage return',
};
