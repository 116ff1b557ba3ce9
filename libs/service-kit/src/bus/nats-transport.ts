import { Module, type DynamicModule } from '@nestjs/common';
import { ClientNats, Transport, type NatsOptions, type ReadPacket, type WritePacket } from '@nestjs/microservices';
import type { MsgHdrs, NatsConnection } from '@nats-io/transport-node';
import { ServiceMetrics, subjectLabel } from '../observability/metrics.js';
import { busFailure, outgoingHeaders } from '../observability/bus.js';
import { endSpan, SpanKind, startSpan, type Span } from '../observability/tracing.js';
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
 * The NestJS NATS client, observed like the raw connection: every request timed by subject
 * (`chatgate_bus_request_duration_seconds`, until its last answer or its failure), the current request's
 * `x-request-id` and trace context in the message's headers, a client span when tracing.
 */
export class ObservedClientNats extends ClientNats {
  private span: Span | undefined;

  constructor(
    options: NonNullable<NatsOptions['options']>,
    private readonly observer?: { metrics: ServiceMetrics; service: string },
  ) {
    super(options);
  }

  protected override publish(partialPacket: ReadPacket, callback: (packet: WritePacket) => unknown): () => void {
    const observer = this.observer;
    if (!observer) return super.publish(partialPacket, callback);
    const label = subjectLabel(typeof partialPacket.pattern === 'string' ? partialPacket.pattern : JSON.stringify(partialPacket.pattern));
    const span = startSpan(observer.service, `${label} request`, SpanKind.CLIENT, { 'messaging.system': 'nats', 'messaging.destination.name': label });
    const started = performance.now();
    let done = false;
    const finish = (outcome: string) => {
      if (done) return;
      done = true;
      observer.metrics.busRequests.observe({ subject: label, outcome }, (performance.now() - started) / 1000);
      endSpan(span, outcome === 'ok' ? undefined : outcome);
    };
    // mergeHeaders runs inside super.publish, synchronously: it reads the span from here.
    this.span = span;
    let teardown: () => void;
    try {
      teardown = super.publish(partialPacket, (packet) => {
        if (packet.err) finish(busFailure(packet.err));
        else if (packet.isDisposed) finish('ok');
        return callback(packet);
      });
    } finally {
      this.span = undefined;
    }
    return () => {
      // Given up before the last answer (a timeout operator at the caller, an unsubscribe).
      finish('abandoned');
      teardown();
    };
  }

  protected override mergeHeaders<THeaders = unknown>(requestHeaders?: THeaders): unknown {
    const merged = super.mergeHeaders(requestHeaders) as MsgHdrs | undefined;
    return outgoingHeaders(merged, this.span);
  }
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
      useFactory: async (links: BusLinks, metrics?: ServiceMetrics) => {
        const link = links.link(transportClientLink(name));
        const client = new ObservedClientNats(natsClientOptions(config, service, link), metrics ? { metrics, service } : undefined);
        // Nest calls a provider's own shutdown hook: the client closes with the application.
        Object.assign(client, { onApplicationShutdown: () => client.close() });
        await client.connect();
        link.watch(client.unwrap<NatsConnection>());
        return client;
      },
      inject: [BusLinks, { token: ServiceMetrics, optional: true }],
    }));
    return { module: NatsClientsModule, providers, exports: clients.map((c) => c.token) };
  }
}
