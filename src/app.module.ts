import { DynamicModule, Module } from '@nestjs/common';
import { AuthModule } from './auth/auth.module';
import { APP_CONFIG, AppConfig } from './config/app-config';
import { DATA_DIR_LOCK, dataDirLockProvider } from './config/data-dir-lock';
import { DocsController } from './docs/docs.controller';
import { EventStoreModule } from './event-store/event-store.module';
import { EventsFeedModule } from './events-feed/events-feed.module';
import { HealthController } from './health/health.controller';
import { ServiceStatus } from './health/service-status';
import { SqliteFileFailures } from './infrastructure/sqlite/file-failures';
import { LedgerModule } from './ledger/ledger.module';
import { HttpMetrics } from './metrics/http-metrics';
import { MetricsController } from './metrics/metrics.controller';
import { ReadModelsModule } from './read-models/read-models.module';
import { WebhooksModule } from './webhooks/webhooks.module';

@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      global: true,
      imports: [
        EventStoreModule,
        AuthModule,
        LedgerModule,
        ReadModelsModule,
        WebhooksModule,
        EventsFeedModule,
      ],
      controllers: [HealthController, MetricsController, DocsController],
      providers: [
        { provide: APP_CONFIG, useValue: config },
        dataDirLockProvider,
        SqliteFileFailures,
        ServiceStatus,
        HttpMetrics,
      ],
      exports: [APP_CONFIG, DATA_DIR_LOCK, SqliteFileFailures],
    };
  }
}
