import { Json } from '../openapi.builders';
import { READ_ERRORS } from '../openapi.errors';
import { operation } from '../openapi.operation';
import { SECURITY } from '../openapi.parameters';

/** Organization-wide figures of its tenant; the points sums are exact integers past 2^53. */
export const ANALYTICS_PATHS: Record<string, Json> = {
  '/v1/analytics/summary': {
    get: operation({
      operationId: 'getAnalyticsSummary',
      tag: 'Analytics',
      summary: 'Members, points and redemptions of the tenant',
      security: SECURITY.orgOnly,
      success: { status: 200, description: 'The summary.', schema: 'AnalyticsSummary' },
      errors: READ_ERRORS,
    }),
  },
  '/v1/analytics/offers': {
    get: operation({
      operationId: 'getAnalyticsOffers',
      tag: 'Analytics',
      summary: "Every offer's redemption figures",
      description: 'Newest offer first.',
      security: SECURITY.orgOnly,
      success: { status: 200, description: 'The figures.', schema: 'AnalyticsOffers' },
      errors: READ_ERRORS,
    }),
  },
  '/v1/analytics/timeseries': {
    get: operation({
      operationId: 'getAnalyticsTimeseries',
      tag: 'Analytics',
      summary: 'Points and signups per day, week or month',
      description:
        'Every bucket from the one holding from up to to, empty ones included, each summing its ' +
        'whole period. More than 1,000 buckets, or past the year 9999, is 400.',
      security: SECURITY.orgOnly,
      parameters: ['FromQuery', 'ToQuery', 'IntervalQuery'],
      success: { status: 200, description: 'The buckets.', schema: 'AnalyticsTimeseries' },
      errors: READ_ERRORS,
    }),
  },
};
