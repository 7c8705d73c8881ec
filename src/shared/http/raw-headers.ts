/**
 * How often a header is sent; rawHeaders alternates names and values. Node keeps only the first
 * of several Authorization or Content-Type headers, where a proxy in front may keep the last, so
 * the raw names are counted to refuse them. Only a name of the right length is lowercased (a new
 * string) to compare it.
 */
export function countHeader(rawHeaders: readonly string[], lowerCaseName: string): number {
  let count = 0;
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i];
    if (name.length === lowerCaseName.length && name.toLowerCase() === lowerCaseName) count++;
  }
  return count;
}
