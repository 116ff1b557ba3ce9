import { Body, Controller, Get, HttpCode, Param, Patch, Post, Query, UseGuards } from '@nestjs/common';
import {
  ADMIN_KEYS_CREATE,
  ADMIN_KEYS_LIST,
  ADMIN_KEYS_REVOKE,
  ADMIN_KEYS_UPDATE,
  adminKeyCreatedReplySchema,
  adminKeyListReplySchema,
  adminKeyReplySchema,
  createKeyBodySchema,
  keyListQuerySchema,
  updateKeyBodySchema,
  type AdminActor,
} from '@chatgate/contracts';
import { Actor } from './admin-actor.js';
import { AdminBusClient } from './admin-bus.client.js';
import { AdminGuard } from './admin.guard.js';
import { parseInput } from './request-input.js';

/** `/admin/v1/keys`: users' gateway keys and tenant admin keys; a key is answered whole only at creation. */
@Controller('admin/v1/keys')
@UseGuards(AdminGuard)
export class KeysAdminController {
  constructor(private readonly bus: AdminBusClient) {}

  @Get()
  list(@Actor() actor: AdminActor, @Query() query: unknown) {
    return this.bus.call(ADMIN_KEYS_LIST, { actor, query: parseInput(keyListQuerySchema, query) }, adminKeyListReplySchema);
  }

  @Post()
  create(@Actor() actor: AdminActor, @Body() body: unknown) {
    return this.bus.call(ADMIN_KEYS_CREATE, { actor, body: parseInput(createKeyBodySchema, body) }, adminKeyCreatedReplySchema);
  }

  @Patch(':id')
  update(@Actor() actor: AdminActor, @Param('id') keyId: string, @Body() body: unknown) {
    return this.bus.call(ADMIN_KEYS_UPDATE, { actor, keyId, body: parseInput(updateKeyBodySchema, body) }, adminKeyReplySchema);
  }

  @Post(':id/revoke')
  @HttpCode(200)
  revoke(@Actor() actor: AdminActor, @Param('id') keyId: string) {
    return this.bus.call(ADMIN_KEYS_REVOKE, { actor, keyId }, adminKeyReplySchema);
  }
}
