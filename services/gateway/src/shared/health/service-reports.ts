import { Inject, Injectable } from '@nestjs/common';
import type { NatsConnection } from '@nats-io/transport-node';
import { healthPingSubject, SERVICE_NAMES, type SystemHealth, type SystemHealthSummary } from '@chatgate/contracts';
import { NATS_CONNECTION } from '@chatgate/service-kit';

/**
 * The whole system as the gateway sees it over the bus: each service's own report, or why it did
 * not answer. A Nest packet is `{pattern, data, id}` in and `{response, isDisposed}` out. The full
 * reports name hosts, processes and dependency errors: only the operator sees them (admin); anyone
 * sees the summary.
 */
@Injectable()
export class ServiceReports {
  constructor(@Inject(NATS_CONNECTION) private readonly nc: NatsConnection) {}

  async collect(): Promise<SystemHealth> {
    const services = await Promise.all(
      SERVICE_NAMES.map(async (service) => {
        const subject = healthPingSubject(service);
        try {
          const msg = await this.nc.request(subject, JSON.stringify({ pattern: subject, data: {}, id: service }), { timeout: 1000 });
          return { service, reachable: true, report: (msg.json() as { response: SystemHealth['services'][number]['report'] }).response };
        } catch (err) {
          return { service, reachable: false, error: err instanceof Error ? err.message : String(err) };
        }
      }),
    );
    return { ok: services.every(isUp), services };
  }

  async summary(): Promise<SystemHealthSummary> {
    const { ok, services } = await this.collect();
    return { ok, services: services.map((s) => ({ service: s.service, ok: isUp(s) })) };
  }
}

function isUp(report: SystemHealth['services'][number]): boolean {
  return report.reachable && report.report?.ok === true;
}
