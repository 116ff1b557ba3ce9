import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Msg, NatsConnection, Subscription } from '@nats-io/transport-node';
import {
  CHAT_COMPLETION_CANCEL_ALL,
  CHAT_COMPLETION_JOB,
  CONVERSATION_QUEUE_GROUP,
  chatJobSchema,
  type ChatFrame,
  type ChatJob,
} from '@chatgate/contracts';
import { encodeJson, NATS_CONNECTION, type Logger } from '@chatgate/service-kit';
import { CONVERSATION_CONFIG, CONVERSATION_LOGGER, type ConversationConfig } from '../conversation.config.js';
import { ModelTable } from '../models/model-table.js';
import { AccountLeaseClient } from '@chatgate/service-kit';
import { ChatGptClient } from '../upstream/chatgpt.client.js';
import { ConversationContinuity } from '../records/conversation-continuity.js';
import { UsagePublisher } from '@chatgate/service-kit';
import { UsageTally } from '../usage/usage-tally.js';
import { AttemptUploads } from '../uploads/attempt-uploads.js';
import { InputLoader } from '../uploads/input-loader.js';
import { runChatJob, type JobContext } from './chat-job.runner.js';
import { FileLinkSealer } from '../files/file-link-sealer.js';
import { SealedFileLinks } from '../files/sealed-file-links.js';
import { lateImageEvents } from '../files/late-images.js';
import { FileDownloadClient } from '../upstream/file-download.client.js';

interface ActiveJob extends JobContext {
  lastSentAt: number;
}

const decoder = new TextDecoder();
/** How long a stopping worker lets running replies finish before it ends them with an error. */
const DRAIN_MS = 10_000;

/**
 * Takes chat jobs off the bus (one worker of the queue group gets each), runs them, and keeps
 * every open reply alive with heartbeats. Cancels arrive on a fan-out subject: every worker hears
 * them and the one running that request aborts it.
 */
@Injectable()
export class ChatJobWorker implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly active = new Map<string, ActiveJob>();
  private jobs?: Subscription;
  private cancels?: Subscription;
  private heartbeat?: NodeJS.Timeout;

  constructor(
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(CONVERSATION_CONFIG) private readonly config: ConversationConfig,
    @Inject(CONVERSATION_LOGGER) private readonly logger: Logger,
    private readonly client: ChatGptClient,
    private readonly models: ModelTable,
    private readonly leases: AccountLeaseClient,
    private readonly usage: UsagePublisher,
    private readonly conversations: ConversationContinuity,
    private readonly inputLoader: InputLoader,
    private readonly uploads: AttemptUploads,
    private readonly sealer: FileLinkSealer,
    private readonly downloads: FileDownloadClient,
  ) {}

  onApplicationBootstrap() {
    this.jobs = this.nc.subscribe(CHAT_COMPLETION_JOB, {
      queue: CONVERSATION_QUEUE_GROUP,
      callback: (err, msg) => {
        if (!err) this.accept(msg);
      },
    });
    this.cancels = this.nc.subscribe(CHAT_COMPLETION_CANCEL_ALL, {
      callback: (err, msg) => {
        if (err) return;
        const requestId = msg.subject.slice(msg.subject.lastIndexOf('.') + 1);
        this.active.get(requestId)?.abort.abort();
      },
    });
    const every = this.config.WORKER_HEARTBEAT_MS;
    this.heartbeat = setInterval(() => {
      const now = Date.now();
      for (const job of this.active.values()) if (now - job.lastSentAt >= every) job.send({ t: 'hb' });
    }, every);
  }

  async onApplicationShutdown() {
    // Take no new jobs; let running replies finish, then end the rest cleanly.
    this.jobs?.unsubscribe();
    this.cancels?.unsubscribe();
    const deadline = Date.now() + DRAIN_MS;
    while (this.active.size && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    for (const job of this.active.values()) {
      job.abort.abort();
      job.send({ t: 'error', status: 503, error: { message: 'The conversation worker is shutting down.', type: 'server_error', param: null, code: 'worker_shutdown' } });
    }
    clearInterval(this.heartbeat);
  }

  private handled = 0;

  /** Jobs running now and taken since start: the basis of the worker's metrics. */
  stats(): { active: number; handled: number } {
    return { active: this.active.size, handled: this.handled };
  }

  private accept(msg: Msg) {
    const reply = msg.reply;
    if (!reply) return;
    let job: ChatJob;
    try {
      job = chatJobSchema.parse(JSON.parse(decoder.decode(msg.data)));
    } catch (err) {
      this.logger.error({ err: err instanceof Error ? err.message : String(err) }, 'rejected a malformed chat job');
      this.nc.publish(reply, encodeJson({ t: 'error', status: 500, error: { message: 'The gateway sent a malformed job.', type: 'server_error', param: null, code: 'malformed_job' } } satisfies ChatFrame));
      return;
    }
    const tally = new UsageTally();
    const ctx: ActiveJob = {
      job,
      abort: new AbortController(),
      account: null,
      lastSentAt: Date.now(),
      send: (frame) => {
        ctx.lastSentAt = Date.now();
        tally.observe(frame);
        this.nc.publish(reply, encodeJson(frame));
      },
    };
    this.active.set(job.requestId, ctx);
    this.handled++;
    const started = performance.now();
    runChatJob(ctx, {
      client: this.client,
      models: this.models,
      leases: this.leases,
      v1Encoding: this.config.UPSTREAM_V1_ENCODING,
      retryTimes: this.config.RETRY_TIMES,
      conversations: this.conversations,
      inputs: { loader: this.inputLoader, uploads: this.uploads },
      render: {
        inline: this.config.REASONING_INLINE,
        links: (job, slug, decoder) =>
          new SealedFileLinks(this.sealer, {
            job: job.job,
            slug,
            ttlSec: this.config.FILE_LINK_TTL_SEC,
            accountId: () => job.account?.id ?? null,
            conversationId: () => decoder.conversationId,
          }),
        lateImages: (job, identity, conversationId, renderer) =>
          lateImageEvents(
            (who, id, signal) => this.downloads.conversation(who, id, signal),
            { identity, conversationId, historyOff: job.job.historyDisabled, waitSec: this.config.ASYNC_IMAGE_WAIT_SEC, signal: job.abort.signal },
            renderer,
          ),
      },
    })
      .catch((err) => this.logger.error({ err, requestId: job.requestId }, 'chat job crashed'))
      .finally(() => {
        this.active.delete(job.requestId);
        // One event per job whatever happened; publishing never holds up or fails the reply.
        const latencyMs = performance.now() - started;
        this.usage.publish(tally.event({ job, account: ctx.account, cancelled: ctx.abort.signal.aborted, latencyMs, at: Date.now() }));
        this.logger.debug({ requestId: job.requestId, ms: +latencyMs.toFixed(1), cancelled: ctx.abort.signal.aborted }, 'chat job done');
      });
  }
}
