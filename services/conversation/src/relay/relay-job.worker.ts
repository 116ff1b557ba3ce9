import { Inject, Injectable } from '@nestjs/common';
import type { NatsConnection } from '@nats-io/transport-node';
import { RELAY_JOBS, relayTargetUnavailable, type RelayFrame, type RelayJob } from '@chatgate/contracts';
import { JobWorkerService, NATS_CONNECTION, UsagePublisher, WorkerCapacity, type JobRun, type Logger } from '@chatgate/service-kit';
import { CONVERSATION_CONFIG, CONVERSATION_LOGGER, type ConversationConfig } from '../conversation.config.js';
import { RelayTally } from './relay-tally.js';
import { RELAY_TARGETS, type RelayRun, type RelayTarget } from './relay-target.js';

/**
 * Relay jobs (RELAY_JOBS) on service-kit's JobWorker: each goes to the target its `target` names,
 * and a job that accounts for model use publishes one usage event. A job for a target this worker
 * does not have never runs: the gateway returns its limit slot (`relay_target_unavailable`).
 */
@Injectable()
export class RelayJobWorker extends JobWorkerService<RelayJob, RelayFrame> {
  private readonly targets: Map<string, RelayTarget>;

  constructor(
    @Inject(NATS_CONNECTION) nc: NatsConnection,
    @Inject(CONVERSATION_CONFIG) config: ConversationConfig,
    @Inject(CONVERSATION_LOGGER) private readonly logger: Logger,
    @Inject(RELAY_TARGETS) targets: RelayTarget[],
    capacity: WorkerCapacity,
    private readonly usage: UsagePublisher,
  ) {
    super(nc, { protocol: RELAY_JOBS, capacity, config, logger, doing: 'relaying' });
    this.targets = new Map(targets.map((t) => [t.name, t]));
  }

  protected async handle(run: JobRun<RelayJob, RelayFrame>): Promise<void> {
    const { job } = run;
    const target = this.targets.get(job.target);
    if (!target) return run.send({ t: 'error', ...relayTargetUnavailable(job.target) });
    const tally = new RelayTally();
    const relay: RelayRun = {
      job,
      abort: run.abort,
      account: null,
      usage: null,
      send: (frame) => {
        if (run.ended) return;
        tally.observe(frame);
        run.send(frame);
      },
      drained: () => run.drained(),
    };
    const started = performance.now();
    try {
      await target.run(relay);
    } finally {
      const latencyMs = performance.now() - started;
      const { usage } = job;
      // One event per job that used a model, whatever happened; publishing never holds up the reply.
      if (usage) this.usage.publish(tally.event({ job: { ...job, usage }, account: relay.account, counts: relay.usage, cancelled: run.abort.signal.aborted, latencyMs, at: Date.now() }));
      this.logger.debug({ requestId: job.requestId, target: job.target, ms: +latencyMs.toFixed(1), cancelled: run.abort.signal.aborted }, 'relay job done');
    }
  }
}
