/**
 * A sum of points across members. Each amount is a safe integer, but a tenant's sum can pass
 * Number.MAX_SAFE_INTEGER (and even 2^63): it is a number while it is a safe integer (the usual
 * case, and cheap to add to), a bigint beyond, so it stays exact.
 */
export type ExactSum = number | bigint;

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** One value, one form: a bigint back in the safe range becomes a number again. */
function exact(value: bigint): ExactSum {
  return value >= -MAX_SAFE && value <= MAX_SAFE ? Number(value) : value;
}

export function plus(sum: ExactSum, amount: number): ExactSum {
  if (typeof sum === 'number') {
    const result = sum + amount;
    if (Number.isSafeInteger(result)) return result;
  }
  return exact(BigInt(sum) + BigInt(amount));
}

/**
 * The columns of a sum have no declared type, so SQLite converts nothing: an INTEGER while the
 * sum is a safe integer (bound as a bigint: a number would be stored as a REAL), else its decimal
 * digits as TEXT (an INTEGER column would turn digits past 2^63 into an inexact REAL).
 */
export function storedSum(sum: ExactSum): bigint | string {
  return typeof sum === 'number' ? BigInt(sum) : sum.toString();
}

export function loadedSum(stored: number | string): ExactSum {
  return typeof stored === 'string' ? exact(BigInt(stored)) : stored;
}
