import { ArrayMaxSize, ArrayMinSize, IsArray, IsString, Length, Matches } from 'class-validator';
import { HasNoControlCharacters, IsText } from '../../shared/http/dto-rules';
import { DELIVERY_ID_PATTERN, WEBHOOK_LIMITS } from './webhook.events';

/**
 * POST /v1/webhooks. Types and lengths here (400); whether the URL is an absolute http(s) one and
 * each name a known event is the decider's (422 VALIDATION_FAILED, details name what is wrong).
 */
export class CreateWebhookDto {
  @IsText(1, WEBHOOK_LIMITS.url)
  url!: string;

  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(WEBHOOK_LIMITS.events)
  @IsString({ each: true })
  @Length(1, 64, { each: true })
  events!: string[];
}

/** Any id of the right length: one that is not this tenant's webhook is 404. */
export class WebhookPathParams {
  @IsString()
  @Length(1, 64)
  @HasNoControlCharacters()
  id!: string;
}

/** POST /v1/webhooks/{id}/deliveries/{deliveryId}/resend. */
export class WebhookDeliveryPathParams extends WebhookPathParams {
  @IsString()
  @Matches(DELIVERY_ID_PATTERN, { message: 'deliveryId must be msg_ and 32 hex digits' })
  deliveryId!: string;
}
