import { Controller, Get, Query, Req, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { AuthenticatedRequest, OrgOnly, principalOf } from '../auth/auth.decorators';
import { tenantKey } from '../auth/tenancy';
import { EventsFeed } from './events-feed';
import { EventsFeedQuery, FEED_DEFAULT_LIMIT } from './events-feed.dto';

/** The events feed: an org key's own organization and environment only (docs/api.md). */
@Controller('v1/events')
@OrgOnly()
export class EventsFeedController {
  constructor(private readonly feed: EventsFeed) {}

  @Get()
  async read(
    @Req() req: AuthenticatedRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
    @Query() query: EventsFeedQuery,
  ) {
    const left = new AbortController();
    // The response closed before it was sent: the client has gone, and its wait ends.
    const onClose = () => left.abort();
    reply.raw.once('close', onClose);
    try {
      return await this.feed.read({
        tenantKey: tenantKey(principalOf(req).tenant),
        after: query.after ? BigInt(query.after) : undefined,
        limit: query.limit ? Number(query.limit) : FEED_DEFAULT_LIMIT,
        types: query.types ? new Set(query.types.split(',')) : undefined,
        waitMs: query.wait ? Number(query.wait) * 1000 : 0,
        signal: left.signal,
      });
    } finally {
      reply.raw.off('close', onClose);
    }
  }
}
