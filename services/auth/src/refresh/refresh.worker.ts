import { Inject, Injectable, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Logger } from '@chatgate/service-kit';
import { AUTH_CONFIG, AUTH_LOGGER, type AuthConfig } from '../auth.config.js';
import { RefreshAccountJob } from './refresh-account.job.js';
import { bullConnection, refreshQueuePrefix } from './refresh-connection.js';
import { FORCED_PASS_CHECK_JOB, REFRESH_ACCOUNT_JOB, REFRESH_QUEUE, type RefreshAccountJobData, type RefreshJobData } from './refresh-jobs.js';
import { RefreshScheduleService } from './refresh-schedule.service.js';

/**
 * The consumer side of `chatgate-auth-refresh`, on every auth replica. REFRESH_CONCURRENCY jobs
 * at once per replica; REFRESH_RATE_PER_SEC is BullMQ's limiter, kept in Redis and so shared by
 * all replicas. Created idle: it starts taking jobs once the whole app is initialised.
 */
@Injectable()
export class RefreshWorker implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly worker: Worker<RefreshJobData>;

  constructor(
    private readonly accountJob: RefreshAccountJob,
    private readonly schedule: RefreshScheduleService,
    @Inject(AUTH_CONFIG) config: AuthConfig,
    @Inject(AUTH_LOGGER) private readonly logger: Logger,
  ) {
    this.worker = new Worker<RefreshJobData>(REFRESH_QUEUE, (job) => this.process(job), {
      connection: bullConnection(config),
      prefix: refreshQueuePrefix(config),
      autorun: false,
      concurrency: config.REFRESH_CONCURRENCY,
      limiter: { max: config.REFRESH_RATE_PER_SEC, duration: 1000 },
    });
    this.worker.on('error', (err) => this.logger.warn({ err: err.message }, 'refresh worker: redis error'));
    this.worker.on('failed', (job, err) => {
      if (job?.name === REFRESH_ACCOUNT_JOB) this.logger.debug({ accountId: (job.data as RefreshAccountJobData).accountId, attempt: job.attemptsMade, reason: err.message }, 'account refresh attempt failed');
    });
  }

  onApplicationBootstrap(): void {
    // run() resolves only when the worker closes.
    this.worker.run().catch((err: unknown) => this.logger.error({ err: err instanceof Error ? err.message : String(err) }, 'refresh worker stopped'));
  }

  /**
   * Before the shutdown hooks close Postgres, NATS and Redis: close() lets the jobs in hand finish
   * (they need all three) and takes no new ones.
   */
  async beforeApplicationShutdown(): Promise<void> {
    await this.worker.close();
  }

  private async process(job: Job<RefreshJobData>): Promise<unknown> {
    switch (job.name) {
      case REFRESH_ACCOUNT_JOB:
        return this.accountJob.run(job as Job<RefreshAccountJobData>);
      case FORCED_PASS_CHECK_JOB: {
        const result = await this.schedule.runScheduledCheck();
        this.logger.info({ result: result.action, reason: 'reason' in result ? result.reason : undefined }, 'scheduled forced-pass check');
        // Thrown so the scheduler's job is retried (fixed backoff) until the running pass is over.
        if (result.action === 'deferred') throw new Error('a refresh pass is running; the forced pass waits for it');
        return result.action;
      }
      default:
        throw new UnrecoverableError(`unknown refresh job ${job.name}`);
    }
  }
}
