import { Global, Module, type DynamicModule, type OnApplicationShutdown, Inject, Injectable } from '@nestjs/common';
import { connect, type NatsConnection } from '@nats-io/transport-node';

export const NATS_CONNECTION = Symbol('NATS_CONNECTION');

@Injectable()
class NatsConnectionCloser implements OnApplicationShutdown {
  constructor(@Inject(NATS_CONNECTION) private readonly nc: NatsConnection) {}
  async onApplicationShutdown() {
    if (!this.nc.isClosed()) await this.nc.drain().catch(() => this.nc.close());
  }
}

/**
 * A raw NATS connection for the data plane (streams of many messages per request, fan-out events),
 * where NestJS's ClientProxy would add a millisecond per hop and cannot carry a stream with cancel.
 */
@Global()
@Module({})
export class NatsConnectionModule {
  static forRoot(url: string, name: string): DynamicModule {
    return {
      module: NatsConnectionModule,
      providers: [
        {
          provide: NATS_CONNECTION,
          useFactory: () => connect({ servers: url, name, maxReconnectAttempts: -1, reconnectTimeWait: 500 }),
        },
        NatsConnectionCloser,
      ],
      exports: [NATS_CONNECTION],
    };
  }
}
