import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { maxDeliveriesAdvisorySchema, maxDeliveriesAdvisorySubject, USAGE_QUEUE_GROUP, usageStreamNames } from '@chatgate/contracts';
import { decodeJson, NATS_CONNECTION, type Logger } from '@chatgate/service-kit';
import { USAGE_CONFIG, USAGE_LOGGER, type UsageConfig } from '../usage.config.js';
import { UsageConsumer } from './usage-consumer.js';

/**
 * When JetStream has delivered a usage event USAGE_MAX_DELIVER times without an ack (the service
 * kept restarting or dying while it held it), it stops delivering it and says so in an advisory.
 * The event is still in the stream: read by its sequence, it goes through the consumer's steps
 * once more, so it ends stored or in the dead letter table, not forgotten. (The advisory is a
 * plain NATS message: if no usage replica hears it, the event stays in the stream until its max
 * age, and this log line's absence is the tell.)
 */
@Injectable()
export class ExhaustedDeliveries implements OnApplicationBootstrap, OnModuleDestroy {
  private subscription?: Subscription;

  constructor(
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(USAGE_CONFIG) private readonly config: UsageConfig,
    @Inject(USAGE_LOGGER) private readonly logger: Logger,
    private readonly consumer: UsageConsumer,
  ) {}

  onApplicationBootstrap() {
    const { stream, consumer } = usageStreamNames(this.config.USAGE_STREAM_SUFFIX);
    this.subscription = this.nc.subscribe(maxDeliveriesAdvisorySubject(stream, consumer), {
      queue: USAGE_QUEUE_GROUP,
      callback: (err, msg) => {
        if (!err) void this.adopt(msg.data);
      },
    });
  }

  onModuleDestroy() {
    this.subscription?.unsubscribe();
  }

  private async adopt(data: Uint8Array): Promise<void> {
    try {
      const advisory = decodeJson(maxDeliveriesAdvisorySchema, data);
      this.logger.error({ seq: advisory.stream_seq, deliveries: advisory.deliveries }, 'usage event delivered too often without being stored; storing it from the stream');
      const jsm = await jetstreamManager(this.nc);
      const stored = await jsm.streams.getMessage(advisory.stream, { seq: advisory.stream_seq });
      if (!stored) return this.logger.error({ seq: advisory.stream_seq }, 'usage event no longer in the stream');
      this.consumer.adopt({ data: stored.data, seq: stored.seq, ack: () => undefined });
    } catch (err) {
      this.logger.error({ err: err instanceof Error ? err.message : String(err) }, 'max-deliveries advisory not handled');
    }
  }
}
