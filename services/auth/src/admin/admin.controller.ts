import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import type { z } from 'zod';
import {
  ADMIN_ACCOUNTS_CLEAR,
  ADMIN_ACCOUNTS_DELETE,
  ADMIN_ACCOUNTS_DISABLE,
  ADMIN_ACCOUNTS_ENABLE,
  ADMIN_ACCOUNTS_ENTER,
  ADMIN_ACCOUNTS_GET,
  ADMIN_ACCOUNTS_IMPORT,
  ADMIN_ACCOUNTS_LIST,
  ADMIN_ACCOUNTS_REFRESH,
  ADMIN_POOL_SUMMARY,
  ADMIN_REFRESH_PASSES,
  ADMIN_REFRESH_START,
  adminAccountListRequestSchema,
  adminAccountRequestSchema,
  adminEnterRequestSchema,
  adminImportRequestSchema,
  adminRefreshStartRequestSchema,
  adminTenantRequestSchema,
  type AdminActor,
  type AdminReply,
  type AdminEntered,
  type AuditAction,
} from '@chatgate/contracts';
import { AdminAccountsService } from './admin-accounts.service.js';
import { AdminRefreshService } from './admin-refresh.service.js';
import { AdminRunner } from './admin-runner.js';

/**
 * The admin API's bus side. The gateway has authenticated the admin; here the actor becomes a
 * tenant and the request is done. Every handler answers `{ok, result}` or `{ok: false, failure}`,
 * never throws across the bus, and never logs a payload (import lines are tokens).
 */
/** A change of one account: the account is the target. */
const onAccount = (action: AuditAction) => ({ action, describe: (req: { accountId: string }) => ({ target: req.accountId }) });

@Controller()
export class AdminController {
  constructor(
    private readonly admin: AdminAccountsService,
    private readonly refreshPasses: AdminRefreshService,
    private readonly runner: AdminRunner,
  ) {}

  @MessagePattern(ADMIN_ACCOUNTS_LIST)
  list(@Payload() payload: unknown) {
    return this.run(adminAccountListRequestSchema, payload, (tenantId, req) => this.admin.list(tenantId, req));
  }

  @MessagePattern(ADMIN_ACCOUNTS_GET)
  get(@Payload() payload: unknown) {
    return this.run(adminAccountRequestSchema, payload, (tenantId, req) => this.admin.get(tenantId, req.accountId));
  }

  @MessagePattern(ADMIN_ACCOUNTS_IMPORT)
  import(@Payload() payload: unknown) {
    return this.runner.change(
      {
        action: 'accounts.import',
        upstream: true,
        // Lines are tokens and API keys secrets: only their number, and the keys' public settings.
        describe: (req) => ({ details: { lines: req.lines.filter((l) => l.trim()).length, api_keys: (req.apiKeys ?? []).map((k) => ({ base_url: k.base_url, name: k.name ?? null, api_style: k.api_style })) } }),
      },
      adminImportRequestSchema,
      payload,
      (tenantId, req) => this.admin.import(tenantId, req.lines, req.apiKeys, req.kind),
    );
  }

  @MessagePattern(ADMIN_ACCOUNTS_ENTER)
  enter(@Payload() payload: unknown) {
    return this.runner.change({ action: 'accounts.enter', upstream: true, describe: () => ({}), targetOf: (r: AdminEntered) => r.accountId }, adminEnterRequestSchema, payload, (tenantId, req) => this.admin.enter(tenantId, req.token));
  }

  @MessagePattern(ADMIN_ACCOUNTS_DISABLE)
  disable(@Payload() payload: unknown) {
    return this.runner.change(onAccount('accounts.disable'), adminAccountRequestSchema, payload, (tenantId, req) => this.admin.disable(tenantId, req.accountId));
  }

  @MessagePattern(ADMIN_ACCOUNTS_ENABLE)
  enable(@Payload() payload: unknown) {
    return this.runner.change(onAccount('accounts.enable'), adminAccountRequestSchema, payload, (tenantId, req) => this.admin.enable(tenantId, req.accountId));
  }

  @MessagePattern(ADMIN_ACCOUNTS_DELETE)
  delete(@Payload() payload: unknown) {
    return this.runner.change(onAccount('accounts.delete'), adminAccountRequestSchema, payload, (tenantId, req) => this.admin.delete(tenantId, req.accountId));
  }

  @MessagePattern(ADMIN_ACCOUNTS_CLEAR)
  clear(@Payload() payload: unknown) {
    return this.runner.change({ action: 'accounts.clear', describe: () => ({}) }, adminTenantRequestSchema, payload, (tenantId) => this.admin.clear(tenantId));
  }

  @MessagePattern(ADMIN_ACCOUNTS_REFRESH)
  refresh(@Payload() payload: unknown) {
    return this.runner.change({ ...onAccount('accounts.refresh'), upstream: true }, adminAccountRequestSchema, payload, (tenantId, req) => this.admin.refresh(tenantId, req.accountId));
  }

  @MessagePattern(ADMIN_POOL_SUMMARY)
  summary(@Payload() payload: unknown) {
    return this.run(adminTenantRequestSchema, payload, (tenantId) => this.admin.summary(tenantId));
  }

  @MessagePattern(ADMIN_REFRESH_PASSES)
  passes(@Payload() payload: unknown) {
    return this.run(adminTenantRequestSchema, payload, (_tenantId, req) => this.refreshPasses.progress(req.actor));
  }

  @MessagePattern(ADMIN_REFRESH_START)
  startPass(@Payload() payload: unknown) {
    return this.runner.change(
      { action: 'refresh_passes.start', upstream: true, describe: (req) => ({ details: { forced: req.forced } }) },
      adminRefreshStartRequestSchema,
      payload,
      (_tenantId, req) => this.refreshPasses.start(req.actor, req.forced),
    );
  }

  /** Reads: nothing to audit. */
  private run<S extends z.ZodType<{ actor: AdminActor }>, T>(schema: S, payload: unknown, handle: (tenantId: string, request: z.infer<S>) => Promise<T>): Promise<AdminReply<T>> {
    return this.runner.run(schema, payload, handle);
  }
}
