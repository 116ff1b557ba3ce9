import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from '@chatgate/service-kit';
import { AUTH_CONFIG, AUTH_LOGGER, type AuthConfig } from '../auth.config.js';
import { toPassView, type RefreshPassView } from './pass-view.js';
import { RefreshClock } from './refresh-clock.js';
import type { RefreshTrigger } from './refresh-pass.entity.js';
import { RefreshPassRepository, type PassFailure } from './refresh-pass.repository.js';
import { RefreshQueue } from './refresh.queue.js';

export type StartPassResult =
  | { started: true; pass: RefreshPassView }
  /** `running`: one pass at a time, and `pass` is the one running. `day_taken`: the scheduled pass of that day exists. */
  | { started: false; reason: 'running' | 'day_taken'; pass: RefreshPassView | null };

const DAY_MS = 86_400_000;
/**
 * A running pass with no account finished for this long lost its jobs (Redis emptied, a job
 * stalled past its limit); it is closed so passes can start again. Never shorter than the
 * longest wait for a retry, so a pass whose last account is backing off is not taken for lost.
 */
export function stallAfterMs(config: Pick<AuthConfig, 'REFRESH_BACKOFF_MS' | 'REFRESH_ATTEMPTS'>): number {
  const longestBackoff = config.REFRESH_BACKOFF_MS * 2 ** Math.max(0, config.REFRESH_ATTEMPTS - 2);
  return Math.min(24 * 3600_000, Math.max(15 * 60_000, 2 * longestBackoff));
}
const KEEP_ACCOUNT_LISTS_DAYS = 30;

/**
 * Refresh passes: select accounts, record the pass, queue one job per account. Progress is
 * counted by the jobs (RefreshAccountJob) and read here. This is the API of the admin side:
 * `start`, `latest`, `current`, `recent`, `get`, `failures`.
 */
@Injectable()
export class RefreshPassService {
  constructor(
    private readonly passes: RefreshPassRepository,
    private readonly queue: RefreshQueue,
    private readonly clock: RefreshClock,
    @Inject(AUTH_CONFIG) private readonly config: AuthConfig,
    @Inject(AUTH_LOGGER) private readonly logger: Logger,
  ) {}

  /**
   * Starts a pass unless one is running. Forced: every account with a refresh or session token
   * that is not disabled. Not forced: the usable ones whose access token expires within
   * REFRESH_MARGIN_DAYS. Returns once the jobs are queued, not when they are done.
   */
  start(forced: boolean, trigger: RefreshTrigger): Promise<StartPassResult> {
    return this.open(forced, trigger, null);
  }

  /** The scheduled forced pass for one REFRESH_TZ calendar day; a second claim of the day starts nothing. */
  startScheduled(day: string): Promise<StartPassResult> {
    return this.open(true, 'schedule', day);
  }

  /** The most recent pass, running or finished. */
  async latest(): Promise<RefreshPassView | null> {
    const pass = await this.passes.latest();
    return pass ? toPassView(pass) : null;
  }

  /** The most recent passes, running or finished, newest first. */
  async recent(limit: number): Promise<RefreshPassView[]> {
    return (await this.passes.recent(limit)).map(toPassView);
  }

  /** The pass running now, if any. */
  async current(): Promise<RefreshPassView | null> {
    const pass = await this.passes.current();
    return pass ? toPassView(pass) : null;
  }

  async get(id: string): Promise<RefreshPassView | null> {
    const pass = await this.passes.byId(id);
    return pass ? toPassView(pass) : null;
  }

  /** The accounts a pass counted as failed, with each account's last error (never a token). */
  failures(passId: string, limit = 100): Promise<PassFailure[]> {
    return this.passes.failures(passId, limit);
  }

  async lastForcedStart(): Promise<Date | null> {
    return this.passes.lastForcedStart();
  }

  private async open(forced: boolean, trigger: RefreshTrigger, scheduleDay: string | null): Promise<StartPassResult> {
    const closed = await this.passes.closeStalled(stallAfterMs(this.config));
    if (closed) this.logger.warn({ passes: closed }, 'closed refresh passes that made no progress');
    const now = this.clock.now();
    const opened = await this.passes.open({
      forced,
      trigger,
      startedAt: now,
      expiringBefore: new Date(now.getTime() + this.config.REFRESH_MARGIN_DAYS * DAY_MS),
      scheduleDay,
    });
    if (!opened) {
      const taken = scheduleDay ? await this.passes.byScheduleDay(scheduleDay) : null;
      if (taken) return { started: false, reason: 'day_taken', pass: toPassView(taken) };
      return { started: false, reason: 'running', pass: await this.current() };
    }
    const { pass, accountIds } = opened;
    try {
      await this.queue.enqueueAccounts(accountIds, pass.id, forced);
    } catch (err) {
      await this.passes.abandon(pass.id);
      throw err;
    }
    this.logger.info({ passId: pass.id, forced, trigger, total: pass.total }, 'refresh pass started');
    await this.passes.pruneAccountLists(KEEP_ACCOUNT_LISTS_DAYS).catch(() => undefined);
    return { started: true, pass: toPassView(pass) };
  }
}
