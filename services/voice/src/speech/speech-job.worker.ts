import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { headers as natsHeaders, type Msg, type NatsConnection, type Subscription } from '@nats-io/transport-node';
import {
  SPEECH_AUDIO_FRAME,
  SPEECH_CANCEL_ALL,
  SPEECH_FRAME_HEADER,
  SPEECH_JOB,
  VOICE_QUEUE_GROUP,
  speechJobSchema,
  type SpeechControlFrame,
  type SpeechJob,
  type UsageEvent,
} from '@chatgate/contracts';
import { encodeJson, NATS_CONNECTION, type Logger } from '@chatgate/service-kit';
import { AccountLeaseClient } from '@chatgate/service-kit';
import { VoiceUpstreamClient, type UpstreamIdentity } from '../upstream/voice-upstream.client.js';
import { UsagePublisher } from '@chatgate/service-kit';
import { VOICE_CONFIG, VOICE_LOGGER, type VoiceConfig } from '../voice.config.js';
import { runSpeechJob, type SpeechJobContext } from './speech-job.runner.js';

interface ActiveJob extends SpeechJobContext {
  lastSentAt: number;
  failedStatus: number | null;
  ended: boolean;
}

const decoder = new TextDecoder();
/** How long a stopping service lets running clips finish before it ends them with an error. */
const DRAIN_MS = 10_000;
/** nginx's "client closed request". */
const CLIENT_CLOSED_STATUS = 499;

/**
 * Takes speech jobs off the bus (one voice replica of the queue group gets each), runs them and
 * keeps every open clip alive with heartbeats. Cancels arrive on a fan-out subject. Audio goes to
 * the job's inbox as raw bytes marked by a header; control frames are JSON.
 */
@Injectable()
export class SpeechJobWorker implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly active = new Map<string, ActiveJob>();
  private readonly hiding = new Set<Promise<void>>();
  private jobs?: Subscription;
  private cancels?: Subscription;
  private heartbeat?: NodeJS.Timeout;

  constructor(
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(VOICE_CONFIG) private readonly config: VoiceConfig,
    @Inject(VOICE_LOGGER) private readonly logger: Logger,
    private readonly upstream: VoiceUpstreamClient,
    private readonly leases: AccountLeaseClient,
    private readonly usage: UsagePublisher,
  ) {}

  onApplicationBootstrap() {
    this.jobs = this.nc.subscribe(SPEECH_JOB, {
      queue: VOICE_QUEUE_GROUP,
      callback: (err, msg) => {
        if (!err) this.accept(msg);
      },
    });
    this.cancels = this.nc.subscribe(SPEECH_CANCEL_ALL, {
      callback: (err, msg) => {
        if (err) return;
        this.active.get(msg.subject.slice(msg.subject.lastIndexOf('.') + 1))?.abort.abort();
      },
    });
    const every = this.config.WORKER_HEARTBEAT_MS;
    this.heartbeat = setInterval(() => {
      const now = Date.now();
      for (const job of this.active.values()) if (now - job.lastSentAt >= every) job.sendControl({ t: 'hb' });
    }, every);
  }

  async onApplicationShutdown() {
    this.jobs?.unsubscribe();
    this.cancels?.unsubscribe();
    const deadline = Date.now() + DRAIN_MS;
    while (this.active.size && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    for (const job of this.active.values()) {
      job.abort.abort();
      job.sendControl({ t: 'error', status: 503, error: { message: 'The voice service is shutting down.', type: 'server_error', param: null, code: 'worker_shutdown' } });
    }
    clearInterval(this.heartbeat);
    await Promise.all(this.hiding);
  }

  private hideLater = (identity: UpstreamIdentity, conversationId: string) => {
    const hidden = this.upstream.hide(identity, conversationId).then((ok) => {
      if (!ok) this.logger.warn({ conversationId }, 'could not hide the conversation made for speech');
    });
    this.hiding.add(hidden);
    void hidden.finally(() => this.hiding.delete(hidden));
  };

  private accept(msg: Msg) {
    const reply = msg.reply;
    if (!reply) return;
    let job: SpeechJob;
    try {
      job = speechJobSchema.parse(JSON.parse(decoder.decode(msg.data)));
    } catch (err) {
      this.logger.error({ err: err instanceof Error ? err.message : String(err) }, 'rejected a malformed speech job');
      this.nc.publish(reply, encodeJson({ t: 'error', status: 500, error: { message: 'The gateway sent a malformed speech job.', type: 'server_error', param: null, code: 'malformed_job' } } satisfies SpeechControlFrame));
      return;
    }
    const audioHeaders = natsHeaders();
    audioHeaders.set(SPEECH_FRAME_HEADER, SPEECH_AUDIO_FRAME);
    const ctx: ActiveJob = {
      job,
      abort: new AbortController(),
      account: null,
      spokenCharacters: 0,
      lastSentAt: Date.now(),
      failedStatus: null,
      ended: false,
      sendControl: (frame) => {
        if (ctx.ended) return;
        ctx.lastSentAt = Date.now();
        if (frame.t === 'error') ctx.failedStatus ??= frame.status;
        if (frame.t === 'end' || frame.t === 'error') ctx.ended = true;
        this.nc.publish(reply, encodeJson(frame));
      },
      sendAudio: (bytes) => {
        ctx.lastSentAt = Date.now();
        this.nc.publish(reply, bytes, { headers: audioHeaders });
      },
    };
    this.active.set(job.requestId, ctx);
    const started = performance.now();
    runSpeechJob(ctx, { upstream: this.upstream, leases: this.leases, retryTimes: this.config.RETRY_TIMES, pieceChars: this.config.SPEECH_PIECE_CHARS, hideLater: this.hideLater })
      .catch((err) => {
        this.logger.error({ err, requestId: job.requestId }, 'speech job crashed');
        ctx.sendControl({ t: 'error', status: 500, error: { message: 'The voice service failed while speaking.', type: 'server_error', param: null, code: 'internal_error' } });
      })
      .finally(() => {
        this.active.delete(job.requestId);
        this.usage.publish(this.usageEvent(ctx, performance.now() - started));
      });
  }

  /** One event per job whatever happened: the characters whose audio reached the gateway (priced per thousand). */
  private usageEvent(ctx: ActiveJob, latencyMs: number): UsageEvent {
    const { job } = ctx;
    const cancelled = ctx.abort.signal.aborted && ctx.failedStatus === null;
    const outcome: UsageEvent['outcome'] = cancelled ? 'cancelled' : ctx.failedStatus !== null ? 'error' : 'ok';
    return {
      requestId: job.requestId,
      tenantId: job.tenantId,
      userId: job.userId,
      userName: job.userName,
      credentialId: job.credentialId,
      accountId: ctx.account?.id ?? null,
      accountLabel: ctx.account?.label ?? null,
      model: job.model,
      kind: 'speech',
      upstream: 'chatgpt',
      characters: ctx.spokenCharacters,
      promptTokens: 0,
      completionTokens: 0,
      estimated: false,
      outcome,
      status: cancelled ? CLIENT_CLOSED_STATUS : (ctx.failedStatus ?? 200),
      latencyMs: Math.round(latencyMs * 10) / 10,
      at: Date.now(),
    };
  }
}
