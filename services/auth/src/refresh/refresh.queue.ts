import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { Queue, type JobSchedulerJson } from 'bullmq';
import type { Logger } from '@chatgate/service-kit';
import { AUTH_CONFIG, AUTH_LOGGER, type AuthConfig } from '../auth.config.js';
import { bullConnection, refreshQueuePrefix } from './refresh-connection.js';
import {
  FORCED_PASS_CHECK_JOB,
  FORCED_PASS_CHECK_PATTERN,
  FORCED_PASS_SCHEDULER_ID,
  REFRESH_ACCOUNT_JOB,
  REFRESH_QUEUE,
  refreshJobId,
  type RefreshAccountJobData,
} from './refresh-jobs.js';

/** addBulk sends one script call per job in one round trip; chunks keep a 10,000-account pass from building one huge request. */
const BULK_CHUNK = 500;
/** A check that finds a pass still running is tried again this often, up to this many times. */
const CHECK_RETRY_MS = 5 * 60_000;
const CHECK_ATTEMPTS = 12;

/**
 * The producer side of `chatgate-auth-refresh`: account jobs (one id per account, so a second add
 * while one is pending is a no-op in Redis, across replicas) and the daily job scheduler.
 */
@Injectable()
export class RefreshQueue implements OnApplicationShutdown {
  readonly queue: Queue;

  constructor(
    @Inject(AUTH_CONFIG) private readonly config: AuthConfig,
    @Inject(AUTH_LOGGER) private readonly logger: Logger,
  ) {
    this.queue = new Queue(REFRESH_QUEUE, {
      connection: bullConnection(config),
      prefix: refreshQueuePrefix(config),
      // The events stream is read by nobody in production; keep it short.
      streams: { events: { maxLen: 1000 } },
    });
    this.queue.on('error', (err) => this.logger.warn({ err: err.message }, 'refresh queue: redis error'));
  }

  /** Queues one job per account; accounts that already have a pending job keep that one. */
  async enqueueAccounts(accountIds: readonly string[], passId: string | null, force: boolean): Promise<void> {
    const opts = {
      attempts: this.config.REFRESH_ATTEMPTS,
      backoff: { type: 'exponential', delay: this.config.REFRESH_BACKOFF_MS },
      // Gone once finished, so the next pass can queue the account again under the same id.
      removeOnComplete: true,
      removeOnFail: true,
    };
    for (let i = 0; i < accountIds.length; i += BULK_CHUNK) {
      const chunk = accountIds.slice(i, i + BULK_CHUNK);
      await this.queue.addBulk(
        chunk.map((accountId) => ({ name: REFRESH_ACCOUNT_JOB, data: { accountId, passId, force } satisfies RefreshAccountJobData, opts: { ...opts, jobId: refreshJobId(accountId) } })),
      );
    }
  }

  /** Daily at 03:00 in `tz`; upserting the same id from every replica keeps one scheduler. */
  async scheduleForcedPassCheck(tz: string): Promise<void> {
    await this.queue.upsertJobScheduler(
      FORCED_PASS_SCHEDULER_ID,
      { pattern: FORCED_PASS_CHECK_PATTERN, tz },
      {
        name: FORCED_PASS_CHECK_JOB,
        data: {},
        opts: { attempts: CHECK_ATTEMPTS, backoff: { type: 'fixed', delay: CHECK_RETRY_MS }, removeOnComplete: { count: 20 }, removeOnFail: { count: 20 } },
      },
    );
  }

  /** With SCHEDULED_REFRESH off, a scheduler left by an earlier configuration must stop firing. */
  async unscheduleForcedPassCheck(): Promise<void> {
    await this.queue.removeJobScheduler(FORCED_PASS_SCHEDULER_ID);
  }

  forcedPassCheckSchedule(): Promise<JobSchedulerJson | undefined> {
    return this.queue.getJobScheduler(FORCED_PASS_SCHEDULER_ID);
  }

  /** After the worker (closed before shutdown, see RefreshWorker): nothing adds jobs any more. */
  async onApplicationShutdown(): Promise<void> {
    await this.queue.close();
  }
}
