import { Controller, Get, Inject } from '@nestjs/common';
import { Public } from '../auth/auth.decorators';
import { EVENT_STORE, EventStore } from '../event-store/event-store.port';
import { EVENT_STORE_INFO, EventStoreInfo } from '../event-store/event-store.module';

/** Liveness and store status for load balancers; it names no tenant data, so it needs no key. */
@Public()
@Controller('health')
export class HealthController {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(EVENT_STORE_INFO) private readonly info: EventStoreInfo,
  ) {}

  @Get()
  async health() {
    const head = await this.store.headPosition();
    return {
      status: 'ok',
      eventStore: { kind: this.info.kind, headPosition: head.toString() },
    };
  }
}
