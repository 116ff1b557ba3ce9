import { Inject, Injectable } from '@nestjs/common';
import type { NatsConnection } from '@nats-io/transport-node';
import { NATS_CONNECTION } from '../bus/nats-connection.module.js';
import { BusLinks, describeDown } from '../bus/bus-links.js';

/** One dependency's liveness check. A service lists the indicators of what it uses. */
export interface HealthIndicator {
  readonly name: string;
  check(): Promise<void>;
}

/**
 * The bus: every NATS connection of the service up (the raw one may be back while a transport
 * connection is not, and either alone breaks the service), then a round trip on the raw one.
 */
@Injectable()
export class NatsHealthIndicator implements HealthIndicator {
  readonly name = 'nats';
  constructor(
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    private readonly links: BusLinks,
  ) {}
  async check() {
    const down = this.links.down();
    if (down.length) throw new Error(describeDown(down));
    await this.nc.rtt();
  }
}
