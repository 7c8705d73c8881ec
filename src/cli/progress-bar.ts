import type { RebuildProgress } from '../projections/rebuild';

const WIDTH = 30;
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

function duration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '--';
  const s = Math.max(0, Math.round(seconds));
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}

/** One line of a rebuild's progress: done/total by position, events, events/s and time left. */
export function progressLine(p: RebuildProgress): string {
  const span = p.head - p.first;
  const fraction = span <= 0 ? 1 : Math.min(1, Math.max(0, (p.position - p.first) / span));
  const filled = Math.round(fraction * WIDTH);
  const rate = p.elapsedSeconds > 0 ? p.events / p.elapsedSeconds : 0;
  const eta = fraction > 0 ? (p.elapsedSeconds * (1 - fraction)) / fraction : Infinity;
  const bar = `${'#'.repeat(filled)}${'-'.repeat(WIDTH - filled)}`;
  // Positions of the embedded store count events; EventStoreDB's are byte offsets, hence the %.
  return `[${bar}] ${(fraction * 100).toFixed(1).padStart(5)}%  ${fmt(p.events)} events  ${fmt(rate)} events/s  ETA ${duration(eta)}`;
}

/** Redraws the line in place on a terminal (at most 10 times a second); prints every 10% otherwise. */
export function progressBar(
  stream: NodeJS.WriteStream | { write(s: string): unknown; isTTY?: boolean },
) {
  let lastDraw = 0;
  let lastDecile = -1;
  return {
    update(p: RebuildProgress): void {
      const now = Date.now();
      if (stream.isTTY) {
        if (now - lastDraw < 100 && p.position < p.head) return;
        lastDraw = now;
        stream.write(`\r${progressLine(p)}`);
        return;
      }
      const span = p.head - p.first;
      const decile = span <= 0 ? 10 : Math.floor(((p.position - p.first) / span) * 10);
      if (decile === lastDecile) return;
      lastDecile = decile;
      stream.write(`${progressLine(p)}\n`);
    },
    done(): void {
      if (stream.isTTY) stream.write('\n');
    },
  };
}
