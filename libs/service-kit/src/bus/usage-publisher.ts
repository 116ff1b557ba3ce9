import type { OnApplicationShutdown } from '@nestjs/common';
import type { NatsConnection } from '@nats-io/transport-node';
import { jetstream, type JetStreamClient } from '@nats-io/jetstream';
import { USAGE_BATCH_MAX, usageStreamNames, type UsageEvent } from '@chatgate/contracts';
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
/** How long an event waits for others to go out with (see UsagePublisher). */
export const USAGE_LINGER_MS = 20;

/**
 * Publishes each job's usage event to JetStream. A chat never waits for it or fails because of it:
 * when JetStream does not answer, events wait in a bounded buffer and are retried in the background,
 * in order. Every service that knows a request's outcome (the conversation workers, voice, the
 * gateway for a lost worker) publishes with it; each provides it with `usagePublisherProvider`.
 *
 * Batched: an event waits at most USAGE_LINGER_MS for others and goes out with them as one message
 * (`{events}`, at most USAGE_BATCH_MAX; a full batch goes at once), and while a message waits for
 * JetStream's acknowledgement the events made meanwhile gather behind it. Each message costs JetStream,
 * the bus and the usage service about as much CPU as the gateway spends on a request, and on a host
 * the services share that CPU is taken from the requests: one message per request cost the API-key
 * path 40% of its throughput and a millisecond of latency at c=1 (BENCHMARKS.md, notes). The usage
 * service holds what it receives up to 50 ms before storing it anyway, so the wait moves nothing a
 * reader sees by much. A single event keeps its request id as message id, so a retried publish is
 * stored once; a batch's events are deduplicated by the usage service's store.
 */
export class UsagePublisher implements OnApplicationShutdown {
  private readonly js: JetStreamClient;
  private readonly subject: string;
  private readonly pending: UsageEvent[] = [];
  /** Made and not yet sent: they go out with the next message. */
  private readonly queued: UsageEvent[] = [];
  private readonly inflight = new Set<Promise<void>>();
  private sending = false;
  /** The linger of the oldest queued event. */
  private lingering?: NodeJS.Timeout;
  /** Shutting down: what is queued goes at once. */
  private closing = false;
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
    this.queued.push(event);
    if (this.queued.length >= USAGE_BATCH_MAX || this.closing) this.sendQueued();
    else this.lingering ??= setTimeout(() => this.sendQueued(), USAGE_LINGER_MS);
  }

  /** Events waiting for JetStream (for health and tests). */
  backlog(): number {
    return this.pending.length;
  }

  async onApplicationShutdown() {
    clearTimeout(this.retryTimer);
    this.closing = true;
    this.sendQueued();
    // Each acknowledged message sends what gathered behind it: wait until nothing is left in flight.
    while (this.inflight.size) await Promise.all(this.inflight);
    if (this.pending.length) await this.flush();
    if (this.pending.length) this.logger.error({ lost: this.pending.length }, 'usage events not published before shutdown');
  }

  private count(result: 'ok' | 'deferred' | 'dropped', events = 1): void {
    observerOf(this.nc)?.metrics.usagePublished.inc({ result }, events);
  }

  /** Sends what is queued as one message (unless one is in flight: then when it is acknowledged). */
  private sendQueued(): void {
    clearTimeout(this.lingering);
    this.lingering = undefined;
    if (this.sending) return;
    const events = this.queued.splice(0, USAGE_BATCH_MAX);
    if (!events.length) return;
    this.sending = true;
    const sent = (async () => {
      try {
        await this.sendOnce(events);
        this.count('ok', events.length);
      } catch (err) {
        this.logger.warn({ err: err instanceof Error ? err.message : String(err), requestIds: events.slice(0, 20).map((e) => e.requestId) }, 'usage events not published; retrying in the background');
        for (const event of events) this.defer(event);
      } finally {
        this.sending = false;
        // Degraded now: what gathered goes behind the held events, in order.
        if (this.pending.length) for (const event of this.queued.splice(0)) this.defer(event);
        // What gathered meanwhile goes now when its linger ran out (or it fills a message, or we are closing); else when it runs out.
        else if (this.queued.length && (!this.lingering || this.queued.length >= USAGE_BATCH_MAX || this.closing)) this.sendQueued();
      }
    })();
    this.inflight.add(sent);
    void sent.finally(() => this.inflight.delete(sent));
  }

  private async send(event: UsageEvent): Promise<void> {
    await this.sendOnce([event]);
    this.count('ok');
  }

  private async sendOnce(events: UsageEvent[]): Promise<void> {
    const single = events.length === 1;
    const data = encodeJson(single ? events[0] : { events });
    // One event: its request id, so JetStream keeps one copy of a retried publish. A batch: its first event's id and size.
    const msgID = single ? events[0].requestId : `batch:${events[0].requestId}:${events.length}`;
    try {
      await this.js.publish(this.subject, data, { msgID, timeout: PUBLISH_TIMEOUT_MS });
    } catch {
      // Most likely no stream yet (the usage service has never started): create it, then once more.
      await ensureUsageStream(this.nc, this.streamSuffix);
      await this.js.publish(this.subject, data, { msgID, timeout: PUBLISH_TIMEOUT_MS });
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
