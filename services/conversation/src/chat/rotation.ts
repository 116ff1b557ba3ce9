import type { BusError } from '@chatgate/contracts';
import { outcomeOf } from '@chatgate/service-kit';
import type { Attempt, IdentitySource } from './identity-source.js';

/** An attempt either reached the client (whatever happened after) or failed before its first byte. */
export type AttemptResult = { delivered: true } | { delivered: false; failure: BusError };

/**
 * Runs attempts with identities from a source until one reaches the client. A pool request that
 * fails before its first byte moves to the next account, up to `retryTimes` accounts (a 401 first
 * gets one refresh of the same account). Returns the failure the client should get, or null when
 * an attempt delivered (or the request was cancelled). Shared by chat jobs and relay jobs.
 */
export async function withRotation(
  source: IdentitySource,
  retryTimes: number,
  signal: AbortSignal,
  tryOnce: (current: Attempt & { ok: true }) => Promise<AttemptResult>,
): Promise<BusError | null> {
  let lastFailure: BusError | null = null;
  for (let accounts = 0; accounts < retryTimes; accounts++) {
    let current: Attempt = await source.next();
    if (!current.ok) {
      // An exhausted pool: a cooling pool's 429 says when it frees up; otherwise the last real error.
      const poolFailure = current.failure;
      return lastFailure && poolFailure.status !== 429 ? lastFailure : poolFailure;
    }
    for (;;) {
      const result = await tryOnce(current);
      if (result.delivered || signal.aborted) return null;
      lastFailure = result.failure;
      if (!source.rotates || !outcomeOf(result.failure)) return result.failure;
      const retry: Attempt | null = await source.failed(current, result.failure);
      // No second chance for this account (or its refresh failed): the next account, if any.
      if (!retry || !retry.ok) break;
      current = retry;
    }
  }
  return lastFailure;
}
