import { Controller, Get, HttpStatus, Module, Res, type DynamicModule, type Type } from '@nestjs/common';
import { MessagePattern } from '@nestjs/microservices';
import type { FastifyReply } from 'fastify';
import { healthPingSubject, type HealthReply, type ServiceName } from '@chatgate/contracts';
import type { HealthIndicator } from './health-indicator.js';
import { HealthService } from './health.service.js';

/**
 * GET /health over HTTP (for probes) and a ping subject on the bus (for the gateway's view of the
 * whole system). Both give the same report: each dependency with its round trip or its error.
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
