import { Controller, Get, HttpStatus, Module, Res, type DynamicModule, type Type } from '@nestjs/common';
import { MessagePattern } from '@nestjs/microservices';
import type { FastifyReply } from 'fastify';
import { healthPingSubject, type HealthReply, type ServiceName } from '@chatgate/contracts';
import type { HealthIndicator } from './health-indicator.js';
import { HealthService } from './health.service.js';

/** The health routes, for services that serve them under a global prefix (they stay at the root). */
export const HEALTH_ROUTES = ['health', 'health/live', 'health/ready'] as const;

/**
 * Probes over HTTP and a ping subject on the bus (for the gateway's view of the whole system):
 * - GET /health/live: the process answers (liveness; never asks a dependency),
 * - GET /health/ready: every dependency answers and the service is not stopping (readiness),
 * - GET /health: the dependency report as before (also the bus ping's answer).
 */
@Module({})
export class HealthModule {
  static forRoot(service: ServiceName, indicators: Type<HealthIndicator>[]): DynamicModule {
    @Controller()
    class HealthController {
      constructor(private readonly health: HealthService) {}

      @Get('health')
      async http(@Res() reply: FastifyReply) {
        const report = await this.health.report();
        await reply.status(report.ok ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE).send(report);
      }

      @Get('health/live')
      live() {
        return this.health.live();
      }

      @Get('health/ready')
      async ready(@Res() reply: FastifyReply) {
        const report = await this.health.ready();
        await reply.status(report.ok ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE).send(report);
      }

      @MessagePattern(healthPingSubject(service))
      ping(): Promise<HealthReply> {
        return this.health.report();
      }
    }

    return {
      module: HealthModule,
      controllers: [HealthController],
      providers: [
        ...indicators,
        {
          provide: HealthService,
          useFactory: (...resolved: HealthIndicator[]) => new HealthService(service, resolved),
          inject: indicators,
        },
      ],
      exports: [HealthService],
    };
  }
}
