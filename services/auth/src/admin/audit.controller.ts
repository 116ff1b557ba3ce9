import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { ADMIN_AUDIT_LIST, adminAuditListRequestSchema } from '@chatgate/contracts';
import { AuditLogService } from '../audit/audit-log.service.js';
import { AdminRunner } from './admin-runner.js';

/** The admin API's bus side for the audit log (read only). */
@Controller()
export class AuditController {
  constructor(
    private readonly runner: AdminRunner,
    private readonly audit: AuditLogService,
  ) {}

  @MessagePattern(ADMIN_AUDIT_LIST)
  list(@Payload() payload: unknown) {
    return this.runner.unscoped(adminAuditListRequestSchema, payload, (r) => this.audit.list(r.actor, r.query));
  }
}
