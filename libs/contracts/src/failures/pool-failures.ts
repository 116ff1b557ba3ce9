import type { BusError } from '../common/openai-error.js';
import { failureOf, type Envelope, type FailureDetails } from './failure.js';

/**
 * The pool family: auth's answers to a lease (no account can be handed out). A lease failure ends
 * the request's rotation at once: there is no other account to try.
 */
export const POOL_FAILURE_CODES = ['pool_unavailable', 'pool_error', 'no_usable_account', 'rate_limit_exceeded', 'malformed_request'] as const;
export type PoolFailureCode = (typeof POOL_FAILURE_CODES)[number];

export const POOL_FAILURES = {
  pool_unavailable: { status: 503, type: 'server_error' },
  pool_error: { status: 503, type: 'server_error' },
  no_usable_account: { status: 503, type: 'server_error' },
  /** Every account that could serve the model is cooling down for it: the retry-after says when the first frees up. */
  rate_limit_exceeded: { status: 429, type: 'rate_limit_error' },
  malformed_request: { status: 500, type: 'server_error' },
} as const satisfies Record<PoolFailureCode, Envelope>;

export const poolFailure = (code: PoolFailureCode, message: string, details?: FailureDetails): BusError => failureOf(POOL_FAILURES, code, message, details);

/** Auth did not answer a lease, plans or report request. */
export const poolUnavailable = () => poolFailure('pool_unavailable', 'The account pool is unavailable. Try again shortly.');

/**
 * Every pool account a request tried was refused by the upstream (401, a refreshed token included).
 * The pool's trouble, not the caller's: a 401 would tell an SDK that its own key is wrong.
 */
export const poolTokensRefused = () =>
  poolFailure('no_usable_account', 'The upstream refused the access token of every pool account tried (also after a refresh); they are set aside until an administrator checks them. Try again shortly.');
