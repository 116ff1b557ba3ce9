import { Inject, Injectable } from '@nestjs/common';
import type { NatsConnection } from '@nats-io/transport-node';
import { SPEECH_JOBS, type SpeechFrame, type SpeechJob } from '@chatgate/contracts';
import { AccountLeaseClient, JobEnding, JobWorkerService, NATS_CONNECTION, UsagePublisher, WorkerCapacity, usageEvent, type JobRun, type Logger } from '@chatgate/service-kit';
import { VoiceUpstreamClient, type UpstreamIdentity } from '../upstream/voice-upstream.client.js';
import { VOICE_CONFIG, VOICE_LOGGER, type VoiceConfig } from '../voice.config.js';
import { runSpeechJob, type SpeechDeps, type SpeechJobContext } from './speech-job.runner.js';

/**
 * Speech jobs (SPEECH_JOBS) on service-kit's JobWorker, which takes them off the bus, keeps them
 * alive, cancels and drains them; audio goes out as raw bytes (the protocol marks them). This wires
 * each job to the runner, hides the conversations made for it in the background, and publishes its
 * one usage event (the characters whose audio reached the gateway, priced per thousand).
 */
@Injectable()
export class SpeechJobWorker extends JobWorkerService<SpeechJob, SpeechFrame> {
  private readonly hiding = new Set<Promise<void>>();
  private readonly deps: SpeechDeps;

  constructor(
    @Inject(NATS_CONNECTION) nc: NatsConnection,
    @Inject(VOICE_CONFIG) config: VoiceConfig,
    @Inject(VOICE_LOGGER) private readonly logger: Logger,
    capacity: WorkerCapacity,
    private readonly upstream: VoiceUpstreamClient,
    leases: AccountLeaseClient,
    private readonly usage: UsagePublisher,
  ) {
    super(nc, { protocol: SPEECH_JOBS, capacity, config, logger, doing: 'speaking' });
    this.deps = { upstream, leases, retryTimes: config.RETRY_TIMES, pieceChars: config.SPEECH_PIECE_CHARS, hideLater: this.hideLater };
  }

  /** Running jobs drain first; then the conversations made for them are hidden before the service goes. */
  override async onApplicationShutdown(): Promise<void> {
    await super.onApplicationShutdown();
    await Promise.all(this.hiding);
  }

  private hideLater = (identity: UpstreamIdentity, conversationId: string) => {
    const hidden = this.upstream.hide(identity, conversationId).then((ok) => {
      if (!ok) this.logger.warn({ conversationId }, 'could not hide the conversation made for speech');
    });
    this.hiding.add(hidden);
    void hidden.finally(() => this.hiding.delete(hidden));
  };

  protected async handle(run: JobRun<SpeechJob, SpeechFrame>): Promise<void> {
    const { job } = run;
    const ending = new JobEnding();
    const ctx: SpeechJobContext = {
      job,
      abort: run.abort,
      account: null,
      spokenCharacters: 0,
      sendControl: (frame) => {
        if (run.ended) return;
        ending.observe(frame);
        run.send(frame);
      },
      sendAudio: (bytes) => run.send({ t: 'audio', bytes }),
      drained: () => run.drained(),
    };
    const started = performance.now();
    try {
      await runSpeechJob(ctx, this.deps);
    } finally {
      this.usage.publish(
        usageEvent(job, {
          model: job.model,
          kind: 'speech',
          upstream: 'chatgpt',
          account: ctx.account,
          characters: ctx.spokenCharacters,
          ...ending.outcome(run.abort.signal.aborted),
          latencyMs: performance.now() - started,
        }),
      );
    }
  }
}
