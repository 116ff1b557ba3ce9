import { Body, Controller, Delete, Get, Param, Patch, Post, Query, UseGuards } from '@nestjs/common';
import {
  ADMIN_TENANTS_CREATE,
  ADMIN_TENANTS_DELETE,
  ADMIN_TENANTS_GET,
  ADMIN_TENANTS_LIST,
  ADMIN_TENANTS_RENAME,
  adminTenantDeletedReplySchema,
  adminTenantListReplySchema,
  adminTenantReplySchema,
  createTenantBodySchema,
  deleteTenantQuerySchema,
  renameTenantBodySchema,
  tenantListQuerySchema,
  type AdminActor,
} from '@chatgate/contracts';
import { Actor } from './admin-actor.js';
import { AdminBusClient } from './admin-bus.client.js';
import { AdminGuard } from './admin.guard.js';
import { parseInput } from './request-input.js';

/** `/admin/v1/tenants`: all of them for the operator, its own for a tenant admin. */
@Controller('admin/v1/tenants')
@UseGuards(AdminGuard)
export class TenantsAdminController {
  constructor(private readonly bus: AdminBusClient) {}

  @Get()
  list(@Actor() actor: AdminActor, @Query() query: unknown) {
    return this.bus.call(ADMIN_TENANTS_LIST, { actor, query: parseInput(tenantListQuerySchema, query) }, adminTenantListReplySchema);
  }

  @Post()
  create(@Actor() actor: AdminActor, @Body() body: unknown) {
    return this.bus.call(ADMIN_TENANTS_CREATE, { actor, body: parseInput(createTenantBodySchema, body) }, adminTenantReplySchema);
  }

  @Get(':id')
  get(@Actor() actor: AdminActor, @Param('id') tenantId: string) {
    return this.bus.call(ADMIN_TENANTS_GET, { actor, tenantId }, adminTenantReplySchema);
  }

  @Patch(':id')
  rename(@Actor() actor: AdminActor, @Param('id') tenantId: string, @Body() body: unknown) {
    return this.bus.call(ADMIN_TENANTS_RENAME, { actor, tenantId, body: parseInput(renameTenantBodySchema, body) }, adminTenantReplySchema);
  }

  @Delete(':id')
  delete(@Actor() actor: AdminActor, @Param('id') tenantId: string, @Query() query: unknown) {
    const { cascade } = parseInput(deleteTenantQuerySchema, query);
    return this.bus.call(ADMIN_TENANTS_DELETE, { actor, tenantId, cascade: cascade === 'true' }, adminTenantDeletedReplySchema);
  }
}
