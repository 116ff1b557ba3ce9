import { Controller, Get, Inject } from '@nestjs/common';
import type { NatsConnection } from '@nats-io/transport-node';
import { healthPingSubject, SERVICE_NAMES } from '@chatgate/contracts';
import { NATS_CONNECTION } from '@chatgate/service-kit';

/**
 * The whole system as the gateway sees it over the bus: each service's own report, or why it did
 * not answer. A Nest packet is `{pattern, data, id}` in and `{response, isDisposed}` out.
 */
@Controller('health')
export class SystemHealthController {
  constructor(@Inject(NATS_CONNECTION) private readonly nc: NatsConnection) {}

  @Get('services')
  async services() {
    const reports = await Promise.all(
      SERVICE_NAMES.map(async (service) => {
        const subject = healthPingSubject(service);
        try {
          const msg = await this.nc.request(subject, JSON.stringify({ pattern: subject, data: {}, id: service }), { timeout: 1000 });
          return { service, reachable: true, report: (msg.json() as { response: unknown }).response };
        } catch (err) {
          return { service, reachable: false, error: err instanceof Error ? err.message : String(err) };
        }
      }),
    );
    return { ok: reports.every((r) => r.reachable && (r.report as { ok?: boolean })?.ok), services: reports };
  }
}
