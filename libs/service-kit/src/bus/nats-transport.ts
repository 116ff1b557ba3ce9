import { Transport, type NatsOptions } from '@nestjs/microservices';
import type { ServiceName } from '@chatgate/contracts';

/**
 * The NestJS NATS transport for control-plane request/reply. Every replica of a service joins
 * the queue group named after the service, so a subject is answered by exactly one of them.
 */
export function natsServerOptions(url: string, service: ServiceName): NatsOptions {
  return {
    transport: Transport.NATS,
    options: { servers: [url], queue: service, name: `chatgate-${service}-server` },
  };
}

export function natsClientOptions(url: string, service: ServiceName): NatsOptions['options'] {
  return { servers: [url], name: `chatgate-${service}-client` };
}
