import { Inject, Injectable } from '@nestjs/common';
import { UnrecoverableError, type Job } from 'bullmq';
import type { Logger } from '@chatgate/service-kit';
import { AccountRefresher, type RefreshResult } from '../accounts/account-refresher.service.js';
import { UpstreamAccountsRepository } from '../accounts/upstream-accounts.repository.js';
import { AUTH_CONFIG, AUTH_LOGGER, type AuthConfig } from '../auth.config.js';
import { AccountPoolService } from '../pool/account-pool.service.js';
import { accountJobOutcome } from './account-job-outcome.js';
import { RefreshClock } from './refresh-clock.js';
import type { RefreshAccountJobData } from './refresh-jobs.js';
import { RefreshPassRepository } from './refresh-pass.repository.js';

export type AccountJobResult = 'refreshed' | 'still_fresh' | 'disabled';

const DAY_MS = 86_400_000;

/**
 * One account job: refresh through AccountRefresher (which holds the account's advisory lock and
 * stores a rotated refresh token before returning), let every replica's pool drop its snapshot,
 * and count the outcome for the pass once it is final.
 */
@Injectable()
export class RefreshAccountJob {
  constructor(
    private readonly refresher: AccountRefresher,
    private readonly accounts: UpstreamAccountsRepository,
    private readonly pool: AccountPoolService,
    private readonly passes: RefreshPassRepository,
    private readonly clock: RefreshClock,
    @Inject(AUTH_CONFIG) private readonly config: AuthConfig,
    @Inject(AUTH_LOGGER) private readonly logger: Logger,
  ) {}

  async run(job: Job<RefreshAccountJobData>): Promise<AccountJobResult> {
    const { accountId, passId, force } = job.data;
    const row = await this.accounts.findById(accountId);
    // Disabled since it was queued: a refresh would store it as active again.
    if (row?.status === 'disabled') {
      await this.passes.recordOutcome(accountId, 'done');
      return 'disabled';
    }
    // Refreshed since it was queued (a 401, a lease close to expiry): a non-forced job has nothing to do.
    const expiresAt = row?.accessTokenExpiresAt?.getTime();
    if (!force && expiresAt !== undefined && expiresAt > this.clock.now().getTime() + this.config.REFRESH_MARGIN_DAYS * DAY_MS) {
      await this.passes.recordOutcome(accountId, 'done');
      return 'still_fresh';
    }
    let result: RefreshResult;
    try {
      result = await this.refresher.refresh(accountId);
    } catch (err) {
      // The database or the network failed under the refresher: transient like an upstream 5xx.
      result = { ok: false, dead: false, message: err instanceof Error ? err.message : String(err) };
    }
    // Token, status or last error changed: the tenant's pool, on every replica, forgets its snapshot.
    if (row) this.pool.announceChanged(row.tenantId, [accountId]);

    const outcome = accountJobOutcome(result, job.attemptsMade, job.opts.attempts ?? 1);
    switch (outcome.kind) {
      case 'done':
        await this.passes.recordOutcome(accountId, 'done');
        return 'refreshed';
      case 'dead':
        // The refresher has marked the account needs_token; retrying a dead credential is pointless.
        await this.passes.recordOutcome(accountId, 'failed');
        throw new UnrecoverableError(outcome.reason);
      case 'exhausted':
        await this.passes.recordOutcome(accountId, 'failed');
        this.logger.warn({ accountId, passId, attempts: job.attemptsMade + 1 }, 'account refresh gave up after its last attempt');
        throw new Error(outcome.reason);
      case 'retry':
        throw new Error(outcome.reason);
    }
  }
}
