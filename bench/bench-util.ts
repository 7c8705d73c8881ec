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

export function row(label: string, value: string, target?: string): void {
  console.log(`${label.padEnd(58)} ${value.padStart(16)}${target ? `   (target ${target})` : ''}`);
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
