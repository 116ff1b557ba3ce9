import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Msg, NatsConnection, Subscription } from '@nats-io/transport-node';
import { z } from 'zod';
import {
  CONVERSATION_QUEUE_GROUP,
  RELAY_CANCEL_ALL,
  RELAY_JOB,
  encodeRelayFrame,
  relayJobSchema,
  type RelayFrame,
  type RelayJob,
} from '@chatgate/contracts';
import { NATS_CONNECTION, type Logger } from '@chatgate/service-kit';
import { CONVERSATION_CONFIG, CONVERSATION_LOGGER, type ConversationConfig } from '../conversation.config.js';
import { UsagePublisher } from '@chatgate/service-kit';
import { RelayTally } from './relay-tally.js';
import { RELAY_TARGETS, type RelayRun, type RelayTarget } from './relay-target.js';

interface ActiveRelay extends RelayRun {
  lastSentAt: number;
}

const textDecoder = new TextDecoder();
/** How long a stopping worker lets running relays finish before it ends them with an error. */
const DRAIN_MS = 10_000;

const MALFORMED: RelayFrame = { t: 'error', status: 500, error: { message: 'The gateway sent a malformed relay job.', type: 'server_error', param: null, code: 'malformed_job' } };

/**
 * Takes relay jobs off the bus (one worker of the queue group gets each), hands each to the target
 * it names, keeps open relays alive with heartbeats, aborts on cancel, and publishes one usage
 * event for jobs that account for model use.
 */
@Injectable()
export class RelayJobWorker implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly active = new Map<string, ActiveRelay>();
  private readonly targets: Map<string, RelayTarget>;
  private jobs?: Subscription;
  private cancels?: Subscription;
  private heartbeat?: NodeJS.Timeout;

  constructor(
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(CONVERSATION_CONFIG) private readonly config: ConversationConfig,
    @Inject(CONVERSATION_LOGGER) private readonly logger: Logger,
    @Inject(RELAY_TARGETS) targets: RelayTarget[],
    private readonly usage: UsagePublisher,
  ) {
    this.targets = new Map(targets.map((t) => [t.name, t]));
  }

  onApplicationBootstrap() {
    this.jobs = this.nc.subscribe(RELAY_JOB, {
      queue: CONVERSATION_QUEUE_GROUP,
      callback: (err, msg) => {
        if (!err) this.accept(msg);
      },
    });
    this.cancels = this.nc.subscribe(RELAY_CANCEL_ALL, {
      callback: (err, msg) => {
        if (err) return;
        this.active.get(msg.subject.slice(msg.subject.lastIndexOf('.') + 1))?.abort.abort();
      },
    });
    const every = this.config.WORKER_HEARTBEAT_MS;
    this.heartbeat = setInterval(() => {
      const now = Date.now();
      for (const run of this.active.values()) if (now - run.lastSentAt >= every) run.send({ t: 'hb' });
    }, every);
  }

  async onApplicationShutdown() {
    this.jobs?.unsubscribe();
    this.cancels?.unsubscribe();
    const deadline = Date.now() + DRAIN_MS;
    while (this.active.size && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    for (const run of this.active.values()) {
      run.abort.abort();
      run.send({ t: 'error', status: 503, error: { message: 'The conversation worker is shutting down.', type: 'server_error', param: null, code: 'worker_shutdown' } });
    }
    clearInterval(this.heartbeat);
  }

  private accept(msg: Msg) {
    const reply = msg.reply;
    if (!reply) return;
    let job: RelayJob;
    try {
      job = relayJobSchema.parse(JSON.parse(textDecoder.decode(msg.data)));
    } catch (err) {
      // Only where it failed, never the text: a job carries the caller's upstream credential.
      const where = err instanceof z.ZodError ? err.issues.map((i) => i.path.join('.')).join(', ') : 'not JSON';
      this.logger.error({ where }, 'rejected a malformed relay job');
      this.nc.publish(reply, encodeRelayFrame(MALFORMED));
      return;
    }
    const target = this.targets.get(job.target);
    const tally = new RelayTally();
    let closed = false;
    const run: ActiveRelay = {
      job,
      abort: new AbortController(),
      account: null,
      usage: null,
      lastSentAt: Date.now(),
      send: (frame) => {
        // Nothing after the last frame (a target that misbehaves must not confuse the gateway).
        if (closed) return;
        if (frame.t === 'end' || frame.t === 'error') closed = true;
        run.lastSentAt = Date.now();
        tally.observe(frame);
        this.nc.publish(reply, encodeRelayFrame(frame));
      },
    };
    this.active.set(job.requestId, run);
    const started = performance.now();
    const work = target
      ? target.run(run)
      : Promise.resolve(run.send({ t: 'error', status: 501, error: { message: `This worker cannot relay to ${job.target}.`, type: 'server_error', param: null, code: 'relay_target_unavailable' } }));
    work
      .catch((err) => {
        this.logger.error({ err, requestId: job.requestId }, 'relay job crashed');
        run.send({ t: 'error', status: 500, error: { message: 'The relay failed.', type: 'server_error', param: null, code: 'relay_failed' } });
      })
      .finally(() => {
        this.active.delete(job.requestId);
        const latencyMs = performance.now() - started;
        const { usage } = job;
        // One event per job that used a model, whatever happened; publishing never holds up the reply.
        if (usage) this.usage.publish(tally.event({ job: { ...job, usage }, account: run.account, counts: run.usage, cancelled: run.abort.signal.aborted, latencyMs, at: Date.now() }));
        this.logger.debug({ requestId: job.requestId, target: job.target, ms: +latencyMs.toFixed(1), cancelled: run.abort.signal.aborted }, 'relay job done');
      });
  }
}
