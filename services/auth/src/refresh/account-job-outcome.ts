import type { RefreshResult } from '../accounts/account-refresher.service.js';

/**
 * What one attempt of an account job means for the job and for its pass:
 * - `done`: refreshed; the pass counts it done.
 * - `dead`: the credential will never work again (the refresher already marked the account
 *   `needs_token`); no retry, the pass counts it failed.
 * - `retry`: transient; BullMQ tries again after a backoff, the pass waits.
 * - `exhausted`: transient on the last attempt; the pass counts it failed.
 */
export type AccountJobOutcome = { kind: 'done' } | { kind: 'dead'; reason: string } | { kind: 'retry'; reason: string } | { kind: 'exhausted'; reason: string };

/** @param attemptsMade attempts that failed before this one (BullMQ's `job.attemptsMade`). */
export function accountJobOutcome(result: RefreshResult, attemptsMade: number, attempts: number): AccountJobOutcome {
  if (result.ok) return { kind: 'done' };
  if (result.dead) return { kind: 'dead', reason: result.message };
  return attemptsMade + 1 >= attempts ? { kind: 'exhausted', reason: result.message } : { kind: 'retry', reason: result.message };
}
