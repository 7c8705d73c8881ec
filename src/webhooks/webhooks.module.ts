import { Module } from '@nestjs/common';
import { WebhookCommands } from './endpoint/webhook-commands.service';
import { WebhooksController } from './endpoint/webhooks.controller';

/** Registrations: POST/GET/DELETE /v1/webhooks. */
@Module({
  controllers: [WebhooksController],
  providers: [WebhookCommands],
})
export class WebhooksModule {}
