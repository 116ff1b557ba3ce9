import { Inject, Injectable, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import type { Logger } from '@chatgate/service-kit';
import { AUTH_CONFIG, AUTH_LOGGER, type AuthConfig } from '../auth.config.js';
import { calendarDay, isForcedPassDue } from './forced-pass-due.js';
import type { RefreshPassView } from './pass-view.js';
import { RefreshClock } from './refresh-clock.js';
import { RefreshPassService } from './refresh-pass.service.js';
import { RefreshQueue } from './refresh.queue.js';

export type ScheduledCheckResult =
  | { action: 'started'; pass: RefreshPassView }
  /** `recent`: the last forced pass is younger than REFRESH_INTERVAL_DAYS. `day_taken`: another replica or an earlier run took this day. */
  | { action: 'skipped'; reason: 'recent' | 'day_taken' }
  /** Due, but another pass is running: the scheduler's job is retried later the same day. */
  | { action: 'deferred'; reason: 'running' };

/**
 * With SCHEDULED_REFRESH=true: a non-forced pass at start, and the daily 03:00 check that starts a
 * forced pass when the last one is REFRESH_INTERVAL_DAYS calendar days old (RefreshWorker runs it).
 */
@Injectable()
export class RefreshScheduleService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private boot: Promise<void> = Promise.resolve();

  constructor(
    private readonly passes: RefreshPassService,
    private readonly queue: RefreshQueue,
    private readonly clock: RefreshClock,
    @Inject(AUTH_CONFIG) private readonly config: AuthConfig,
    @Inject(AUTH_LOGGER) private readonly logger: Logger,
  ) {}

  /** Not awaited: a start-up pass over many accounts must not hold the service's start. */
  onApplicationBootstrap(): void {
    this.boot = this.setUp().catch((err: unknown) => this.logger.error({ err: err instanceof Error ? err.message : String(err) }, 'refresh schedule set-up failed'));
  }

  /** Shutdown waits for the start-up work, which still needs Postgres and Redis. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.boot;
  }

  /** The daily check. `now` comes from RefreshClock, so tests can stand on any day. */
  async runScheduledCheck(now: Date = this.clock.now()): Promise<ScheduledCheckResult> {
    const tz = this.config.REFRESH_TZ;
    if (!isForcedPassDue(await this.passes.lastForcedStart(), now, tz, this.config.REFRESH_INTERVAL_DAYS)) return { action: 'skipped', reason: 'recent' };
    const result = await this.passes.startScheduled(calendarDay(now, tz));
    if (result.started) return { action: 'started', pass: result.pass };
    return result.reason === 'day_taken' ? { action: 'skipped', reason: 'day_taken' } : { action: 'deferred', reason: 'running' };
  }

  private async setUp(): Promise<void> {
    if (!this.config.SCHEDULED_REFRESH) {
      await this.queue.unscheduleForcedPassCheck();
      return;
    }
    await this.queue.scheduleForcedPassCheck(this.config.REFRESH_TZ);
    const result = await this.passes.start(false, 'startup');
    if (!result.started) this.logger.info({ reason: result.reason }, 'start-up refresh pass not started');
  }
}
