import { Inject, Injectable } from '@nestjs/common';
import type { NatsConnection } from '@nats-io/transport-node';
import { USAGE_LIMIT_RELEASE, USAGE_LIMIT_TAKE, limitTakeReplySchema, type ModelLimit, type Principal } from '@chatgate/contracts';
import { encodeJson, NATS_CONNECTION, requestJson, type Logger } from '@chatgate/service-kit';
import { ApiError } from '../errors/api-error.js';
import { GATEWAY_LOGGER } from '../gateway.logger.js';

/** The limit check is on the hot path: a usage service that does not answer this fast is taken for absent. */
const TAKE_TIMEOUT_MS = 1000;

/**
 * Which of a user's limits apply to a model. As in ChatGPT-Mirror, `model_name` names the model
 * exactly as the client sends it (case-sensitive); every matching limit must have room.
 */
export function limitsFor(limits: readonly ModelLimit[], model: string): ModelLimit[] {
  return limits.filter((l) => l.model === model);
}

/**
 * Takes a slot in the user's window for the model before the job goes to a worker. Refused: 429
 * in OpenAI's envelope with `retry-after`. A principal without limits for the model costs no hop.
 * When the usage service does not answer the request is served (the gateway keeps serving while
 * usage is down) and the lapse is logged.
 */
@Injectable()
export class LimitGate {
  constructor(
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(GATEWAY_LOGGER) private readonly logger: Logger,
  ) {}

  async check(principal: Principal, model: string, requestId: string): Promise<void> {
    const matching = limitsFor(principal.limits, model);
    if (!matching.length) return;
    const request = {
      requestId,
      tenantId: principal.tenantId,
      subject: principal.userId ?? principal.credentialId,
      model,
      windows: matching.map((l) => ({ everyMinutes: l.everyMinutes, count: l.count })),
    };
    let reply;
    try {
      reply = await requestJson(this.nc, USAGE_LIMIT_TAKE, request, limitTakeReplySchema, TAKE_TIMEOUT_MS);
    } catch (err) {
      this.logger.warn({ requestId, err: err instanceof Error ? err.message : String(err) }, 'limit check skipped: the usage service did not answer');
      return;
    }
    if (!reply.ok) {
      this.logger.warn({ requestId, error: reply.error }, 'limit check skipped: the usage service failed');
      return;
    }
    if (reply.allowed) return;
    const retryAfterSec = Math.max(1, Math.ceil(reply.retryAfterMs / 1000));
    const every = matching.map((l) => `${l.count} per ${l.everyMinutes} min`).join(', ');
    throw new ApiError(429, { message: `Usage limit reached for ${model} (${every}). Try again in ${retryAfterSec} s.`, type: 'requests', param: null, code: 'usage_limit_exceeded' }, retryAfterSec);
  }

  /** Gives the slot back when the job never reached a worker (no usage event will come to do it). */
  release(principal: Principal, model: string, requestId: string): void {
    if (!limitsFor(principal.limits, model).length) return;
    this.nc.publish(USAGE_LIMIT_RELEASE, encodeJson({ requestId, tenantId: principal.tenantId, subject: principal.userId ?? principal.credentialId, model }));
  }
}
