import { IsIn, ValidateIf } from 'class-validator';
import { INTERVALS, Interval } from '../../projections/analytics/buckets';
import { IsDateOrInstant } from '../shared/query-rules';

/**
 * `?from&to&interval`: each a date (midnight UTC) or an instant with a zone, so that no answer
 * depends on the server's time zone; from before to; interval day (default, also when empty:
 * `?interval=`, as other optional parameters read it), week or month.
 */
export class TimeseriesQuery {
  @IsDateOrInstant()
  from!: string;

  @IsDateOrInstant()
  to!: string;

  @ValidateIf((_query, value) => value !== undefined && value !== '')
  @IsIn(INTERVALS, { message: `interval must be one of ${INTERVALS.join(', ')}` })
  interval?: Interval | '';
}
