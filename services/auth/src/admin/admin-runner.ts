import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { z } from 'zod';
import type { AdminActor, AdminReply } from '@chatgate/contracts';
import type { Logger } from '@chatgate/service-kit';
import { AUTH_LOGGER } from '../auth.config.js';
import { AdminFailure } from './admin-failure.js';
import { AdminTenancy } from './admin-tenancy.js';
import { adminFailureOf } from './domain-failures.js';

/**
 * How every admin bus handler runs: parse, turn the actor into a tenant, do it, and answer
 * `{ok, result}` or `{ok: false, failure}`; never throws across the bus, never logs a payload.
 */
@Injectable()
export class AdminRunner {
  constructor(
    private readonly tenancy: AdminTenancy,
    @Inject(AUTH_LOGGER) private readonly logger: Logger,
  ) {}

  run<S extends z.ZodType<{ actor: AdminActor }>, T>(schema: S, payload: unknown, handle: (tenantId: string, request: z.infer<S>) => Promise<T>): Promise<AdminReply<T>> {
    return this.unscoped(schema, payload, async (request) => handle(await this.tenancy.tenantIdOf(request.actor), request));
  }

  /** For requests that are not about one tenant's objects (tenants themselves, key verification). */
  async unscoped<S extends z.ZodType, T>(schema: S, payload: unknown, handle: (request: z.infer<S>) => Promise<T>): Promise<AdminReply<T>> {
    const parsed = schema.safeParse(payload);
    if (!parsed.success) {
      // Only where the request was malformed: the issue messages could quote a pasted token.
      const issue = parsed.error.issues[0];
      const fields = [...new Set(parsed.error.issues.map((i) => i.path.join('.') || '(request)'))].join(', ');
      const param = issue?.path.filter((p) => p !== 'body' && p !== 'query').join('.') || null;
      return { ok: false, failure: AdminFailure.of(400, 'invalid_request', `Malformed admin request (${fields}).`, param).failure };
    }
    try {
      return { ok: true, result: await handle(parsed.data) };
    } catch (err) {
      if (err instanceof AdminFailure) return { ok: false, failure: err.failure };
      const refused = adminFailureOf(err);
      if (refused) return { ok: false, failure: refused.failure };
      const incident = randomUUID();
      this.logger.error({ incident, err: err instanceof Error ? err.message : String(err) }, 'admin request failed');
      return { ok: false, failure: AdminFailure.of(500, 'internal_error', `The admin request failed (incident ${incident}).`).failure };
    }
  }
}
