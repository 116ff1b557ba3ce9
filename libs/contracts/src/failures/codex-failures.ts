import type { AccountOutcome } from '../accounts/accounts.schemas.js';
import type { BusError } from '../common/openai-error.js';
import { codeGuard, failureOf, unhandled, type Envelope, type FailureDetails } from './failure.js';

/**
 * The codex family: how one attempt with a tenant's Codex account (the Codex backend, reference
 * upstream-codex.md §1, §3) failed. Codex accounts are pooled only (a caller's own token never reaches
 * them), so an account's refusal is the operator's to fix: 502, never 401. The backend's 400s about the
 * request itself reach the client as 400s, in OpenAI's envelope. `codexRotationOf` says what each code
 * tells about the account, and so whether the request moves on to another one.
 */
export const CODEX_FAILURE_CODES = [
  'upstream_unauthorized',
  'upstream_blocked',
  'usage_limit_reached',
  'rate_limit_exceeded',
  'model_not_found',
  'upstream_bad_request',
  'context_length_exceeded',
  'upstream_error',
  'upstream_unavailable',
  'upstream_timeout',
  'upstream_stream_cut',
  'proxy_unreachable',
] as const;
export type CodexFailureCode = (typeof CODEX_FAILURE_CODES)[number];
export const isCodexFailureCode = codeGuard(CODEX_FAILURE_CODES);

export const CODEX_FAILURES = {
  upstream_unauthorized: { status: 502, type: 'upstream_error' },
  upstream_blocked: { status: 502, type: 'upstream_error' },
  usage_limit_reached: { status: 429, type: 'rate_limit_error' },
  rate_limit_exceeded: { status: 429, type: 'rate_limit_error' },
  model_not_found: { status: 404, type: 'invalid_request_error' },
  upstream_bad_request: { status: 400, type: 'invalid_request_error' },
  context_length_exceeded: { status: 400, type: 'invalid_request_error' },
  upstream_error: { status: 502, type: 'upstream_error' },
  upstream_unavailable: { status: 502, type: 'upstream_error' },
  upstream_timeout: { status: 504, type: 'upstream_error' },
  upstream_stream_cut: { status: 502, type: 'upstream_error' },
  proxy_unreachable: { status: 502, type: 'upstream_error' },
} as const satisfies Record<CodexFailureCode, Envelope>;

export const codexFailure = (code: CodexFailureCode, message: string, details?: FailureDetails): BusError => failureOf(CODEX_FAILURES, code, message, details);

/**
 * What a Codex attempt's failure before the first byte says about the account (the outcome reported
 * to auth) and whether another account may fare better. A code shared with the upstream family means
 * the same there (`failures.spec.ts` holds them to it), since `outcomeOf` reads codes off the wire.
 */
export function codexRotationOf(code: CodexFailureCode): AccountOutcome | null {
  switch (code) {
    case 'upstream_unauthorized':
      return 'unauthorized';
    case 'upstream_blocked':
      return 'forbidden';
    case 'usage_limit_reached':
      return 'usage_limited';
    case 'rate_limit_exceeded':
      return 'rate_limited';
    case 'model_not_found':
      return 'model_not_found';
    case 'upstream_error':
    case 'upstream_unavailable':
    case 'upstream_timeout':
    case 'upstream_stream_cut':
      return 'upstream_error';
    case 'upstream_bad_request':
    case 'context_length_exceeded':
    case 'proxy_unreachable':
      return null;
    default:
      return unhandled(code);
  }
}

// The texts, each written once.

export const codexLoginRefused = () =>
  codexFailure('upstream_unauthorized', "The Codex backend refused the account's login (expired or revoked) even after a refresh; an administrator has to sign the account in again.");

export const codexChallenge = () =>
  codexFailure(
    'upstream_blocked',
    "The Codex backend answered with an anti-bot challenge page (cf-mitigated: challenge); chatgate does not solve challenges. The account's network path (its outbound proxy) needs an administrator's attention.",
  );

export const codexRefused = (detail?: string) => codexFailure('upstream_blocked', `The Codex backend refused the request for this account${detail ? `: ${detail}` : '.'}`);

/** A 429 `usage_limit_reached` (or `usage_not_included`): the account's plan allows no more until its window resets. */
export const codexUsageLimited = (resetsInSec?: number) =>
  codexFailure('usage_limit_reached', `The Codex account reached its usage limit.${resetsInSec !== undefined ? ` It resets in ${resetsInSec} seconds.` : ''}`, { retryAfterSec: resetsInSec });

export const codexRateLimited = (retryAfterSec?: number) =>
  codexFailure('rate_limit_exceeded', `The Codex backend is rate limiting this account.${retryAfterSec !== undefined ? ` Try again in ${retryAfterSec} seconds.` : ''}`, { retryAfterSec });

/** The backend's "not supported when using Codex with a ChatGPT account": the account's plan lacks the model. */
export const codexModelUnavailable = (model: string) =>
  codexFailure('model_not_found', `The model '${model}' is not available on the plan of the tenant's Codex accounts that were tried.`);

export const codexBadRequest = (message: string, param: string | null = null) => codexFailure('upstream_bad_request', message, { param });

export const codexContextTooLong = (message: string) => codexFailure('context_length_exceeded', message);

export const codexStatusFailed = (status: number) => codexFailure('upstream_error', `The Codex backend failed with status ${status}.`);

/** An answer chatgate cannot use, or an error the backend reported in its stream. */
export const codexUpstreamError = (message: string) => codexFailure('upstream_error', message);

export const codexUnreachable = (reason: string) => codexFailure('upstream_unavailable', `The Codex backend could not be reached (${reason}).`);

export const codexTimeout = () => codexFailure('upstream_timeout', 'The Codex backend did not answer in time.');

export const codexStreamCut = () => codexFailure('upstream_stream_cut', 'The Codex backend closed the reply before it was complete.');
