import type { OnApplicationShutdown } from '@nestjs/common';
import type { NatsConnection } from '@nats-io/transport-node';
import { jetstream, type JetStreamClient } from '@nats-io/jetstream';
import { usageStreamNames, type UsageEvent } from '@chatgate/contracts';
import type { Logger } from '../logging/index.js';
import { encodeJson } from './json-codec.js';
import { ensureUsageStream } from './usage-stream.js';
import { NATS_CONNECTION } from './nats-connection.module.js';
import { observerOf } from '../observability/bus.js';

/** Events kept while JetStream is unreachable; beyond this the oldest are dropped (and counted in the log). */
const MAX_PENDING = 50_000;
const PUBLISH_TIMEOUT_MS = 2000;
const RETRY_MIN_MS = 250;
const RETRY_MAX_MS = 5000;

/**
 * Publishes each job's usage event to JetStream with the request id as message id, so a retried
 * publish is stored once. A chat never waits for it or fails because of it: when JetStream does
 * not answer, events wait in a bounded buffer and are retried in the background, in order.
 * Every service that knows a request's outcome (the conversation workers, voice) publishes with it;
 * each provides it with `usagePublisherProvider`.
 */
export class UsagePublisher implements OnApplicationShutdown {
  private readonly js: JetStreamClient;
  private readonly subject: string;
  private readonly pending: UsageEvent[] = [];
  private readonly inflight = new Set<Promise<void>>();
  private retryTimer?: NodeJS.Timeout;
  private retryMs = RETRY_MIN_MS;
  private flushing = false;
  private dropped = 0;

  constructor(
    private readonly nc: NatsConnection,
    /** USAGE_STREAM_SUFFIX: a test stack's own stream; empty in production. */
    private readonly streamSuffix: string,
    private readonly logger: Logger,
  ) {
    this.js = jetstream(nc);
    this.subject = usageStreamNames(streamSuffix).subject;
  }

  publish(event: UsageEvent): void {
    // Already degraded: queue behind the others so events keep their order and no publish storms.
    if (this.pending.length) return this.defer(event);
    const sent = this.send(event).catch((err: unknown) => {
      this.logger.warn({ err: err instanceof Error ? err.message : String(err), requestId: event.requestId }, 'usage event not published; retrying in the background');
      this.defer(event);
    });
    this.inflight.add(sent);
    void sent.finally(() => this.inflight.delete(sent));
  }

  /** Events waiting for JetStream (for health and tests). */
  backlog(): number {
    return this.pending.length;
  }

  async onApplicationShutdown() {
    clearTimeout(this.retryTimer);
    await Promise.all(this.inflight);
    if (this.pending.length) await this.flush();
    if (this.pending.length) this.logger.error({ lost: this.pending.length }, 'usage events not published before shutdown');
  }

  private count(result: 'ok' | 'deferred' | 'dropped'): void {
    observerOf(this.nc)?.metrics.usagePublished.inc({ result });
  }

  private async send(event: UsageEvent): Promise<void> {
    await this.sendOnce(event);
    this.count('ok');
  }

  private async sendOnce(event: UsageEvent): Promise<void> {
    const data = encodeJson(event);
    try {
      await this.js.publish(this.subject, data, { msgID: event.requestId, timeout: PUBLISH_TIMEOUT_MS });
    } catch {
      // Most likely no stream yet (the usage service has never started): create it, then once more.
      await ensureUsageStream(this.nc, this.streamSuffix);
      await this.js.publish(this.subject, data, { msgID: event.requestId, timeout: PUBLISH_TIMEOUT_MS });
    }
  }

  private defer(event: UsageEvent): void {
    this.count('deferred');
    if (this.pending.length >= MAX_PENDING) {
      this.pending.shift();
      this.count('dropped');
      if (++this.dropped % 1000 === 1) this.logger.error({ dropped: this.dropped }, 'usage buffer full: dropping the oldest events');
    }
    this.pending.push(event);
    this.schedule();
  }

  private schedule(): void {
    if (this.retryTimer || this.flushing) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      void this.flush();
    }, this.retryMs);
    this.retryTimer.unref();
  }

  private async flush(): Promise<void> {
    if (this.flushing) return;
    this.flushing = true;
    const before = this.pending.length;
    try {
      while (this.pending.length) {
        await this.send(this.pending[0]);
        this.pending.shift();
      }
      this.retryMs = RETRY_MIN_MS;
      this.logger.info({ published: before }, 'usage events published after JetStream came back');
    } catch {
      this.retryMs = Math.min(this.retryMs * 2, RETRY_MAX_MS);
    } finally {
      this.flushing = false;
      if (this.pending.length) this.schedule();
    }
  }
}

/**
 * The Nest provider of a service's UsagePublisher, from its config (USAGE_STREAM_SUFFIX) and
 * logger tokens; Nest calls its shutdown hook like any provider's.
 */
export function usagePublisherProvider(configToken: string | symbol, loggerToken: string | symbol) {
  return {
    provide: UsagePublisher,
    useFactory: (nc: NatsConnection, config: { USAGE_STREAM_SUFFIX: string }, logger: Logger) => new UsagePublisher(nc, config.USAGE_STREAM_SUFFIX, logger),
    inject: [NATS_CONNECTION, configToken, loggerToken],
  };
}
