import { Controller, Get, UseGuards } from '@nestjs/common';
import { credentialFailure, type AdminActor } from '@chatgate/contracts';
import { ApiError } from '../shared/errors/api-error.js';
import { ServiceReports } from '../shared/health/service-reports.js';
import { Actor } from './admin-actor.js';
import { AdminGuard } from './admin.guard.js';

/** Every service's own health report (hosts, pids, dependency round trips and errors): the operator's view. */
@Controller('admin/v1/health/services')
@UseGuards(AdminGuard)
export class SystemHealthAdminController {
  constructor(private readonly reports: ServiceReports) {}

  @Get()
  services(@Actor() actor: AdminActor) {
    if (actor.kind !== 'operator') throw ApiError.fromBus(credentialFailure('operator_only', 'The system health details cover every tenant; only the operator (ADMIN_PASSWORD) may see them.'));
    return this.reports.collect();
  }
}
