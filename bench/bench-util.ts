import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A scratch directory for one benchmark run, removed on exit. */
export function scratchDir(name: string): string {
  const dir = mkdtempSync(join(process.env.BENCH_DIR ?? tmpdir(), `points-ledger-${name}-`));
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export async function timed<T>(
  work: () => Promise<T> | T,
): Promise<{ seconds: number; result: T }> {
  const start = process.hrtime.bigint();
  const result = await work();
  return { seconds: Number(process.hrtime.bigint() - start) / 1e9, result };
}

export const rate = (count: number, seconds: number) => Math.round(count / seconds);
export const fmt = (n: number) => n.toLocaleString('en-US');

/** A benchmark's target for one figure, and whether this run met it. */
export interface Target {
  text: string;
  met: boolean;
}

export const atLeast = (value: number, min: number, text = `>= ${min}`): Target => ({
  text,
  met: value >= min,
});

export const atMost = (value: number, max: number, text = `<= ${max}`): Target => ({
  text,
  met: value <= max,
});

/**
 * A ratio cut (not rounded) to three digits, so that a miss never shows as the target it missed:
 * 0.2496 is 0.249, not 0.25 or 0.250.
 */
export const ratio = (value: number) => (Math.floor(value * 1000) / 1000).toFixed(3);

export function row(label: string, value: string, target?: Target): void {
  const verdict = target ? `   (target ${target.text}: ${target.met ? 'met' : 'NOT met'})` : '';
  console.log(`${label.padEnd(58)} ${value.padStart(16)}${verdict}`);
}

/** A small deterministic PRNG (mulberry32): a benchmark writes the same workload every run, and a
 * failing random test workload can be replayed from its seed. */
export function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
