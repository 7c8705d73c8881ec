import { BadRequestException } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { AuthenticatedRequest, principalOf } from '../../auth/auth.decorators';
import { Principal, Tenant } from '../../auth/principal';
import { tenantKey } from '../../auth/tenancy';
import { EventContext } from '../../event-store/envelope';
import { JsonValue } from '../../event-store/event-store.port';
import { ExecutionResult, IdempotencyScope, Outcome } from '../application/command-executor';
import { sha256Hex } from '../application/sha256';
import { DomainError } from '../domain/domain-error';
import { isPlainObject } from '../domain/values';
import { noteAnsweredCode } from './answered-code';
import { DOMAIN_ERROR_STATUS } from './domain-error-status';

/** Everything a command needs to know about the HTTP request that carries it. */
export interface CommandRequest {
  principal: Principal;
  tenant: Tenant;
  tenantKey: string;
  requestId: string;
  idempotency: IdempotencyScope | undefined;
}

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

function actorOf(principal: Principal): string {
  return principal.kind === 'org'
    ? `org:${principal.tenant.orgId}`
    : `member:${principal.externalUserID}`;
}

/**
 * Reads the principal and the Idempotency-Key (the clock is read when the command decides). The fingerprint covers who asks, what
 * route and what body, so the same key with anything else is a reuse.
 */
export function commandRequest(request: AuthenticatedRequest, body: unknown): CommandRequest {
  const principal = principalOf(request);
  const key = tenantKey(principal.tenant);
  const requestId = String(request.id);
  const header = request.headers['idempotency-key'];
  let idempotency: IdempotencyScope | undefined;
  if (header !== undefined) {
    if (typeof header !== 'string' || !IDEMPOTENCY_KEY.test(header)) {
      throw new BadRequestException({
        code: 'VALIDATION_FAILED',
        message: 'Idempotency-Key must be 1-255 visible ASCII characters',
        details: {
          fields: [
            { field: 'Idempotency-Key', problems: ['must be 1-255 visible ASCII characters'] },
          ],
        },
      });
    }
    const fingerprint = sha256Hex(
      canonicalJson([request.method, request.url, actorOf(principal), askedFor(body)]),
    );
    idempotency = {
      tenantKey: key,
      key: header,
      fingerprint,
      context: { requestId, actor: actorOf(principal) },
    };
  }
  return {
    principal,
    tenant: principal.tenant,
    tenantKey: key,
    requestId,
    idempotency,
  };
}

/** A body of `{}` asks for what no body does (a cancel without a reason), so they fingerprint alike. */
function askedFor(body: unknown): unknown {
  return body == null || (isPlainObject(body) && Object.keys(body).length === 0) ? null : body;
}

/** JSON with object keys sorted, so a retry whose body lists fields in another order is the same request. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** Metadata for the events a command decided at `now` writes. */
export function eventContext(
  req: CommandRequest,
  now: string,
  extra: Record<string, JsonValue> = {},
): EventContext {
  return {
    occurredAt: now,
    requestId: req.requestId,
    idempotencyKey: req.idempotency?.key ?? null,
    actor: actorOf(req.principal),
    environment: req.tenant.environment,
    orgId: req.tenant.orgId,
    correlationId: req.requestId,
    causationId: null,
    ...extra,
  };
}

export function errorOutcome(error: DomainError, requestId: string): Outcome {
  const body: { code: string; message: string; requestId: string; details?: JsonValue } = {
    code: error.code,
    message: error.message,
    requestId,
  };
  if (error.details !== undefined) body.details = error.details;
  return { status: DOMAIN_ERROR_STATUS[error.code], body: { error: body } };
}

/** Sends an executed command's answer: its status, and `Idempotent-Replayed` on a replay. */
export function sendOutcome(
  reply: FastifyReply,
  result: Pick<ExecutionResult, 'outcome' | 'replayed'>,
): JsonValue {
  const { status, body } = result.outcome;
  void reply.status(status);
  if (result.replayed) void reply.header('Idempotent-Replayed', 'true');
  // A refusal the command decided (and its replay) carries its code as sendProblem's do.
  const code = status >= 400 ? errorCodeOf(body) : undefined;
  if (code !== undefined) noteAnsweredCode(reply, code);
  return body;
}

function errorCodeOf(body: JsonValue): string | undefined {
  const error = isPlainObject(body) ? body.error : undefined;
  return isPlainObject(error) && typeof error.code === 'string' ? error.code : undefined;
}
