/**
 * The Prometheus text exposition format (version 0.0.4), written by hand: a few families of
 * gauges, counters and histograms need no client library.
 */
export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

export type Labels = Readonly<Record<string, string>>;

export interface Sample {
  labels?: Labels;
  value: number;
}

export interface HistogramSample {
  labels?: Labels;
  /** Upper bounds in ascending order, +Inf left out. */
  bounds: readonly number[];
  /** Observations per bucket, not cumulative: counts[i] fell in (bounds[i-1], bounds[i]]; one more for +Inf. */
  counts: ArrayLike<number>;
  sum: number;
}

/** A label value with backslash, double quote and newline escaped, as the format requires. */
export function escapeLabelValue(value: string): string {
  return value.replace(/[\\"\n]/g, (c) => (c === '\n' ? '\\n' : `\\${c}`));
}

function labelText(labels: Labels | undefined, extra?: [string, string]): string {
  const pairs = Object.entries(labels ?? {});
  if (extra) pairs.push(extra);
  if (pairs.length === 0) return '';
  return `{${pairs.map(([name, value]) => `${name}="${escapeLabelValue(value)}"`).join(',')}}`;
}

function numberText(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}

/** Builds one exposition: each family's HELP and TYPE lines, then its samples. */
export class PrometheusText {
  private readonly lines: string[] = [];

  gauge(name: string, help: string, samples: readonly Sample[]): this {
    return this.family(name, help, 'gauge', samples);
  }

  /** A counter's name ends in _total, as the format's conventions ask. */
  counter(name: string, help: string, samples: readonly Sample[]): this {
    return this.family(name, help, 'counter', samples);
  }

  histogram(name: string, help: string, samples: readonly HistogramSample[]): this {
    this.header(name, help, 'histogram');
    for (const { labels, bounds, counts, sum } of samples) {
      let cumulative = 0;
      bounds.forEach((bound, i) => {
        cumulative += counts[i];
        this.lines.push(`${name}_bucket${labelText(labels, ['le', String(bound)])} ${cumulative}`);
      });
      cumulative += counts[bounds.length];
      this.lines.push(`${name}_bucket${labelText(labels, ['le', '+Inf'])} ${cumulative}`);
      this.lines.push(`${name}_sum${labelText(labels)} ${numberText(sum)}`);
      this.lines.push(`${name}_count${labelText(labels)} ${cumulative}`);
    }
    return this;
  }

  toString(): string {
    return this.lines.length === 0 ? '' : `${this.lines.join('\n')}\n`;
  }

  private family(name: string, help: string, type: string, samples: readonly Sample[]): this {
    this.header(name, help, type);
    for (const { labels, value } of samples) {
      this.lines.push(`${name}${labelText(labels)} ${numberText(value)}`);
    }
    return this;
  }

  private header(name: string, help: string, type: string): void {
    // HELP text escapes backslash and newline only.
    this.lines.push(
      `# HELP ${name} ${help.replace(/[\\\n]/g, (c) => (c === '\n' ? '\\n' : '\\\\'))}`,
    );
    this.lines.push(`# TYPE ${name} ${type}`);
  }
}
