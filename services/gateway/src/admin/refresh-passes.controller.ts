import { Body, Controller, Get, Post, Res, UseGuards } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { ADMIN_REFRESH_PASSES, ADMIN_REFRESH_START, adminRefreshPassesReplySchema, adminRefreshStartReplySchema, startRefreshPassBodySchema, type AdminActor } from '@chatgate/contracts';
import { Actor } from './admin-actor.js';
import { AdminBusClient } from './admin-bus.client.js';
import { AdminGuard } from './admin.guard.js';
import { parseInput } from './request-input.js';

/** Refresh passes: progress of the running one and the last one's result; start one by hand. */
@Controller('admin/v1/refresh/passes')
@UseGuards(AdminGuard)
export class RefreshPassesController {
  constructor(private readonly bus: AdminBusClient) {}

  @Get()
  progress(@Actor() actor: AdminActor) {
    return this.bus.call(ADMIN_REFRESH_PASSES, { actor }, adminRefreshPassesReplySchema);
  }

  /** 202 when a pass started (it runs on after the answer); 200 with `started: false` and the running pass otherwise. */
  @Post()
  async start(@Actor() actor: AdminActor, @Body() body: unknown, @Res({ passthrough: true }) reply: FastifyReply) {
    const { forced } = parseInput(startRefreshPassBodySchema, body);
    const result = await this.bus.call(ADMIN_REFRESH_START, { actor, forced }, adminRefreshStartReplySchema);
    void reply.status(result.started ? 202 : 200);
    return result;
  }
}
