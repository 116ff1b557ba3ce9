import { Global, Module, type DynamicModule, type OnApplicationShutdown, type BeforeApplicationShutdown, Inject, Injectable } from '@nestjs/common';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import type { BusConfig } from '@chatgate/config';
import type { Logger } from '../logging/logger.js';
import { BusLinks } from './bus-links.js';
import { reconnectPolicyOf } from './reconnect-policy.js';
import type { ServiceName } from '@chatgate/contracts';
import { natsConnectionOptions } from './nats-options.js';
import { ServiceMetrics } from '../observability/metrics.js';
import { observeConnection } from '../observability/bus.js';

export const NATS_CONNECTION = Symbol('NATS_CONNECTION');

/** The link name of the raw connection in health reports. */
export const DATA_LINK = 'data';

@Injectable()
class NatsConnectionCloser implements BeforeApplicationShutdown, OnApplicationShutdown {
  constructor(
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    private readonly links: BusLinks,
  ) {}
  beforeApplicationShutdown() {
    this.links.markClosing();
  }
  async onApplicationShutdown() {
    if (!this.nc.isClosed()) await this.nc.drain().catch(() => this.nc.close());
  }
}

/**
 * A raw NATS connection for the data plane (streams of many messages per request, fan-out events),
 * where NestJS's ClientProxy would add a millisecond per hop and cannot carry a stream with cancel;
 * and the service's BusLinks, which every NATS connection of the service (this one, the NestJS
 * transport's server and clients) is watched by, all with the same reconnect policy
 * (NATS_RECONNECT_WAIT_MS, NATS_RECONNECT_MAX_WAIT_MS): for ever, with back-off and jitter.
 */
@Global()
@Module({})
export class NatsConnectionModule {
  /** `service` gives the connection that service's inbox prefix (its private reply space). */
  static forRoot(config: BusConfig, name: string, logger: Logger, service?: ServiceName): DynamicModule {
    return {
      module: NatsConnectionModule,
      providers: [
        { provide: BusLinks, useValue: new BusLinks(reconnectPolicyOf(config), logger.child({ component: 'bus' })) },
        {
          provide: NATS_CONNECTION,
          useFactory: async (links: BusLinks, metrics?: ServiceMetrics) => {
            const link = links.link(DATA_LINK);
            const nc = await connect({ ...natsConnectionOptions(config, service), name, ...link.connectOptions() });
            link.watch(nc);
            // Round trips timed, request ids and trace context carried (observability/bus.ts).
            return metrics ? observeConnection(nc, metrics, metrics.service) : nc;
          },
          inject: [BusLinks, { token: ServiceMetrics, optional: true }],
        },
        NatsConnectionCloser,
      ],
      exports: [NATS_CONNECTION, BusLinks],
    };
  }
}
