import { Inject, Injectable } from '@nestjs/common';
import { ClientProxy } from '@nestjs/microservices';
import { firstValueFrom, timeout } from 'rxjs';
import type { z } from 'zod';
import { authUnavailable, type AdminReply } from '@chatgate/contracts';
import type { Logger } from '@chatgate/service-kit';
import { AUTH_CLIENT } from '../shared/credentials/credential-resolver.service.js';
import { ApiError } from '../shared/errors/api-error.js';
import { GATEWAY_LOGGER } from '../shared/config/gateway.logger.js';

/** Most admin calls are one query or update in auth. */
export const ADMIN_CALL_TIMEOUT_MS = 10_000;
/** Calls that reach the upstream once (enter one token, refresh one account). */
export const ADMIN_UPSTREAM_CALL_TIMEOUT_MS = 60_000;
/** An import enters its tokens one after another, each a few upstream round trips. */
export const ADMIN_IMPORT_TIMEOUT_MS = 10 * 60_000;

type ResultOf<R> = R extends { ok: true; result: infer T } ? T : never;

/**
 * Admin requests to auth over the NestJS NATS transport (control plane). A refusal from auth
 * becomes the ApiError it describes; silence becomes 503. Payloads are never logged: they carry
 * tokens.
 */
@Injectable()
export class AdminBusClient {
  constructor(
    @Inject(AUTH_CLIENT) private readonly auth: ClientProxy,
    @Inject(GATEWAY_LOGGER) private readonly logger: Logger,
  ) {}

  async call<S extends z.ZodType<AdminReply<unknown>>>(subject: string, request: object, replySchema: S, timeoutMs = ADMIN_CALL_TIMEOUT_MS): Promise<ResultOf<z.infer<S>>> {
    let raw: unknown;
    try {
      raw = await firstValueFrom(this.auth.send(subject, request).pipe(timeout(timeoutMs)));
    } catch (err) {
      this.logger.error({ subject, err: err instanceof Error ? err.message : String(err) }, 'auth service did not answer an admin request');
      throw ApiError.fromBus(authUnavailable('The authentication service did not answer. Try again shortly.'));
    }
    const reply = replySchema.parse(raw) as AdminReply<unknown>;
    if (!reply.ok) throw ApiError.fromBus(reply.failure);
    return reply.result as ResultOf<z.infer<S>>;
  }
}
