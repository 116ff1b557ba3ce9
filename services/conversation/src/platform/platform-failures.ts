import type { AccountOutcome, BusError } from '@chatgate/contracts';

function error(status: number, message: string, code: string, type = 'upstream_error', retryAfterSec?: number): BusError {
  return { status, error: { message, type, param: null, code }, ...(retryAfterSec !== undefined ? { retryAfterSec } : {}) };
}

/**
 * What an upstream status means for the key that got it. 401 (the key is refused): disabled by
 * auth. 403 (the key may not do this, e.g. a region or project restriction): cooled down briefly.
 * 429: cooled down until retry-after. 5xx: the next key, no cool-down (one failure of a shared
 * service says little about the key). Anything else is the client's own request: passed through.
 */
export function keyOutcomeOf(status: number): AccountOutcome | null {
  if (status === 401) return 'unauthorized';
  if (status === 403) return 'forbidden';
  if (status === 429) return 'rate_limited';
  if (status >= 500) return 'upstream_error';
  return null;
}

/** What the client gets when every key tried failed this way (the upstream's body is not passed: it may name the key). */
export function clientFailureOf(outcome: AccountOutcome, status: number, retryAfterSec: number | undefined): BusError {
  switch (outcome) {
    case 'unauthorized':
      return error(502, 'The upstream refused the API key; an administrator has to replace it.', 'upstream_unauthorized');
    case 'forbidden':
      return error(502, 'The upstream refused the request for this API key.', 'upstream_blocked');
    case 'rate_limited':
      return error(429, `The upstream API key is rate limited.${retryAfterSec !== undefined ? ` Try again in ${retryAfterSec} seconds.` : ''}`, 'rate_limit_exceeded', 'rate_limit_error', retryAfterSec);
    default:
      return error(502, `The upstream failed with status ${status}.`, 'upstream_error');
  }
}

export function platformUnreachable(reason: string): BusError {
  return error(502, `The platform upstream could not be reached (${reason}).`, 'upstream_unavailable');
}

export function platformStreamCut(): BusError {
  return error(502, 'The upstream closed the reply before it was complete.', 'upstream_stream_cut');
}
