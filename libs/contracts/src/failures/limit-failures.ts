import type { BusError } from '../common/openai-error.js';
import { failureOf, type Envelope, type FailureDetails } from './failure.js';

/** The limit family: the caller's limits and budgets, and the usage service that keeps them. */
export const LIMIT_FAILURE_CODES = [
  'usage_limit_exceeded',
  'requests_rate_limit_exceeded',
  'tokens_rate_limit_exceeded',
  'insufficient_quota',
  'model_not_priced',
  'model_not_allowed',
  'usage_unavailable',
  'usage_failed',
  'too_many_concurrent_requests',
] as const;
export type LimitFailureCode = (typeof LIMIT_FAILURE_CODES)[number];

export const LIMIT_FAILURES = {
  // OpenAI's own types for these two.
  usage_limit_exceeded: { status: 429, type: 'requests' },
  // A key's RPM and TPM, with OpenAI's types for them.
  requests_rate_limit_exceeded: { status: 429, type: 'requests' },
  tokens_rate_limit_exceeded: { status: 429, type: 'tokens' },
  insufficient_quota: { status: 429, type: 'insufficient_quota' },
  model_not_priced: { status: 403, type: 'invalid_request_error' },
  model_not_allowed: { status: 403, type: 'invalid_request_error' },
  usage_unavailable: { status: 503, type: 'server_error' },
  usage_failed: { status: 503, type: 'server_error' },
  // Requests one principal has running at once on a gateway (MAX_IN_FLIGHT_PER_PRINCIPAL).
  too_many_concurrent_requests: { status: 429, type: 'requests' },
} as const satisfies Record<LimitFailureCode, Envelope>;

export const limitFailure = (code: LimitFailureCode, message: string, details?: FailureDetails): BusError => failureOf(LIMIT_FAILURES, code, message, details);

/** OpenAI's words for a request over quota. */
export const INSUFFICIENT_QUOTA_MESSAGE = 'You exceeded your current quota, please check your plan and billing details.';

export const insufficientQuota = () => limitFailure('insufficient_quota', INSUFFICIENT_QUOTA_MESSAGE);

/** A budget caps spend, so it cannot admit what has no price (the usage service's price table, no default for it). */
export const modelNotPriced = (model: string) =>
  limitFailure(
    'model_not_priced',
    `The model '${model}' has no price in chatgate's price table, and a budget applies to this key: an administrator must price it (PRICE_TABLE) before budgeted keys can use it.`,
    { param: 'model' },
  );

/** A principal with MAX_IN_FLIGHT_PER_PRINCIPAL requests already running. */
export const tooManyConcurrentRequests = (max: number) =>
  limitFailure(
    'too_many_concurrent_requests',
    `Too many concurrent requests: this credential already has ${max} requests running, the most chatgate runs at once for one user or key. Wait for one to finish, then retry.`,
    { retryAfterSec: 1 },
  );
