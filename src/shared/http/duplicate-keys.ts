/*
 * JSON.parse keeps the last of two equal keys in one object; a proxy or firewall in front may
 * read the first. A body that names a key twice is refused rather than read one way here and
 * another way there. These functions take text that JSON.parse has already accepted.
 */

const QUOTE = 0x22; // "
const BACKSLASH = 0x5c;
const COLON = 0x3a;
const OPEN_OBJECT = 0x7b; // {
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b; // [
const CLOSE_ARRAY = 0x5d;

/**
 * The index of the quote that closes the string opened at `start` (a backslash takes the
 * character after it), or the text's length if none does.
 */
export function stringEnd(text: string, start: number): number {
  let i = start + 1;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) return i;
    i += c === BACKSLASH ? 2 : 1;
  }
  return text.length;
}

/**
 * How many keys valid JSON text names, duplicates included: each key is followed by the only
 * colons outside strings. One pass over the text, making no string.
 */
export function keysNamed(text: string): number {
  let keys = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === COLON) keys++;
    else if (c === QUOTE) i = stringEnd(text, i);
  }
  return keys;
}

/** How many keys a parsed JSON value holds, in all its objects (a duplicate is held once). */
export function keysHeld(value: unknown): number {
  if (value === null || typeof value !== 'object') return 0;
  let keys = 0;
  const pending: object[] = [value];
  for (let node = pending.pop(); node !== undefined; node = pending.pop()) {
    const children: unknown[] = Array.isArray(node) ? node : Object.values(node);
    if (!Array.isArray(node)) keys += children.length;
    for (const child of children)
      if (child !== null && typeof child === 'object') pending.push(child);
  }
  return keys;
}

const isJsonSpace = (c: number) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

/**
 * The first key valid JSON text names twice in one object, decoded (`"\u0061"` is `a`), or
 * undefined. It keeps a set of keys for each open object: duplicateKey calls it only once the
 * counts show there is one.
 */
export function firstDuplicateKey(text: string): string | undefined {
  // One entry per open object or array (null): a key belongs to the innermost, an object.
  const open: Array<Set<string> | null> = [];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === OPEN_OBJECT) open.push(new Set());
    else if (c === OPEN_ARRAY) open.push(null);
    else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) open.pop();
    else if (c === QUOTE) {
      const start = i;
      i = stringEnd(text, i);
      let next = i + 1;
      while (isJsonSpace(text.charCodeAt(next))) next++;
      const keys = open[open.length - 1];
      if (text.charCodeAt(next) !== COLON || !keys) continue;
      const key = JSON.parse(text.slice(start, i + 1)) as string;
      if (keys.has(key)) return key;
      keys.add(key);
    }
  }
  return undefined;
}

/**
 * The key that `text` (valid JSON, parsed into `value`) names twice in one object, or undefined.
 * Only when it names more keys than the value holds does it look for which one.
 */
export function duplicateKey(text: string, value: unknown): string | undefined {
  const named = keysNamed(text);
  if (named < 2 || named === keysHeld(value)) return undefined;
  return firstDuplicateKey(text);
}
