import { Body, Controller, Get, HttpCode, Post, UseGuards } from '@nestjs/common';
import { ADMIN_ROUTES_GET, ADMIN_ROUTES_SET, adminReplySchema, modelRoutesViewSchema, setModelRoutesBodySchema, type AdminActor } from '@chatgate/contracts';
import { Actor } from './admin-actor.js';
import { AdminBusClient } from './admin-bus.client.js';
import { AdminGuard } from './admin.guard.js';
import { parseInput } from './request-input.js';

const routesReplySchema = adminReplySchema(modelRoutesViewSchema);

/** The tenant's model routing table: which models go to API-key accounts, which to ChatGPT logins. */
@Controller('admin/v1/routes')
@UseGuards(AdminGuard)
export class ModelRoutesAdminController {
  constructor(private readonly bus: AdminBusClient) {}

  @Get()
  get(@Actor() actor: AdminActor) {
    return this.bus.call(ADMIN_ROUTES_GET, { actor }, routesReplySchema);
  }

  /** Replaces the whole table (`routes: null` goes back to the default); gateways re-resolve the tenant's credentials. */
  @Post()
  @HttpCode(200)
  set(@Actor() actor: AdminActor, @Body() body: unknown) {
    const { routes } = parseInput(setModelRoutesBodySchema, body);
    return this.bus.call(ADMIN_ROUTES_SET, { actor, routes }, routesReplySchema);
  }
}
