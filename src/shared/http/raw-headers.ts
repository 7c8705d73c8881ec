/**
 * How often a header is sent; rawHeaders alternates names and values. Node keeps only the first
 * of several Host, Authorization or Content-Type headers, where a proxy in front may keep the
 * last, so the raw names are counted to refuse them. Every request runs this for Host: names are
 * compared in place, in any case, without making a string.
 */
export function countHeader(rawHeaders: readonly string[], lowerCaseName: string): number {
  let count = 0;
  for (let i = 0; i < rawHeaders.length; i += 2)
    if (sameIgnoringCase(rawHeaders[i], lowerCaseName)) count++;
  return count;
}

/** Whether `name` is `lowerCaseName` with any of its ASCII letters in upper case. */
function sameIgnoringCase(name: string, lowerCaseName: string): boolean {
  if (name.length !== lowerCaseName.length) return false;
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    const lower = c >= 0x41 && c <= 0x5a ? c | 0x20 : c; // A-Z to a-z
    if (lower !== lowerCaseName.charCodeAt(i)) return false;
  }
  return true;
}
