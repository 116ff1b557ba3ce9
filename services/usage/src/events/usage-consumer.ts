import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { NatsConnection } from '@nats-io/transport-node';
import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager, type ConsumerMessages, type JsMsg } from '@nats-io/jetstream';
import { usageEventSchema, usageStreamNames, type UsageEvent } from '@chatgate/contracts';
import { decodeJson, ensureUsageStream, NATS_CONNECTION, type Logger } from '@chatgate/service-kit';
import { SpendSettler } from '../billing/spend-settler.js';
import { LimitWindow } from '../limits/limit-window.js';
import { USAGE_CONFIG, USAGE_LOGGER, type UsageConfig } from '../usage.config.js';
import { UsageStore } from './usage-store.js';

/** Events stored per transaction at most; under load a batch fills at once, when idle it waits FLUSH_MS. */
const BATCH_MAX = 1000;
const FLUSH_MS = 5;
const ACK_WAIT_MS = 30_000;
const RETRY_DELAY_MS = 1000;

/**
 * The durable pull consumer: events are stored idempotently with their rollups in one transaction,
 * and acknowledged only after it commits, so a crash anywhere before that redelivers them. A
 * stopped service loses nothing: the stream keeps the events and the consumer's position.
 */
@Injectable()
export class UsageConsumer implements OnApplicationBootstrap, OnApplicationShutdown {
  private messages?: ConsumerMessages;
  private loop?: Promise<void>;
  private batch: JsMsg[] = [];
  private timer?: NodeJS.Timeout;
  private chain: Promise<void> = Promise.resolve();
  private stored = 0;

  constructor(
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(USAGE_CONFIG) private readonly config: UsageConfig,
    @Inject(USAGE_LOGGER) private readonly logger: Logger,
    private readonly store: UsageStore,
    private readonly limits: LimitWindow,
    private readonly spend: SpendSettler,
  ) {}

  async onApplicationBootstrap() {
    const { stream, subject, consumer } = usageStreamNames(this.config.USAGE_STREAM_SUFFIX);
    await ensureUsageStream(this.nc, this.config.USAGE_STREAM_SUFFIX);
    const jsm = await jetstreamManager(this.nc);
    const settings = { durable_name: consumer, ack_policy: AckPolicy.Explicit, deliver_policy: DeliverPolicy.All, filter_subject: subject, ack_wait: ACK_WAIT_MS * 1_000_000, max_ack_pending: 20_000 };
    try {
      await jsm.consumers.info(stream, consumer);
      await jsm.consumers.update(stream, consumer, { ack_wait: settings.ack_wait, max_ack_pending: settings.max_ack_pending });
    } catch {
      await jsm.consumers.add(stream, settings);
    }
    const pull = await jetstream(this.nc).consumers.get(stream, consumer);
    this.messages = await pull.consume({ max_messages: 2 * BATCH_MAX });
    this.loop = this.run(this.messages);
  }

  async onApplicationShutdown() {
    // Stop pulling, store what arrived, then let NATS close: unacked messages are redelivered later anyway.
    await this.messages?.close();
    await this.loop;
    clearTimeout(this.timer);
    this.flush();
    await this.chain;
  }

  /** Events stored since start (new ones only). */
  storedCount(): number {
    return this.stored;
  }

  private async run(messages: ConsumerMessages): Promise<void> {
    for await (const msg of messages) {
      this.batch.push(msg);
      if (this.batch.length >= BATCH_MAX) {
        this.flush();
        // Back-pressure: never more than one batch waiting on Postgres.
        await this.chain;
      } else if (!this.timer) {
        this.timer = setTimeout(() => this.flush(), FLUSH_MS);
      }
    }
  }

  private flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.batch.length) return;
    const msgs = this.batch;
    this.batch = [];
    this.chain = this.chain.then(() => this.persist(msgs));
  }

  private async persist(msgs: JsMsg[]): Promise<void> {
    const events: UsageEvent[] = [];
    const good: JsMsg[] = [];
    for (const msg of msgs) {
      try {
        events.push(decodeJson(usageEventSchema, msg.data));
        good.push(msg);
      } catch {
        // Never valid, never will be: drop it for good rather than redeliver it forever.
        this.logger.error({ seq: msg.seq }, 'malformed usage event terminated');
        msg.term();
      }
    }
    const priced = this.spend.price(events);
    try {
      this.stored += await this.store.store(priced);
    } catch (err) {
      this.logger.error({ err: err instanceof Error ? err.message : String(err), events: events.length }, 'usage batch not stored; redelivering');
      for (const msg of good) msg.nak(RETRY_DELAY_MS);
      return;
    }
    try {
      // After the commit: a redelivery stores nothing again, and settling is idempotent, so a nak here repeats only this.
      await this.spend.settle(priced);
    } catch (err) {
      this.logger.error({ err: err instanceof Error ? err.message : String(err), events: events.length }, 'budgets not settled; redelivering');
      for (const msg of good) msg.nak(RETRY_DELAY_MS);
      return;
    }
    await this.releaseFailedSlots(events);
    for (const msg of good) msg.ack();
  }

  /** A request that failed gives its limit slot back (idempotent; most failed requests held none). */
  private async releaseFailedSlots(events: UsageEvent[]): Promise<void> {
    const failed = events.filter((e) => e.outcome === 'error');
    if (!failed.length) return;
    await Promise.all(failed.map((e) => this.limits.release({ requestId: e.requestId, tenantId: e.tenantId, subject: e.userId ?? e.credentialId, model: e.model }))).catch((err: unknown) =>
      this.logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'limit slots of failed requests not released'),
    );
  }
}
