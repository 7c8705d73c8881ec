import { Module } from '@nestjs/common';
import { WebhookDelivery } from './delivery/webhook-delivery.service';
import { WebhookCommands } from './endpoint/webhook-commands.service';
import { WebhooksController } from './endpoint/webhooks.controller';

/** Registrations (POST/GET/DELETE /v1/webhooks) and this replica's delivery of them. */
@Module({
  controllers: [WebhooksController],
  providers: [WebhookCommands, WebhookDelivery],
  exports: [WebhookDelivery],
})
export class WebhooksModule {}
