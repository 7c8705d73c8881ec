import { BadRequestException, Controller, Get, Query, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { CurrentPrincipal, OrgOnly } from '../../auth/auth.decorators';
import type { Principal } from '../../auth/principal';
import { tenantKey } from '../../auth/tenancy';
import { Interval, bucketStart, nextBucket } from '../../projections/analytics/buckets';
import { ANALYTICS, OFFERS, REDEMPTIONS, WALLETS } from '../../projections/names';
import { compareInstants, instantCeilMs, instantMs } from '../../shared/domain/values';
import { sendExactJson } from '../../shared/http/exact-json';
import { Freshness } from '../shared/freshness';
import { TimeseriesQuery } from './analytics.dto';
import { AnalyticsQueries } from './analytics.queries';
import { NoQuery } from '../../shared/http/no-input';

export const MAX_BUCKETS = 1000;

function invalid(field: string, problem: string): BadRequestException {
  return new BadRequestException({
    code: 'VALIDATION_FAILED',
    message: problem,
    details: { fields: [{ field, problems: [problem] }] },
  });
}

/**
 * The years a bucket may span: an instant outside 0000-9999 has no four-digit ISO 8601 form
 * (`+010000-01-01T00:00:00.000Z`), which many clients' parsers refuse.
 */
const FIRST_MS = Date.parse('0000-01-01T00:00:00Z');
const END_MS = Date.parse('+010000-01-01T00:00:00Z');
const OUTSIDE_YEARS = 'the buckets must fall within the years 0000-9999';

/** The bucket starts covering [from, to), or a 400 when the range is empty, too long or too far. */
function bucketStarts(
  query: TimeseriesQuery,
  interval: Interval,
): { starts: number[]; toMs: number } {
  if (compareInstants(query.from, query.to) >= 0) throw invalid('to', 'to must be after from');
  const fromMs = instantMs(query.from);
  // Buckets and events fall on whole milliseconds: before `to` is before its next one.
  const toMs = instantCeilMs(query.to);
  let start = bucketStart(interval, fromMs);
  if (start < FIRST_MS) throw invalid('from', OUTSIDE_YEARS);
  const starts: number[] = [];
  for (; start < toMs; start = nextBucket(interval, start)) {
    if (starts.length === MAX_BUCKETS)
      throw invalid('to', `the range holds more than ${MAX_BUCKETS} ${interval} buckets`);
    starts.push(start);
  }
  if (start >= END_MS) throw invalid('to', OUTSIDE_YEARS); // the last bucket's end
  return { starts, toMs };
}

/** Organization-wide figures of its tenant. Points sums are exact JSON integers, even past 2^53. */
@Controller('v1/analytics')
@OrgOnly()
export class AnalyticsController {
  constructor(
    private readonly queries: AnalyticsQueries,
    private readonly freshness: Freshness,
  ) {}

  @Get('summary')
  @NoQuery()
  async summary(
    @CurrentPrincipal() principal: Principal,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    sendExactJson(reply);
    await this.freshness.of([WALLETS, ANALYTICS, REDEMPTIONS]);
    return this.queries.summary(tenantKey(principal.tenant));
  }

  @Get('offers')
  @NoQuery()
  async offers(
    @CurrentPrincipal() principal: Principal,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    sendExactJson(reply);
    await this.freshness.of([OFFERS, REDEMPTIONS]);
    return this.queries.offerStats(tenantKey(principal.tenant));
  }

  @Get('timeseries')
  async timeseries(
    @CurrentPrincipal() principal: Principal,
    @Query() query: TimeseriesQuery,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    sendExactJson(reply);
    const interval = query.interval || 'day';
    const { starts, toMs } = bucketStarts(query, interval);
    await this.freshness.of([ANALYTICS]);
    return this.queries.timeseries(tenantKey(principal.tenant), interval, starts, toMs);
  }
}
