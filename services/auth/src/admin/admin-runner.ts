import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { z } from 'zod';
import type { AdminActor, AdminReply, AuditAction } from '@chatgate/contracts';
import type { Logger } from '@chatgate/service-kit';
import { AUTH_LOGGER } from '../auth.config.js';
import { AuditTrail } from '../audit/audit-trail.js';
import { AdminFailure } from './admin-failure.js';
import { AdminTenancy } from './admin-tenancy.js';
import { adminFailureOf } from './domain-failures.js';

/**
 * How an admin change is written in the audit log: its action; what it is about and what was asked,
 * read off the parsed request (`details` must never hold a secret: build it from named fields); the
 * target read off the result when the request does not name it. `upstream`: the change talks to the
 * upstream (entering tokens), so it cannot run in one transaction; its row goes with its first commit.
 */
export interface AuditSpec<R, T> {
  action: AuditAction;
  describe: (request: R) => { target?: string | null; details?: Record<string, unknown> };
  targetOf?: (result: T) => string | null;
  upstream?: boolean;
  /** A change to a tenant itself: the tenant is the target. */
  ofTenant?: boolean;
}

/**
 * How every admin bus handler runs: parse, turn the actor into a tenant, do it, and answer
 * `{ok, result}` or `{ok: false, failure}`; never throws across the bus, never logs a payload.
 * A change (`change`, `changeUnscoped`) also leaves its audit row, in its own transaction.
 */
@Injectable()
export class AdminRunner {
  constructor(
    private readonly tenancy: AdminTenancy,
    private readonly audit: AuditTrail,
    @Inject(AUTH_LOGGER) private readonly logger: Logger,
  ) {}

  /** An admin change of the actor's tenant: `run`, recorded in the audit log. */
  change<S extends z.ZodType<{ actor: AdminActor }>, T>(spec: AuditSpec<z.infer<S>, T>, schema: S, payload: unknown, handle: (tenantId: string, request: z.infer<S>) => Promise<T>): Promise<AdminReply<T>> {
    return this.run(schema, payload, (tenantId, request) => this.recorded(spec, tenantId, request, () => handle(tenantId, request)));
  }

  /** An admin change of tenants themselves: `unscoped`, recorded in the audit log. */
  changeUnscoped<S extends z.ZodType<{ actor: AdminActor; tenantId?: string }>, T>(spec: AuditSpec<z.infer<S>, T>, schema: S, payload: unknown, handle: (request: z.infer<S>) => Promise<T>): Promise<AdminReply<T>> {
    return this.unscoped(schema, payload, (request) => this.recorded(spec, request.tenantId ?? null, request, () => handle(request)));
  }

  private recorded<R extends { actor: AdminActor }, T>(spec: AuditSpec<R, T>, tenantId: string | null, request: R, change: () => Promise<T>): Promise<T> {
    const { target = null, details = {} } = spec.describe(request);
    const targetOf = spec.targetOf as ((result: unknown) => string | null) | undefined;
    return this.audit.record(
      {
        tenantId,
        actor: request.actor,
        action: spec.action,
        target,
        details,
        targetOf,
        tenantOf: spec.ofTenant ? targetOf : undefined,
      },
      change,
      !spec.upstream,
    );
  }

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
