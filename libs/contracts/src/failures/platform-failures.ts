import type { AccountOutcome } from '../accounts/accounts.schemas.js';
import type { BusError } from '../common/openai-error.js';
import { failureOf, unhandled, type Envelope, type FailureDetails } from './failure.js';
import { streamCutMessage } from './upstream-failures.js';

/**
 * The platform family: how a request with the tenant's API keys (the OpenAI platform API) failed
 * once every key tried failed. Unlike a ChatGPT login's, a refused key is the operator's problem, not
 * the caller's: 502, never 401. Which key failures rotate is decided by HTTP status (`keyOutcomeOf`);
 * a client error (400, 404, 422…) is passed through unchanged and is not a failure of this family.
 */
export const PLATFORM_FAILURE_CODES = [
  'upstream_unauthorized',
  'upstream_blocked',
  'upstream_permission_denied',
  'rate_limit_exceeded',
  'upstream_error',
  'upstream_unavailable',
  'upstream_address_refused',
  'upstream_stream_cut',
] as const;
export type PlatformFailureCode = (typeof PLATFORM_FAILURE_CODES)[number];

export const PLATFORM_FAILURES = {
  upstream_unauthorized: { status: 502, type: 'upstream_error' },
  upstream_blocked: { status: 502, type: 'upstream_error' },
  // The key is fine but may not do this (a project key without the scope): the request's own refusal.
  upstream_permission_denied: { status: 403, type: 'invalid_request_error' },
  rate_limit_exceeded: { status: 429, type: 'rate_limit_error' },
  upstream_error: { status: 502, type: 'upstream_error' },
  upstream_unavailable: { status: 502, type: 'upstream_error' },
  upstream_address_refused: { status: 502, type: 'upstream_error' },
  upstream_stream_cut: { status: 502, type: 'upstream_error' },
} as const satisfies Record<PlatformFailureCode, Envelope>;

export const platformFailure = (code: PlatformFailureCode, message: string, details?: FailureDetails): BusError => failureOf(PLATFORM_FAILURES, code, message, details);

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
export function keyFailureOf(outcome: AccountOutcome, status: number, retryAfterSec: number | undefined): BusError {
  switch (outcome) {
    case 'unauthorized':
      return platformFailure('upstream_unauthorized', 'The upstream refused the API key; an administrator has to replace it.');
    case 'forbidden':
      return platformFailure('upstream_blocked', 'The upstream refused the request for this API key.');
    case 'rate_limited':
    case 'usage_limited': // keyOutcomeOf never says this (a Codex login's outcome); a limit all the same
      return platformFailure('rate_limit_exceeded', `The upstream API key is rate limited.${retryAfterSec !== undefined ? ` Try again in ${retryAfterSec} seconds.` : ''}`, { retryAfterSec });
    case 'model_not_found': // keyOutcomeOf never says this (a key's 404 is the client's to read)
    case 'upstream_error':
      return platformFailure('upstream_error', `The upstream failed with status ${status}.`);
    default:
      return unhandled(outcome);
  }
}

/** A key's base URL that is, or resolves to, an address chatgate never reaches (issue 12: internal or metadata addresses). */
export const platformAddressRefused = (reason: string) =>
  platformFailure('upstream_address_refused', `The API key's base URL is refused: ${reason}. An administrator can allow-list a trusted host:port (PLATFORM_ALLOW_HOSTS).`);

/**
 * A 401 that says the key lacks a permission (OpenAI's "You have insufficient permissions for this
 * operation. Missing scopes: …"): the key works, this request may not use it. The upstream's
 * message is passed on (it names the scope, never the key).
 */
export const platformPermissionDenied = (upstreamMessage: string) =>
  platformFailure('upstream_permission_denied', `The upstream API key may not do this: ${upstreamMessage}`);

/** Whether a 401's message is about a missing permission (the key is valid), not a refused key. */
export function isMissingPermission(message: string): boolean {
  return /insufficient permissions|missing scopes?/i.test(message);
}

export const platformUnreachable = (reason: string) => platformFailure('upstream_unavailable', `The platform upstream could not be reached (${reason}).`);

export const platformStreamCut = () => platformFailure('upstream_stream_cut', streamCutMessage());
