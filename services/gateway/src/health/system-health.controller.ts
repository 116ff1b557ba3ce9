import { Controller, Get, HttpStatus, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { ServiceReports } from '../shared/health/service-reports.js';

/**
 * `/health/services`, open to anyone (load balancers, status pages): up or not per service, 200 when
 * every one is up and 503 otherwise (the same body), so a check that reads only the status, as most
 * do, waits for the whole system and not only for the gateway. The reports themselves (hosts, pids,
 * dependency errors) are the operator's: `GET /admin/v1/health/services`.
 */
@Controller('health')
export class SystemHealthController {
  constructor(private readonly reports: ServiceReports) {}

  @Get('services')
  async services(@Res() reply: FastifyReply) {
    const summary = await this.reports.summary();
    await reply.status(summary.ok ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE).send(summary);
  }
}
