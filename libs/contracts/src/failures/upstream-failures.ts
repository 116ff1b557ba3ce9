import type { AccountOutcome } from '../accounts/accounts.schemas.js';
import type { BusError } from '../common/openai-error.js';
import { codexRotationOf, isCodexFailureCode } from './codex-failures.js';
import { codeGuard, failureOf, unhandled, type Envelope, type FailureDetails } from './failure.js';

/**
 * The upstream family: how one attempt with an upstream account (a ChatGPT login, for chat, the web
 * relay, uploads, file downloads and voice) failed. Each code says, through `rotationOf`, what it
 * tells about the account and so whether the request moves on to another one.
 */
export const UPSTREAM_FAILURE_CODES = [
  'upstream_unauthorized',
  'upstream_blocked',
  'model_not_found',
  'rate_limit_exceeded',
  'model_cap_exceeded',
  'upstream_error',
  'upstream_unavailable',
  'upstream_timeout',
  'upstream_stream_cut',
  'upstream_bad_request',
  'unsupported_handoff',
  'proxy_unreachable',
  'upstream_upload_failed',
  'file_processing_failed',
  'file_processing_timeout',
  'upstream_unreachable',
  'file_not_found',
] as const;
export type UpstreamFailureCode = (typeof UPSTREAM_FAILURE_CODES)[number];
export const isUpstreamFailureCode = codeGuard(UPSTREAM_FAILURE_CODES);

export const UPSTREAM_FAILURES = {
  upstream_unauthorized: { status: 401, type: 'invalid_request_error' },
  upstream_blocked: { status: 502, type: 'upstream_error' },
  model_not_found: { status: 404, type: 'invalid_request_error' },
  rate_limit_exceeded: { status: 429, type: 'rate_limit_error' },
  model_cap_exceeded: { status: 429, type: 'rate_limit_error' },
  upstream_error: { status: 502, type: 'upstream_error' },
  upstream_unavailable: { status: 502, type: 'upstream_error' },
  upstream_timeout: { status: 504, type: 'upstream_error' },
  upstream_stream_cut: { status: 502, type: 'upstream_error' },
  upstream_bad_request: { status: 502, type: 'upstream_error' },
  unsupported_handoff: { status: 502, type: 'upstream_error' },
  proxy_unreachable: { status: 502, type: 'upstream_error' },
  upstream_upload_failed: { status: 502, type: 'upstream_error' },
  file_processing_failed: { status: 502, type: 'upstream_error' },
  file_processing_timeout: { status: 504, type: 'upstream_error' },
  upstream_unreachable: { status: 502, type: 'upstream_error' },
  file_not_found: { status: 404, type: 'invalid_request_error' },
} as const satisfies Record<UpstreamFailureCode, Envelope>;

export const upstreamFailure = (code: UpstreamFailureCode, message: string, details?: FailureDetails): BusError => failureOf(UPSTREAM_FAILURES, code, message, details);

/**
 * What a failure before the first byte says about the account that met it (reference §7): the
 * outcome reported to auth (cool-down, refresh, error recorded), and a reason to try another
 * account. Null: another account would fare no better (a request the upstream refuses as such, a
 * handoff, the operator's proxies, a file the upstream could not process), so the failure goes to
 * the client as it is.
 */
export function rotationOf(code: UpstreamFailureCode): AccountOutcome | null {
  switch (code) {
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
    case 'upstream_bad_request':
    case 'unsupported_handoff':
    case 'proxy_unreachable':
    case 'upstream_upload_failed':
    case 'file_processing_failed':
    case 'file_processing_timeout':
    case 'upstream_unreachable':
    case 'file_not_found':
      return null;
    default:
      return unhandled(code);
  }
}

/**
 * The rotation outcome of an attempt's failure: by the upstream family (ChatGPT logins), else the
 * codex family (Codex accounts; a code both have means the same in each). A code of another family (a
 * refused request, a record that cannot be read) never rotates; nor does a code the upstream reported
 * inside its own stream that chatgate does not know (`upstreamReported` passes such codes through unchanged).
 */
export function outcomeOf(failure: BusError): AccountOutcome | null {
  const code = failure.error.code;
  if (isUpstreamFailureCode(code)) return rotationOf(code);
  return isCodexFailureCode(code) ? codexRotationOf(code) : null;
}

// The texts, each written once, for the upstream-facing services (conversation and voice alike).

export const challengePage = () =>
  upstreamFailure(
    'upstream_blocked',
    'The upstream answered with an anti-bot challenge page; chatgate does not solve challenges. Point CHATGPT_BASE_URL at an upstream that accepts direct conversation requests.',
  );

/** The access token of the attempt (a pool account's, or the caller's own) was refused. */
export const tokenRefused = () => upstreamFailure('upstream_unauthorized', 'The upstream rejected the ChatGPT access token (expired or revoked).');

export const upstreamRefused = (detail?: string) => upstreamFailure('upstream_blocked', `The upstream refused the request${detail ? `: ${detail}` : '.'}`);

export const modelNotFound = (detail?: string) => upstreamFailure('model_not_found', detail ?? 'The model does not exist for this account.');

export const accountRateLimited = (retryAfterSec?: number) =>
  upstreamFailure('rate_limit_exceeded', `The upstream account reached its message limit for this model.${retryAfterSec !== undefined ? ` Try again in ${retryAfterSec} seconds.` : ''}`, { retryAfterSec });

export const upstreamStatusFailed = (status: number) => upstreamFailure('upstream_error', `The upstream failed with status ${status}.`);

/** A 4xx that is not the account's fault (a voice, a conversation or a field the upstream does not know). */
export const upstreamBadRequest = (status: number, detail?: string) => upstreamFailure('upstream_bad_request', `The upstream refused the request (${status}${detail ? `: ${detail}` : ''}).`);

export const upstreamUnexpectedStatus = (status: number) => upstreamFailure('upstream_error', `The upstream answered with unexpected status ${status}.`);

export const upstreamUnreachable = (reason: string) => upstreamFailure('upstream_unavailable', `The upstream could not be reached (${reason}).`);

export const upstreamTimeout = (who = 'The upstream') => upstreamFailure('upstream_timeout', `${who} did not answer in time.`);

/** The answer (`the reply`, `the audio`) began and broke off before its end. */
export const streamCutMessage = (what = 'the reply') => `The upstream closed ${what} before it was complete.`;
export const upstreamStreamCut = (what?: string) => upstreamFailure('upstream_stream_cut', streamCutMessage(what));

/** An answer chatgate cannot use (`more than an account answer holds`, `JSON that could not be read`). */
export const upstreamUnreadable = (what: string) => upstreamFailure('upstream_error', `The upstream answered with ${what}.`);

export const unsupportedHandoff = () => upstreamFailure('unsupported_handoff', 'This model handed the reply off to another transport, which only the ChatGPT web client can follow.');

/** No outbound proxy could carry the request. Names no proxy: their addresses are the operator's business. */
export const proxyUnreachable = (configured: number, coolOffMs: number) =>
  upstreamFailure(
    'proxy_unreachable',
    `No outbound proxy could carry the request to the upstream (${configured} configured in PROXY_URL_POOL/PROXY_URL; one that fails is tried again after ${Math.round(coolOffMs / 1000)} s). chatgate does not bypass configured proxies.`,
  );

/**
 * An error the upstream reported inside its stream (a document's error, a top-level error string).
 * An account cap is a rate limit (another account may serve it). Any other code the upstream named
 * reaches the client as the upstream wrote it, at 502 (the stream had begun with a 200); it rotates
 * only if it is one of this family's codes (`outcomeOf`).
 */
export function upstreamReported(message: string, upstreamCode: string | null): BusError {
  if (upstreamCode === 'rate_limit_exceeded' || upstreamCode === 'model_cap_exceeded') {
    return upstreamFailure(upstreamCode, `The upstream account reached its limit for this model: ${message}`);
  }
  const text = `The upstream reported an error: ${message}`;
  if (upstreamCode === null) return upstreamFailure('upstream_error', text);
  return { status: 502, error: { message: text, type: 'upstream_error', param: null, code: upstreamCode } };
}
