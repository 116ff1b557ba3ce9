import { Inject, Injectable } from '@nestjs/common';
import type { NatsConnection } from '@nats-io/transport-node';
import { limitFailure, usageBusReplySchema, type AdminActor } from '@chatgate/contracts';
import { NATS_CONNECTION, requestJson, type Logger } from '@chatgate/service-kit';
import type { z } from 'zod';
import { ApiError } from '../errors/api-error.js';
import { GATEWAY_LOGGER } from '../config/gateway.logger.js';

const QUERY_TIMEOUT_MS = 10_000;

/** The tenant an admin may read: the operator reads every tenant, a tenant admin its own. */
export function tenantScopeOf(actor: AdminActor): string | null {
  switch (actor.kind) {
    case 'operator':
      return null;
    case 'tenant_admin':
      return actor.tenantId;
  }
}

/** Usage queries to the usage service (raw request/reply, queue group `usage`). */
@Injectable()
export class UsageBusClient {
  constructor(
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(GATEWAY_LOGGER) private readonly logger: Logger,
  ) {}

  async query<S extends z.ZodType>(subject: string, request: object, result: S): Promise<z.infer<S>> {
    let reply: { ok: true; result: unknown } | { ok: false; error: string };
    try {
      reply = (await requestJson(this.nc, subject, request, usageBusReplySchema(result), QUERY_TIMEOUT_MS)) as typeof reply;
    } catch (err) {
      this.logger.error({ subject, err: err instanceof Error ? err.message : String(err) }, 'usage service did not answer');
      throw ApiError.fromBus(limitFailure('usage_unavailable', 'The usage service did not answer. Try again shortly.'));
    }
    if (!reply.ok) throw ApiError.fromBus(limitFailure('usage_failed', 'The usage service failed to answer. Try again shortly.'));
    return reply.result as z.infer<S>;
  }
}
