import type { AccountOutcome, BusError } from '@chatgate/contracts';

/**
 * What a failure before the first byte says about the account that met it (reference §7), or
 * null when another account would fare no better (a bad request, a handoff, a voice the upstream refuses).
 */
export function outcomeOf(failure: BusError): AccountOutcome | null {
  switch (failure.error.code) {
    case 'upstream_unauthorized':
      return 'unauthorized';
    case 'upstream_blocked':
      return 'forbidden';
    case 'model_not_found':
      return 'model_not_found';
    case 'rate_limit_exceeded':
    case 'model_cap_exceeded':
      return 'rate_limited';
    case 'upstream_error':
    case 'upstream_unavailable':
    case 'upstream_timeout':
    case 'upstream_stream_cut':
      return 'upstream_error';
    default:
      return null;
  }
}
