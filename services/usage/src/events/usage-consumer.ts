import { setTimeout as sleep } from 'node:timers/promises';
import { Inject, Injectable, Optional, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { NatsConnection } from '@nats-io/transport-node';
import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager, type ConsumerMessages, type JsMsg } from '@nats-io/jetstream';
import { isUsageEventBatch, limitModelOf, USAGE_MAX_DELIVER, usageEventSchema, usageStreamNames, type UsageEvent } from '@chatgate/contracts';
import { ensureUsageStream, NATS_CONNECTION, ServiceMetrics, type Logger } from '@chatgate/service-kit';
import { isRowFault } from '@chatgate/service-kit/postgres';
import type { Counter } from 'prom-client';
import { SpendSettler } from '../billing/spend-settler.js';
import { LimitWindow } from '../limits/limit-window.js';
import { RateWindow } from '../rates/rate-window.js';
import { USAGE_CONFIG, USAGE_LOGGER, type UsageConfig } from '../usage.config.js';
import type { PricedEvent } from './rollup.js';
import { DeadLetterStore } from './dead-letter.store.js';
import { describeFault, isRedisTransient } from './store-faults.js';
import { UsageStore } from './usage-store.js';

/**
 * Events stored per transaction at most; under load a batch fills at once, otherwise the first event
 * of a batch waits FLUSH_MS for others. Each transaction costs the service about a millisecond of CPU
 * (several Postgres round trips, the rollup upsert, settling), which at a few hundred requests a
 * second on a shared host was as much CPU per request as the gateway's: 50 ms makes it one
 * transaction per dozens of events there. The cap bounds what one batch holds in memory (rows, rollup
 * groups, the SQL text); the pull holds at most two batches.
 */
const BATCH_MAX = 250;
const FLUSH_MS = 50;
/** Back-off while Postgres or Redis is unreachable: doubled per failed try, up to the cap. */
const RETRY_FIRST_MS = 250;
const RETRY_MAX_MS = 30_000;
/** At shutdown, how long to go on storing what is held before giving it back (a store that is down is not waited for). */
const SHUTDOWN_WAIT_MS = 3000;

/** The consumer is stopping: a wait for a store that is down ends here, and what is held is redelivered later. */
class Stopping extends Error {}

/** One event to store: a message of the stream, or one JetStream gave up on (fetched by its sequence). */
export interface Delivery {
  data: Uint8Array;
  seq: number;
  /** Done with it: stored or dead-lettered. */
  ack(): void;
}

interface Held {
  delivery: Delivery;
  /** What was received of the event (the message, or its JSON in a batch): what a dead letter keeps. */
  raw: () => Uint8Array;
  event: PricedEvent;
}

/**
 * The durable pull consumer. Events are stored idempotently with their rollups, budgets settled,
 * and only then acknowledged, so a crash anywhere before that redelivers them. One bad event never
 * holds back another:
 *
 * - a payload that is no usage event, or an event Postgres refuses (a batch that fails for a row's
 *   fault is stored again one event at a time), goes to the dead letter table and is acknowledged;
 * - Postgres or Redis unreachable is waited out in process, with back-off, holding the events and
 *   telling JetStream they are in progress: no delivery is spent, so an outage of any length
 *   loses nothing (events wait in the stream, then are stored);
 * - JetStream redelivers an event at most USAGE_MAX_DELIVER times (each restart while the service
 *   held it counts); past that its advisory names it, and the event, read from the stream by its
 *   sequence, goes through the same steps once more (see ExhaustedDeliveries).
 */
@Injectable()
export class UsageConsumer implements OnApplicationBootstrap, OnApplicationShutdown {
  private messages?: ConsumerMessages;
  private loop?: Promise<void>;
  /** Every message received and not yet acknowledged, with when it arrived or was last kept alive. */
  private readonly inHand = new Map<JsMsg, number>();
  private queue: Delivery[] = [];
  private timer?: NodeJS.Timeout;
  private keepAlive?: NodeJS.Timeout;
  private draining?: Promise<void>;
  private stopping = false;
  private readonly stop = new AbortController();
  private stored = 0;
  /** Messages held longer than this are told to JetStream as still in progress, well within the ack wait. */
  private readonly keepAliveMs: number;

  constructor(
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(USAGE_CONFIG) private readonly config: UsageConfig,
    @Inject(USAGE_LOGGER) private readonly logger: Logger,
    private readonly store: UsageStore,
    private readonly deadLetters: DeadLetterStore,
    private readonly limits: LimitWindow,
    private readonly rates: RateWindow,
    private readonly spend: SpendSettler,
    @Optional() metrics?: ServiceMetrics,
  ) {
    this.keepAliveMs = config.USAGE_ACK_WAIT_MS / 3;
    if (metrics) this.observe(metrics);
  }

  private storedTotal?: Counter;
  private deadLetteredTotal?: Counter;

  /**
   * The consumer's series: events stored (new rows) and dead-lettered, events in hand, and its lag: what the
   * stream holds that this consumer has not been given yet, and what it was given and has not acknowledged
   * (asked of JetStream at each scrape; the last answer stands while JetStream does not answer).
   */
  private observe(metrics: ServiceMetrics): void {
    this.storedTotal = metrics.counter({ name: 'chatgate_usage_events_stored_total', help: 'Usage events stored (new rows; a redelivery already stored is not counted)' });
    this.deadLetteredTotal = metrics.counter({ name: 'chatgate_usage_events_dead_lettered_total', help: 'Usage events that could not be stored and went to the dead letter table' });
    const inHand = metrics.gauge({ name: 'chatgate_usage_events_in_hand', help: 'Usage events received and not yet acknowledged' });
    const lag = metrics.gauge({
      name: 'chatgate_usage_consumer_lag',
      help: 'Usage events the durable consumer has not been given yet (pending) or not acknowledged (ack_pending)',
      labelNames: ['state'],
      collect: async () => {
        inHand.set(this.inHand.size);
        if (!this.messages) return;
        try {
          const { stream, consumer } = usageStreamNames(this.config.USAGE_STREAM_SUFFIX);
          const info = await (await jetstreamManager(this.nc)).consumers.info(stream, consumer);
          lag.set({ state: 'pending' }, info.num_pending);
          lag.set({ state: 'ack_pending' }, info.num_ack_pending);
        } catch {
          // JetStream did not answer: the last figures stand.
        }
      },
    });
  }

  async onApplicationBootstrap() {
    const { stream, subject, consumer } = usageStreamNames(this.config.USAGE_STREAM_SUFFIX);
    await ensureUsageStream(this.nc, this.config.USAGE_STREAM_SUFFIX);
    const jsm = await jetstreamManager(this.nc);
    const tuning = { ack_wait: this.config.USAGE_ACK_WAIT_MS * 1_000_000, max_ack_pending: 20_000, max_deliver: USAGE_MAX_DELIVER };
    try {
      await jsm.consumers.info(stream, consumer);
      await jsm.consumers.update(stream, consumer, tuning);
    } catch {
      await jsm.consumers.add(stream, { durable_name: consumer, ack_policy: AckPolicy.Explicit, deliver_policy: DeliverPolicy.All, filter_subject: subject, ...tuning });
    }
    const pull = await jetstream(this.nc).consumers.get(stream, consumer);
    this.messages = await pull.consume({ max_messages: 2 * BATCH_MAX });
    this.keepAlive = setInterval(() => this.keepHeldAlive(), this.keepAliveMs / 2);
    this.loop = this.run(this.messages);
  }

  async onApplicationShutdown() {
    // Stop pulling, store what arrived (unless the store is down: then stop waiting), then let NATS close.
    await this.messages?.close();
    await this.loop;
    this.kick();
    const drained = this.draining;
    const stopWaiting = setTimeout(() => this.abortWaits(), SHUTDOWN_WAIT_MS);
    await drained;
    clearTimeout(stopWaiting);
    clearInterval(this.keepAlive);
    // Whatever is still held goes back now, for another replica or the next start.
    for (const msg of this.inHand.keys()) msg.nak();
    this.inHand.clear();
  }

  /** Events stored since start (new ones only). */
  storedCount(): number {
    return this.stored;
  }

  private async run(messages: ConsumerMessages): Promise<void> {
    // Never blocks: every message is held (and kept alive) from the moment it arrives, so none waits
    // unseen in the client's buffer while its ack timer runs. JetStream's max_ack_pending bounds them.
    for await (const msg of messages) {
      this.inHand.set(msg, Date.now());
      this.enqueue({
        data: msg.data,
        seq: msg.seq,
        ack: () => {
          msg.ack();
          this.inHand.delete(msg);
        },
      });
    }
  }

  /** Stores an event JetStream no longer delivers (its delivery budget is spent): once, as any other. */
  adopt(delivery: Delivery): void {
    this.enqueue(delivery);
  }

  private enqueue(delivery: Delivery): void {
    this.queue.push(delivery);
    if (this.queue.length >= BATCH_MAX) this.kick();
    else this.timer ??= setTimeout(() => this.kick(), FLUSH_MS);
  }

  /** One drain at a time, batch after batch, until the queue is empty. */
  private kick(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.draining || !this.queue.length) return;
    this.draining = (async () => {
      while (this.queue.length && !this.stopping) await this.persist(this.queue.splice(0, BATCH_MAX));
    })()
      .catch((err: unknown) => {
        if (!(err instanceof Stopping)) this.logger.error({ err: describeFault(err) }, 'usage batch failed unexpectedly; it will be redelivered');
      })
      .finally(() => {
        this.draining = undefined;
        if (this.queue.length && !this.stopping) this.kick();
      });
  }

  private async persist(deliveries: Delivery[]): Promise<void> {
    const held: Held[] = [];
    const events: UsageEvent[] = [];
    const decoded: Array<{ delivery: Delivery; raw: () => Uint8Array }> = [];
    for (const delivery of deliveries) {
      for (const item of eventsOf(delivery.data)) {
        if ('event' in item) {
          events.push(item.event);
          decoded.push({ delivery, raw: item.raw });
        } else {
          // Never valid, never will be: kept for an operator instead of redelivered for ever (an event of a batch alone).
          await this.deadLetter(item.raw(), delivery.seq, `not a usage event: ${item.complaint}`);
        }
      }
    }
    this.spend.price(events).forEach((event, i) => held.push({ ...decoded[i], event }));
    const stored = await this.storeAll(held);
    // After the commit: a redelivery stores nothing again, and settling is idempotent per request.
    await this.settle(stored.map((h) => h.event));
    await this.settleRates(stored.map((h) => h.event));
    await this.releaseFailedSlots(stored.map((h) => h.event));
    // Every event of every message is stored or dead-lettered now (a wait that was cut threw before this).
    for (const delivery of deliveries) delivery.ack();
  }

  /**
   * Stores the batch in one transaction; when a row's fault fails it, each event alone, so the
   * others go in and the one Postgres refuses is dead-lettered. Returns the events stored (new or
   * already there); the rest are in the dead letter table.
   */
  private async storeAll(held: Held[]): Promise<Held[]> {
    if (!held.length) return [];
    try {
      const added = await this.untilAvailable('usage events not stored', () => this.store.store(held.map((h) => h.event)));
      this.stored += added;
      this.storedTotal?.inc(added);
      return held;
    } catch (err) {
      if (!isRowFault(err)) throw err;
      if (held.length > 1) this.logger.warn({ err: describeFault(err), events: held.length }, 'usage batch refused by Postgres; storing its events one by one');
    }
    const stored: Held[] = [];
    for (const one of held) {
      try {
        const added = await this.untilAvailable('usage event not stored', () => this.store.store([one.event]));
        this.stored += added;
        this.storedTotal?.inc(added);
        stored.push(one);
      } catch (err) {
        if (!isRowFault(err)) throw err;
        await this.deadLetter(one.raw(), one.delivery.seq, describeFault(err));
      }
    }
    return stored;
  }

  /** Replaces the requests' budget holds by their cost. A command Redis refuses is logged and skipped: holds lapse on their own. */
  private async settle(events: PricedEvent[]): Promise<void> {
    if (!events.length) return;
    try {
      await this.untilAvailable('budgets not settled', () => this.spend.settle(events), isRedisTransient);
    } catch (err) {
      if (err instanceof Stopping) throw err;
      this.logger.error({ err: describeFault(err), requestIds: events.slice(0, 20).map((e) => e.requestId) }, 'budgets not settled: Redis refused the command; the holds lapse within the hour');
    }
  }

  private async deadLetter(raw: Uint8Array, seq: number, error: string): Promise<void> {
    this.logger.error({ seq, error }, 'usage event dead-lettered');
    this.deadLetteredTotal?.inc();
    try {
      await this.untilAvailable('dead letter not stored', () => this.deadLetters.record({ raw, error, streamSeq: seq }));
    } catch (err) {
      if (err instanceof Stopping) throw err;
      // The table takes any bytes; if even that fails, the log line is the last copy.
      this.logger.error({ seq, raw: Buffer.from(raw).toString('base64'), err: describeFault(err) }, 'dead letter not stored');
    }
  }

  /**
   * Runs `attempt` until it succeeds or fails for a reason waiting will not cure (rethrown): a
   * dependency that is down is retried with back-off while the held messages are kept alive.
   */
  private async untilAvailable<T>(what: string, attempt: () => Promise<T>, transient: (err: unknown) => boolean = (err) => !isRowFault(err)): Promise<T> {
    let delay = RETRY_FIRST_MS;
    for (let tries = 1; ; tries++) {
      if (this.stopping) throw new Stopping();
      try {
        const result = await attempt();
        if (tries > 1) this.logger.info({ tries }, `${what} earlier: done now`);
        return result;
      } catch (err) {
        if (!transient(err)) throw err;
        // The first failure and then every tenth: an outage is one line a minute or so, not a flood.
        if (tries === 1 || tries % 10 === 0) this.logger.error({ err: describeFault(err), tries, held: this.inHand.size }, `${what}; waiting, nothing is lost`);
        await sleep(delay, undefined, { signal: this.stop.signal }).catch(() => undefined);
        delay = Math.min(delay * 2, RETRY_MAX_MS);
      }
    }
  }

  /** Tells JetStream that messages held a while are still being worked on, so it does not redeliver them. */
  private keepHeldAlive(): void {
    const now = Date.now();
    for (const [msg, since] of this.inHand) {
      if (now - since < this.keepAliveMs) continue;
      msg.working();
      this.inHand.set(msg, now);
    }
  }

  private abortWaits(): void {
    this.stopping = true;
    this.stop.abort();
  }

  /**
   * A key's TPM took the prompt's estimate; the real tokens replace it (a no-op for requests of keys
   * without a TPM, or that left the minute). A failure is logged: the estimate then stands.
   */
  private async settleRates(events: UsageEvent[]): Promise<void> {
    if (!events.length) return;
    await Promise.all(events.map((e) => this.rates.settle(e.tenantId, e.credentialId, e.requestId, e.promptTokens + e.completionTokens))).catch((err: unknown) =>
      this.logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'token rates not settled; the estimates stand for the minute'),
    );
  }

  /** A request that failed (or lost its worker) gives its limit slot back, under the model the gateway took it for (idempotent; most failed requests held none). */
  private async releaseFailedSlots(events: UsageEvent[]): Promise<void> {
    const failed = events.filter((e) => e.outcome === 'error' || e.outcome === 'worker_lost');
    if (!failed.length) return;
    await Promise.all(
      failed.map((e) => this.limits.release({ requestId: e.requestId, tenantId: e.tenantId, subject: e.userId ?? e.credentialId, model: limitModelOf(e.model, e.resolvedModel) })),
    ).catch((err: unknown) =>
      this.logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'limit slots of failed requests not released'),
    );
  }
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * `raw`: what was received of it (the message, or the event's JSON in a batch), for the dead letter
 * table; made only when an event is dead-lettered, not for every event of every batch.
 */
type Decoded = { event: UsageEvent; raw: () => Uint8Array } | { raw: () => Uint8Array; complaint: string };

/**
 * The events of one stream message: one event, or each of a batch's (see UsageEventBatch) on its
 * own, so one bad event of a batch is dead-lettered alone (with its own JSON as what was received).
 */
function eventsOf(data: Uint8Array): Decoded[] {
  let payload: unknown;
  try {
    payload = JSON.parse(decoder.decode(data));
  } catch (err) {
    return [{ raw: () => data, complaint: schemaComplaint(err) }];
  }
  if (!isUsageEventBatch(payload)) return [decodeEvent(payload, () => data)];
  return payload.events.map((item) => decodeEvent(item, () => encoder.encode(JSON.stringify(item))));
}

function decodeEvent(payload: unknown, raw: () => Uint8Array): Decoded {
  const parsed = usageEventSchema.safeParse(payload);
  return parsed.success ? { event: parsed.data, raw } : { raw, complaint: schemaComplaint(parsed.error) };
}

/** The first thing wrong with a payload, never the payload: a field path and zod's message, or why it is not JSON. */
function schemaComplaint(err: unknown): string {
  const issues = (err as { issues?: Array<{ path: PropertyKey[]; message: string }> } | null)?.issues;
  if (issues?.length) return `${issues[0].path.map(String).join('.') || '(event)'}: ${issues[0].message}`;
  return err instanceof Error ? err.message : String(err);
}
