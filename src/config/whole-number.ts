/** A setting in decimal digits only: `Number` would read '' as 0 and '0x10' as 16. Unset: `fallback`. */
export function wholeNumber(
  env: NodeJS.ProcessEnv,
  name: string,
  fallback: number,
  min: number,
  max: number,
  expected: string,
): number {
  const text = env[name];
  if (text === undefined) return fallback;
  const value = /^\d{1,10}$/.test(text) ? Number(text) : NaN;
  if (!(value >= min && value <= max))
    throw new Error(`${name} must be ${expected}, got '${text}'`);
  return value;
}
