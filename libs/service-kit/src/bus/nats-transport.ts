import { Module, type DynamicModule } from '@nestjs/common';
import { ClientNats, Transport, type NatsOptions } from '@nestjs/microservices';
import type { NatsConnection } from '@nats-io/transport-node';
import type { ServiceName } from '@chatgate/contracts';
import type { BusLink } from './bus-links.js';
import { BusLinks } from './bus-links.js';
import { natsConnectionOptions, type NatsTarget } from './nats-options.js';

/** The link names of the NestJS transport's connections in health reports. */
export const TRANSPORT_SERVER_LINK = 'transport-server';
export const transportClientLink = (client: string) => `transport-client:${client}`;

/**
 * The NestJS NATS transport for control-plane request/reply. Every replica of a service joins
 * the queue group named after the service, so a subject is answered by exactly one of them.
 * NestJS passes `options` to `connect()` as they are, so the link's reconnect policy applies:
 * without it the library gives up after 10 tries (about 20 s) and the service never answers again.
 */
export function natsServerOptions(config: NatsTarget, service: ServiceName, link: BusLink): NatsOptions {
  return {
    transport: Transport.NATS,
    options: { ...natsConnectionOptions(config, service), queue: service, name: `chatgate-${service}-server`, ...link.connectOptions() },
  };
}

export function natsClientOptions(config: NatsTarget, service: ServiceName, link: BusLink): NonNullable<NatsOptions['options']> {
  return { ...natsConnectionOptions(config, service), name: `chatgate-${service}-client`, ...link.connectOptions() };
}

/** One NestJS transport client a service calls others with: its injection token and a name for its link. */
export interface TransportClient {
  token: string | symbol;
  name: string;
}

/**
 * NestJS transport clients (ClientProxy) on the service's bus links: connected at start (the
 * dependency check has just reached NATS), watched for health, reconnecting for ever, closed on
 * shutdown. Use in place of ClientsModule.register for NATS clients.
 */
@Module({})
export class NatsClientsModule {
  static register(config: NatsTarget, service: ServiceName, clients: TransportClient[]): DynamicModule {
    const providers = clients.map(({ token, name }) => ({
      provide: token,
      useFactory: async (links: BusLinks) => {
        const link = links.link(transportClientLink(name));
        const client = new ClientNats(natsClientOptions(config, service, link));
        // Nest calls a provider's own shutdown hook: the client closes with the application.
        Object.assign(client, { onApplicationShutdown: () => client.close() });
        await client.connect();
        link.watch(client.unwrap<NatsConnection>());
        return client;
      },
      inject: [BusLinks],
    }));
    return { module: NatsClientsModule, providers, exports: clients.map((c) => c.token) };
  }
}
