import { Inject, Module, OnModuleDestroy } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { EVENT_STORE, EventStore } from '../event-store/event-store.port';
import { EventsFeed } from './events-feed';
import { EventsFeedController } from './events-feed.controller';

/** GET /v1/events: the tenant's ledger events over HTTP, paged and long-polled. */
@Module({
  controllers: [EventsFeedController],
  providers: [
    {
      provide: EventsFeed,
      inject: [EVENT_STORE, APP_CONFIG],
      useFactory: (store: EventStore, config: AppConfig) =>
        new EventsFeed(store, config.eventsFeedWindow),
    },
  ],
  exports: [EventsFeed],
})
export class EventsFeedModule implements OnModuleDestroy {
  constructor(@Inject(EventsFeed) private readonly feed: EventsFeed) {}

  /** Nest's close stops the modules before the HTTP server: waits must not hold it. */
  onModuleDestroy(): void {
    this.feed.endWaits();
  }
}
