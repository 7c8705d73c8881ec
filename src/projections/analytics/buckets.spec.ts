import { bucketStart, INTERVALS, nextBucket } from './buckets';

const iso = (ms: number) => new Date(ms).toISOString();
const at = (instant: string) => Date.parse(instant);

describe('analytics time buckets', () => {
  it.each([
    ['2024-02-29T23:59:59.999Z', '2024-02-01T00:00:00.000Z', '2024-03-01T00:00:00.000Z'],
    ['2024-12-31T12:00:00Z', '2024-12-01T00:00:00.000Z', '2025-01-01T00:00:00.000Z'],
    ['1969-12-31T23:00:00Z', '1969-12-01T00:00:00.000Z', '1970-01-01T00:00:00.000Z'],
    ['0050-03-15T10:00:00Z', '0050-03-01T00:00:00.000Z', '0050-04-01T00:00:00.000Z'],
    ['0099-12-31T23:59:59Z', '0099-12-01T00:00:00.000Z', '0100-01-01T00:00:00.000Z'],
    ['0001-01-01T00:00:00Z', '0001-01-01T00:00:00.000Z', '0001-02-01T00:00:00.000Z'],
  ])('puts %s in the month from %s to %s, years 0-99 included', (instant, start, next) => {
    const ms = bucketStart('month', at(instant));
    expect([iso(ms), iso(nextBucket('month', ms))]).toEqual([start, next]);
  });

  it('starts days at midnight UTC and weeks on Monday, in the year 0050 too', () => {
    const ms = at('0050-03-15T10:00:00Z'); // a Tuesday
    expect(iso(bucketStart('day', ms))).toBe('0050-03-15T00:00:00.000Z');
    expect(iso(bucketStart('week', ms))).toBe('0050-03-14T00:00:00.000Z');
    expect(new Date(bucketStart('week', ms)).getUTCDay()).toBe(1);
  });

  it('tiles time: each bucket holds its start and ends where the next starts', () => {
    for (const interval of INTERVALS) {
      let start = bucketStart(interval, at('0049-11-20T00:00:00Z'));
      for (let i = 0; i < 30; i++) {
        const next = nextBucket(interval, start);
        expect(bucketStart(interval, start)).toBe(start);
        expect(bucketStart(interval, next - 1)).toBe(start);
        start = next;
      }
    }
  });
});
