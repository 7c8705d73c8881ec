import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  NotFoundException,
  Param,
  Post,
  Req,
  Res,
} from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { AuthenticatedRequest, OrgOnly, principalOf } from '../../auth/auth.decorators';
import { commandRequest, sendOutcome } from '../../shared/http/command-request';
import { NoBody, NoQuery } from '../../shared/http/no-input';
import { isPlainObject } from '../../shared/domain/values';
import { tenantKey } from '../../auth/tenancy';
import type { Tenant } from '../../auth/principal';
import type { ExecutionResult } from '../../shared/application/command-executor';
import { WebhookDelivery } from '../delivery/webhook-delivery.service';
import { WebhookCommands } from './webhook-commands.service';
import { CreateWebhookDto, WebhookDeliveryPathParams, WebhookPathParams } from './webhook.dto';

/** The Expys webhook routes: an org key only, for its own organization and environment. */
@Controller('v1/webhooks')
@OrgOnly()
export class WebhooksController {
  constructor(
    private readonly webhooks: WebhookCommands,
    private readonly delivery: WebhookDelivery,
  ) {}

  /** 201 with the signing secret, shown here only (and to a replay of the same Idempotency-Key). */
  @Post()
  @NoQuery()
  @HttpCode(201)
  async create(
    @Req() req: AuthenticatedRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
    @Body() dto: CreateWebhookDto,
  ) {
    const command = commandRequest(req, req.body);
    const result = await this.webhooks.register(command, dto.url, dto.events);
    return this.withSigningSecret(reply, command.tenant, result, 201);
  }

  @Get()
  @NoQuery()
  list(@Req() req: AuthenticatedRequest) {
    return this.webhooks.list(principalOf(req).tenant);
  }

  /** The latest deliveries of one of the tenant's webhooks, newest first. */
  @Get(':id/deliveries')
  @NoQuery()
  async deliveries(@Req() req: AuthenticatedRequest, @Param() params: WebhookPathParams) {
    const { tenant } = principalOf(req);
    if (!(await this.webhooks.isKnown(tenant, params.id)))
      throw new NotFoundException({ code: 'NOT_FOUND', message: `Webhook ${params.id} not found` });
    return this.delivery.recent(tenantKey(tenant), params.id);
  }

  /**
   * 202: the request is recorded, and the replica that delivers sends the delivery again, once,
   * within a moment. A delivery it does not hold is 404 (one that does not deliver cannot tell).
   */
  @Post(':id/deliveries/:deliveryId/resend')
  @NoQuery()
  @NoBody()
  @HttpCode(202)
  async resend(
    @Req() req: AuthenticatedRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
    @Param() params: WebhookDeliveryPathParams,
  ) {
    const { tenant } = principalOf(req);
    if (this.delivery.holds(tenantKey(tenant), params.id, params.deliveryId) === false) {
      throw new NotFoundException({
        code: 'NOT_FOUND',
        message: `Webhook ${params.id} has no delivery ${params.deliveryId}`,
      });
    }
    const command = commandRequest(req, req.body);
    const result = await this.webhooks.resend(command, params.id, params.deliveryId);
    return sendOutcome(reply, result);
  }

  /**
   * 200 with the new signing secret, shown here only (and to a replay of the same
   * Idempotency-Key). Deliveries carry a signature by the previous secret too for a day.
   */
  @Post(':id/rotate-secret')
  @NoQuery()
  @NoBody()
  @HttpCode(200)
  async rotateSecret(
    @Req() req: AuthenticatedRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
    @Param() params: WebhookPathParams,
  ) {
    const command = commandRequest(req, req.body);
    const result = await this.webhooks.rotateSecret(command, params.id);
    return this.withSigningSecret(reply, command.tenant, result, 200);
  }

  /** 202: a `loyalty.webhook.test` delivery is on its way; the answer names it. */
  @Post(':id/test')
  @NoQuery()
  @NoBody()
  @HttpCode(202)
  async test(
    @Req() req: AuthenticatedRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
    @Param() params: WebhookPathParams,
  ) {
    const result = await this.webhooks.sendTest(commandRequest(req, req.body), params.id);
    return sendOutcome(reply, result);
  }

  @Delete(':id')
  @NoQuery()
  @NoBody()
  async remove(
    @Req() req: AuthenticatedRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
    @Param() params: WebhookPathParams,
  ) {
    const result = await this.webhooks.remove(commandRequest(req, req.body), params.id);
    return sendOutcome(reply, result);
  }

  /**
   * Sends the recorded answer, and on success adds the signing secret of the webhook it names
   * (`id`), at its `secretVersion` (1 as registered): derived again, so that no event and no
   * idempotency record stores a secret.
   */
  private withSigningSecret(
    reply: FastifyReply,
    tenant: Tenant,
    result: ExecutionResult,
    success: number,
  ) {
    const body = sendOutcome(reply, result);
    if (result.outcome.status !== success || !isPlainObject(body) || typeof body.id !== 'string')
      return body;
    const version = typeof body.secretVersion === 'number' ? body.secretVersion : 1;
    return { ...body, signingSecret: this.webhooks.signingSecret(tenant, body.id, version) };
  }
}
