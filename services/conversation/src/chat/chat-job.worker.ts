import { Inject, Injectable } from '@nestjs/common';
import type { NatsConnection } from '@nats-io/transport-node';
import { CHAT_JOBS, type ChatFrame, type ChatJob } from '@chatgate/contracts';
import { JobWorkerService, type AccountLeases, NATS_CONNECTION, UsagePublisher, WorkerCapacity, type JobRun, type Logger } from '@chatgate/service-kit';
import { CONVERSATION_CONFIG, CONVERSATION_LOGGER, type ConversationConfig } from '../conversation.config.js';
import { FileLinkSealer } from '../shared/files/file-link-sealer.js';
import { SealedFileLinks } from '../shared/files/sealed-file-links.js';
import { ModelTable } from '@chatgate/contracts';
import { ConversationContinuity } from '../shared/records/conversation-continuity.js';
import { AttemptUploads } from '../shared/uploads/attempt-uploads.js';
import { InputLoader } from '../shared/uploads/input-loader.js';
import { ChatGptClient } from '../shared/upstream/chatgpt.client.js';
import { FileDownloadClient } from '../shared/upstream/file-download.client.js';
import { runChatJob, type JobContext, type RunnerDeps } from './chat-job.runner.js';
import { ChatTally } from './chat-tally.js';
import { lateImageEvents } from './late-images.js';
import { PoolLeases } from '../shared/leases/pool-leases.js';

/**
 * Chat jobs (CHAT_JOBS) on service-kit's JobWorker, which takes them off the bus, keeps them alive,
 * cancels and drains them. This wires each job to the runner and publishes its one usage event,
 * whatever happened.
 */
@Injectable()
export class ChatJobWorker extends JobWorkerService<ChatJob, ChatFrame> {
  /** The runner's collaborators, the same for every job. */
  private readonly deps: RunnerDeps;

  constructor(
    @Inject(NATS_CONNECTION) nc: NatsConnection,
    @Inject(CONVERSATION_CONFIG) config: ConversationConfig,
    @Inject(CONVERSATION_LOGGER) private readonly logger: Logger,
    capacity: WorkerCapacity,
    client: ChatGptClient,
    models: ModelTable,
    @Inject(PoolLeases) leases: AccountLeases,
    private readonly usage: UsagePublisher,
    conversations: ConversationContinuity,
    inputLoader: InputLoader,
    uploads: AttemptUploads,
    sealer: FileLinkSealer,
    downloads: FileDownloadClient,
  ) {
    super(nc, { protocol: CHAT_JOBS, capacity, config, logger, doing: 'answering' });
    this.deps = {
      client,
      models,
      leases,
      v1Encoding: config.UPSTREAM_V1_ENCODING,
      retryTimes: config.RETRY_TIMES,
      conversations,
      inputs: { loader: inputLoader, uploads },
      render: {
        inline: config.REASONING_INLINE,
        links: (ctx, slug, decoder) =>
          new SealedFileLinks(sealer, {
            job: ctx.job,
            slug,
            ttlSec: config.FILE_LINK_TTL_SEC,
            accountId: () => ctx.account?.id ?? null,
            conversationId: () => decoder.conversationId,
          }),
        lateImages: (ctx, identity, conversationId, renderer) =>
          lateImageEvents(
            (who, id, signal) => downloads.conversation(who, id, signal),
            { identity, conversationId, historyOff: ctx.job.historyDisabled, waitSec: config.ASYNC_IMAGE_WAIT_SEC, signal: ctx.abort.signal },
            renderer,
          ),
      },
    };
  }

  protected async handle(run: JobRun<ChatJob, ChatFrame>): Promise<void> {
    const { job } = run;
    const tally = new ChatTally();
    const ctx: JobContext = {
      job,
      abort: run.abort,
      account: null,
      send: (frame) => {
        if (run.ended) return;
        tally.observe(frame);
        run.send(frame);
      },
      drained: () => run.drained(),
    };
    const started = performance.now();
    try {
      await runChatJob(ctx, this.deps);
    } finally {
      // One event per job whatever happened; publishing never holds up or fails the reply.
      const latencyMs = performance.now() - started;
      this.usage.publish(tally.event({ job, account: ctx.account, cancelled: run.abort.signal.aborted, latencyMs, at: Date.now() }));
      this.logger.debug({ requestId: job.requestId, ms: +latencyMs.toFixed(1), cancelled: run.abort.signal.aborted }, 'chat job done');
    }
  }
}
