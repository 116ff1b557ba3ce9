import { Body, Controller, Delete, Get, Param, Patch, Post, Query, UseGuards } from '@nestjs/common';
import {
  ADMIN_USERS_CREATE,
  ADMIN_USERS_DELETE,
  ADMIN_USERS_GET,
  ADMIN_USERS_LIST,
  ADMIN_USERS_UPDATE,
  adminUserDeletedReplySchema,
  adminUserListReplySchema,
  adminUserReplySchema,
  createUserBodySchema,
  updateUserBodySchema,
  userListQuerySchema,
  type AdminActor,
} from '@chatgate/contracts';
import { Actor } from './admin-actor.js';
import { AdminBusClient } from './admin-bus.client.js';
import { AdminGuard } from './admin.guard.js';
import { parseInput } from './request-input.js';

/** `/admin/v1/users`: the users of the actor's tenant. */
@Controller('admin/v1/users')
@UseGuards(AdminGuard)
export class UsersAdminController {
  constructor(private readonly bus: AdminBusClient) {}

  @Get()
  list(@Actor() actor: AdminActor, @Query() query: unknown) {
    return this.bus.call(ADMIN_USERS_LIST, { actor, query: parseInput(userListQuerySchema, query) }, adminUserListReplySchema);
  }

  @Post()
  create(@Actor() actor: AdminActor, @Body() body: unknown) {
    return this.bus.call(ADMIN_USERS_CREATE, { actor, body: parseInput(createUserBodySchema, body) }, adminUserReplySchema);
  }

  @Get(':id')
  get(@Actor() actor: AdminActor, @Param('id') userId: string) {
    return this.bus.call(ADMIN_USERS_GET, { actor, userId }, adminUserReplySchema);
  }

  @Patch(':id')
  update(@Actor() actor: AdminActor, @Param('id') userId: string, @Body() body: unknown) {
    return this.bus.call(ADMIN_USERS_UPDATE, { actor, userId, body: parseInput(updateUserBodySchema, body) }, adminUserReplySchema);
  }

  @Delete(':id')
  delete(@Actor() actor: AdminActor, @Param('id') userId: string) {
    return this.bus.call(ADMIN_USERS_DELETE, { actor, userId }, adminUserDeletedReplySchema);
  }
}
