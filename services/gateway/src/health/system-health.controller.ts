import { Controller, Get } from '@nestjs/common';
import { ServiceReports } from '../shared/health/service-reports.js';

/**
 * `/health/services`, open to anyone (load balancers, status pages): up or not per service. The
 * reports themselves (hosts, pids, dependency errors) are the operator's: `GET /admin/v1/health/services`.
 */
@Controller('health')
export class SystemHealthController {
  constructor(private readonly reports: ServiceReports) {}

  @Get('services')
  services() {
    return this.reports.summary();
  }
}
