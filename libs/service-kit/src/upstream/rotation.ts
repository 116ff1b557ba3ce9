import { outcomeOf, poolTokensRefused, type BusError } from '@chatgate/contracts';
import type { Attempt, IdentitySource, LeasedAttempt } from './identity-source.js';

/**
 * One attempt's result: what it produced, or the failure met before anything reached the client
 * (with, for a used-up Codex account, the moment its usage resets: auth cools it until then).
 */
export type AttemptResult<T> = { ok: true; value: T } | { ok: false; failure: BusError; resetsAtSec?: number };

/** The rotation's result: the first success, the failure the client should get, or a request its client cancelled. */
export type RotationResult<T> = AttemptResult<T> | { ok: false; cancelled: true };

/**
 * Runs `once` with one identity after another until one succeeds: the one rotation of every
 * upstream-facing service. A failure whose code says another account may fare better
 * (`outcomeOf`) is reported and moves to the next pool account, up to `retryTimes` accounts; a 401
 * first gets one refresh of the same account. When the pool has no account left, a cooling pool's
 * 429 (which says when it frees up) wins over the last real error. A request cancelled meanwhile
 * ends as such (nobody is listening for a failure).
 */
export async function withRotation<T>(
  source: IdentitySource,
  retryTimes: number,
  once: (attempt: LeasedAttempt) => Promise<AttemptResult<T>>,
  signal?: AbortSignal,
): Promise<RotationResult<T>> {
  let lastFailure: BusError | null = null;
  for (let accounts = 0; accounts < retryTimes; accounts++) {
    let current: Attempt = await source.next();
    if (!current.ok) return { ok: false, failure: rotationFailure(source, lastFailure, current.failure) };
    for (;;) {
      const result = await once(current);
      if (result.ok) return result;
      if (signal?.aborted) return { ok: false, cancelled: true };
      lastFailure = result.failure;
      if (!source.rotates || !outcomeOf(result.failure)) return result;
      const retry: Attempt | null = await source.failed(current, result.failure, result.resetsAtSec !== undefined ? { resetsAtSec: result.resetsAtSec } : undefined);
      // No second chance for this account (or its refresh failed): the next account, if any.
      if (!retry || !retry.ok) break;
      current = retry;
    }
  }
  return { ok: false, failure: rotationFailure(source, lastFailure) };
}

/**
 * What the client gets once a rotation gives up: a cooling pool's 429 (it says when the pool frees
 * up) over the last attempt's failure, that failure over any other pool answer. A pool account's
 * refused token (401) is the pool's trouble, so the client gets the pool's 503: SDKs read a 401 as
 * their own key being wrong. Only a caller's own token (a source that does not rotate) answers 401.
 */
export function rotationFailure(source: Pick<IdentitySource, 'rotates'>, lastFailure: BusError | null, poolFailure?: BusError): BusError {
  const last = lastFailure && source.rotates && lastFailure.error.code === 'upstream_unauthorized' ? poolTokensRefused() : lastFailure;
  if (!poolFailure) return last!;
  return last && poolFailure.status !== 429 ? last : poolFailure;
}
