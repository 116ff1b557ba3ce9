import { Controller, Get, Query, UseGuards } from '@nestjs/common';
import { ADMIN_AUDIT_LIST, adminAuditListReplySchema, auditListQuerySchema, type AdminActor } from '@chatgate/contracts';
import { Actor } from './admin-actor.js';
import { AdminBusClient } from './admin-bus.client.js';
import { AdminGuard } from './admin.guard.js';
import { parseInput } from './request-input.js';

/** `GET /admin/v1/audit`: every admin change (who, what, when, from where), newest first; a tenant admin sees its tenant's. */
@Controller('admin/v1/audit')
@UseGuards(AdminGuard)
export class AuditAdminController {
  constructor(private readonly bus: AdminBusClient) {}

  @Get()
  list(@Actor() actor: AdminActor, @Query() query: unknown) {
    return this.bus.call(ADMIN_AUDIT_LIST, { actor, query: parseInput(auditListQuerySchema, query) }, adminAuditListReplySchema);
  }
}
