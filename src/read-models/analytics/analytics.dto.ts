import { IsIn, IsISO8601, IsOptional } from 'class-validator';
import { INTERVALS, Interval } from '../../projections/analytics/buckets';

/** `?from&to&interval`: ISO-8601 dates or instants, from before to; interval day (default), week or month. */
export class TimeseriesQuery {
  @IsISO8601({ strict: true }, { message: 'from must be an ISO-8601 date or instant' })
  from!: string;

  @IsISO8601({ strict: true }, { message: 'to must be an ISO-8601 date or instant' })
  to!: string;

  @IsOptional()
  @IsIn(INTERVALS, { message: `interval must be one of ${INTERVALS.join(', ')}` })
  interval?: Interval;
}
