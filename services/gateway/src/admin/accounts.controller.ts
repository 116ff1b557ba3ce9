import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query, UseGuards } from '@nestjs/common';
import {
  ADMIN_ACCOUNTS_DELETE,
  ADMIN_ACCOUNTS_DISABLE,
  ADMIN_ACCOUNTS_ENABLE,
  ADMIN_ACCOUNTS_GET,
  ADMIN_ACCOUNTS_IMPORT,
  ADMIN_ACCOUNTS_LIST,
  ADMIN_ACCOUNTS_REFRESH,
  accountListQuerySchema,
  adminAccountDeletedReplySchema,
  adminAccountListReplySchema,
  adminAccountReplySchema,
  adminImportReplySchema,
  type AdminActor,
} from '@chatgate/contracts';
import { Actor } from './admin-actor.js';
import { ADMIN_IMPORT_TIMEOUT_MS, ADMIN_UPSTREAM_CALL_TIMEOUT_MS, AdminBusClient } from './admin-bus.client.js';
import { AdminGuard } from './admin.guard.js';
import { importApiKeysOf, importKindOf, importLinesOf, parseInput } from './request-input.js';

/** chatgate's own admin API for upstream accounts; described by `GET /admin/v1/openapi.json` (ADMIN_API_ROUTES). */
@Controller('admin/v1/accounts')
@UseGuards(AdminGuard)
export class AccountsAdminController {
  constructor(private readonly bus: AdminBusClient) {}

  @Get()
  list(@Actor() actor: AdminActor, @Query() query: unknown) {
    const { status, kind, page, limit } = parseInput(accountListQuerySchema, query);
    return this.bus.call(ADMIN_ACCOUNTS_LIST, { actor, status, kind, page, limit }, adminAccountListReplySchema);
  }

  @Post('import')
  @HttpCode(200)
  import(@Actor() actor: AdminActor, @Body() body: unknown) {
    const apiKeys = importApiKeysOf(body);
    const kind = importKindOf(body);
    return this.bus.call(ADMIN_ACCOUNTS_IMPORT, { actor, lines: importLinesOf(body), ...(kind ? { kind } : {}), ...(apiKeys ? { apiKeys } : {}) }, adminImportReplySchema, ADMIN_IMPORT_TIMEOUT_MS);
  }

  @Get(':id')
  get(@Actor() actor: AdminActor, @Param('id') accountId: string) {
    return this.bus.call(ADMIN_ACCOUNTS_GET, { actor, accountId }, adminAccountReplySchema);
  }

  @Post(':id/disable')
  @HttpCode(200)
  disable(@Actor() actor: AdminActor, @Param('id') accountId: string) {
    return this.bus.call(ADMIN_ACCOUNTS_DISABLE, { actor, accountId }, adminAccountReplySchema);
  }

  @Post(':id/enable')
  @HttpCode(200)
  enable(@Actor() actor: AdminActor, @Param('id') accountId: string) {
    return this.bus.call(ADMIN_ACCOUNTS_ENABLE, { actor, accountId }, adminAccountReplySchema);
  }

  @Post(':id/refresh')
  @HttpCode(200)
  refresh(@Actor() actor: AdminActor, @Param('id') accountId: string) {
    return this.bus.call(ADMIN_ACCOUNTS_REFRESH, { actor, accountId }, adminAccountReplySchema, ADMIN_UPSTREAM_CALL_TIMEOUT_MS);
  }

  @Delete(':id')
  delete(@Actor() actor: AdminActor, @Param('id') accountId: string) {
    return this.bus.call(ADMIN_ACCOUNTS_DELETE, { actor, accountId }, adminAccountDeletedReplySchema);
  }
}
