import { Inject, Injectable } from '@nestjs/common';
import type { NatsConnection } from '@nats-io/transport-node';
import { NATS_CONNECTION } from '../bus/nats-connection.module.js';

/** One dependency's liveness check. A service lists the indicators of what it uses. */
export interface HealthIndicator {
  readonly name: string;
  check(): Promise<void>;
}

@Injectable()
export class NatsHealthIndicator implements HealthIndicator {
  readonly name = 'nats';
  constructor(@Inject(NATS_CONNECTION) private readonly nc: NatsConnection) {}
  async check() {
    await this.nc.rtt();
  }
}
