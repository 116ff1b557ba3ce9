import { describe, expect, it } from '@jest/globals';
import { accountOutcomeSchema, type AccountOutcome } from '../accounts/accounts.schemas.js';
import {
  CODEX_FAILURE_CODES,
  codexFailure,
  codexRotationOf,
  codexUsageLimited,
  FAILURE_FAMILIES,
  JOB_FAILURE_CODES,
  JOB_FAILURES,
  UPSTREAM_FAILURE_CODES,
  gatewayReturnsSlot,
  keyFailureOf,
  outcomeOf,
  rotationOf,
  slotReturnOf,
  upstreamFailure,
  upstreamReported,
  workerUnavailable,
  type Envelope,
  type CodexFailureCode,
  type ErrorType,
  type JobFailureCode,
  type SlotReturn,
  type UpstreamFailureCode,
} from './index.js';
import { CREDENTIAL_FAILURE_CODES, CONVERSATION_FAILURE_CODES, LIMIT_FAILURE_CODES, PLATFORM_FAILURE_CODES, POOL_FAILURE_CODES, REQUEST_FAILURE_CODES } from './index.js';

// Compile-time: a table that leaves out a code of its family does not type-check.
// @ts-expect-error `worker_busy` and the others are missing
const incomplete: Record<JobFailureCode, Envelope> = { worker_unavailable: { status: 503, type: 'server_error' } };
void incomplete;

const TYPES: ErrorType[] = ['invalid_request_error', 'server_error', 'upstream_error', 'rate_limit_error', 'requests', 'tokens', 'insufficient_quota'];

describe('failure families', () => {
  const lists: Record<keyof typeof FAILURE_FAMILIES, readonly string[]> = {
    job: JOB_FAILURE_CODES,
    upstream: UPSTREAM_FAILURE_CODES,
    platform: PLATFORM_FAILURE_CODES,
    codex: CODEX_FAILURE_CODES,
    request: REQUEST_FAILURE_CODES,
    credential: CREDENTIAL_FAILURE_CODES,
    limit: LIMIT_FAILURE_CODES,
    pool: POOL_FAILURE_CODES,
    conversation: CONVERSATION_FAILURE_CODES,
  };

  it.each(Object.entries(lists))('%s: every code, and nothing else, has an envelope with an error status and a known type', (family, codes) => {
    const table = FAILURE_FAMILIES[family as keyof typeof FAILURE_FAMILIES] as Record<string, Envelope>;
    expect(Object.keys(table).sort()).toEqual([...codes].sort());
    expect(new Set(codes).size).toBe(codes.length);
    for (const code of codes) {
      expect(table[code].status).toBeGreaterThanOrEqual(400);
      expect(table[code].status).toBeLessThan(600);
      expect(TYPES).toContain(table[code].type);
      expect(code).toMatch(/^[a-z]+(_[a-z]+)*$/);
    }
  });

  it('builds a failure from its table: status, type and code together', () => {
    expect(upstreamFailure('rate_limit_exceeded', 'slow down', { retryAfterSec: 3 })).toEqual({
      status: 429,
      error: { message: 'slow down', type: 'rate_limit_error', param: null, code: 'rate_limit_exceeded' },
      retryAfterSec: 3,
    });
    expect(workerUnavailable({ worker: 'voice service' })).toEqual({ status: 503, error: { message: 'No voice service is available. Try again shortly.', type: 'server_error', param: null, code: 'worker_unavailable' } });
  });
});

describe('rotation outcome of an upstream failure', () => {
  const expected: Record<UpstreamFailureCode, AccountOutcome | null> = {
    upstream_unauthorized: 'unauthorized',
    upstream_blocked: 'forbidden',
    model_not_found: 'model_not_found',
    rate_limit_exceeded: 'rate_limited',
    model_cap_exceeded: 'rate_limited',
    upstream_error: 'upstream_error',
    upstream_unavailable: 'upstream_error',
    upstream_timeout: 'upstream_error',
    upstream_stream_cut: 'upstream_error',
    upstream_bad_request: null,
    unsupported_handoff: null,
    proxy_unreachable: null,
    upstream_upload_failed: null,
    file_processing_failed: null,
    file_processing_timeout: null,
    upstream_unreachable: null,
    file_not_found: null,
  };

  it.each(UPSTREAM_FAILURE_CODES.map((code) => ({ code, outcome: expected[code] })))('$code → $outcome', ({ code, outcome }) => {
    expect(rotationOf(code)).toBe(outcome);
    expect(outcomeOf(upstreamFailure(code, 'x'))).toBe(outcome);
  });

  it('never rotates on a code of another family, or on an unknown code the upstream reported', () => {
    expect(outcomeOf(workerUnavailable({ worker: 'w' }))).toBeNull();
    expect(outcomeOf({ status: 400, error: { message: 'x', type: 'invalid_request_error', param: null, code: 'invalid_value' } })).toBeNull();
    expect(outcomeOf({ status: 502, error: { message: 'x', type: 'upstream_error', param: null, code: null } })).toBeNull();
    const reported = upstreamReported('boom', 'internal_error');
    expect(reported).toMatchObject({ status: 502, error: { code: 'internal_error', message: 'The upstream reported an error: boom' } });
    expect(outcomeOf(reported)).toBeNull();
  });

  it('treats an account cap reported in the stream as a rate limit, and a codeless error as upstream_error', () => {
    expect(upstreamReported('capped', 'model_cap_exceeded')).toMatchObject({ status: 429, error: { code: 'model_cap_exceeded', type: 'rate_limit_error' } });
    expect(outcomeOf(upstreamReported('capped', 'model_cap_exceeded'))).toBe('rate_limited');
    expect(outcomeOf(upstreamReported('boom', null))).toBe('upstream_error');
  });
});

describe('rotation outcome of a Codex failure', () => {
  const expected: Record<CodexFailureCode, AccountOutcome | null> = {
    upstream_unauthorized: 'unauthorized',
    upstream_blocked: 'forbidden',
    usage_limit_reached: 'usage_limited',
    rate_limit_exceeded: 'rate_limited',
    model_not_found: 'model_not_found',
    upstream_bad_request: null,
    context_length_exceeded: null,
    upstream_error: 'upstream_error',
    upstream_unavailable: 'upstream_error',
    upstream_timeout: 'upstream_error',
    upstream_stream_cut: 'upstream_error',
    proxy_unreachable: null,
  };

  it.each(CODEX_FAILURE_CODES.map((code) => ({ code, outcome: expected[code] })))('$code → $outcome', ({ code, outcome }) => {
    expect(codexRotationOf(code)).toBe(outcome);
    expect(outcomeOf(codexFailure(code, 'x'))).toBe(outcome);
  });

  it('means the same as the upstream family for every code both have (outcomeOf reads codes off the wire)', () => {
    const shared = CODEX_FAILURE_CODES.filter((code): code is CodexFailureCode & UpstreamFailureCode => (UPSTREAM_FAILURE_CODES as readonly string[]).includes(code));
    expect(shared.length).toBeGreaterThan(5);
    for (const code of shared) expect({ code, outcome: codexRotationOf(code) }).toEqual({ code, outcome: rotationOf(code) });
  });

  it('answers a used-up Codex account with 429 and the seconds until it resets', () => {
    expect(codexUsageLimited(90)).toMatchObject({ status: 429, retryAfterSec: 90, error: { type: 'rate_limit_error', code: 'usage_limit_reached' } });
    expect(codexFailure('upstream_unauthorized', 'x').status).toBe(502);
  });
});

describe('who returns the limit slot of a failed job', () => {
  const expected: Record<JobFailureCode, SlotReturn> = {
    worker_unavailable: 'gateway',
    worker_busy: 'gateway',
    malformed_job: 'gateway',
    relay_target_unavailable: 'gateway',
    request_too_large: 'gateway',
    worker_lost: 'usage_event',
    worker_shutdown: 'usage_event',
    internal_error: 'usage_event',
  };

  it.each(JOB_FAILURE_CODES.map((code) => ({ code, owner: expected[code] })))('$code → $owner', ({ code, owner }) => {
    expect(slotReturnOf(code)).toBe(owner);
    const failure = { status: JOB_FAILURES[code].status, error: { message: 'x', type: JOB_FAILURES[code].type, param: null, code } };
    expect(gatewayReturnsSlot(failure)).toBe(owner === 'gateway');
  });

  it('leaves it to the usage event for any failure a worker answered after running the job', () => {
    for (const code of ['rate_limit_exceeded', 'invalid_value', 'upstream_error', 'internal_error', 'no_usable_account']) {
      expect(gatewayReturnsSlot({ status: 500, error: { message: 'x', type: 'server_error', param: null, code } })).toBe(false);
    }
  });
});

describe('an API key failure for the client', () => {
  it.each(accountOutcomeSchema.options)('%s has an answer that never names the key', (outcome) => {
    const failure = keyFailureOf(outcome, 503, 7);
    expect(failure.status).toBeGreaterThanOrEqual(429);
    expect(failure.status === 401).toBe(false);
  });
});
