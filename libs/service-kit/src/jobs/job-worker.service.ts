import type { NatsConnection } from '@nats-io/transport-node';
import { jobCrashed, type JobFrameBase, type JobProtocol } from '@chatgate/contracts';
import type { Logger } from '../logging/logger.js';
import type { WorkerCapacity } from './worker-capacity.js';
import { JobWorker, type JobRun } from './job-worker.js';

/** What every worker service's config holds for its job workers (libs/config: `workerEnv` and every service's shutdown grace). */
export interface JobWorkerConfig {
  WORKER_HEARTBEAT_MS: number;
  SHUTDOWN_GRACE_MS: number;
}

export interface JobWorkerServiceOptions<Job extends { requestId: string }, Frame extends JobFrameBase> {
  protocol: JobProtocol<Job, Frame>;
  capacity: WorkerCapacity;
  config: JobWorkerConfig;
  logger: Logger;
  /** What the worker was doing, for the answer to a job whose handler threw ("The chat worker failed while answering."). */
  doing: string;
}

/**
 * A service's worker for one job protocol, for the application's lifetime: it takes jobs once the
 * application has started (Nest calls `onApplicationBootstrap`) and drains them when it stops
 * (`onApplicationShutdown`). A job kind's worker extends it and says how to `handle` one job; the
 * loop, heartbeats, cancels, the concurrency cap and the shutdown grace are JobWorker's.
 */
export abstract class JobWorkerService<Job extends { requestId: string }, Frame extends JobFrameBase> {
  protected readonly worker: JobWorker<Job, Frame>;

  protected constructor(nc: NatsConnection, options: JobWorkerServiceOptions<Job, Frame>) {
    const { protocol, capacity, config, logger, doing } = options;
    this.worker = new JobWorker(nc, {
      protocol,
      capacity,
      heartbeatMs: config.WORKER_HEARTBEAT_MS,
      shutdownGraceMs: config.SHUTDOWN_GRACE_MS,
      logger,
      crashed: jobCrashed(protocol, doing),
      handle: (run) => this.handle(run),
    });
  }

  /** Runs one job: sends its frames, ending with exactly one `end` or `error`. */
  protected abstract handle(run: JobRun<Job, Frame>): Promise<void>;

  onApplicationBootstrap(): void {
    this.worker.start();
  }

  onApplicationShutdown(): Promise<void> {
    return this.worker.stop();
  }

  /** Jobs running now, waiting for a slot, and taken since start: the basis of the worker's metrics. */
  stats(): { active: number; waiting: number; handled: number } {
    return this.worker.stats();
  }
}
