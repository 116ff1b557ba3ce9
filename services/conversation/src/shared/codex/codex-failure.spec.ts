import { describe, expect, it } from '@jest/globals';
import { outcomeOf } from '@chatgate/contracts';
import { codexHttpFailure, codexStreamFailure, codexTransportFailure } from './codex-failure.js';

const NOW = 1_800_000_000;
const code = (r: { failure: { error: { code: string | null } } }) => r.failure.error.code;

describe('Codex backend failures', () => {
  it('answers a challenge page as the account being blocked (rotated and shown, never solved)', () => {
    const page = codexHttpFailure(403, { 'cf-mitigated': 'challenge', 'content-type': 'text/html' }, '<html>Just a moment…</html>', 'gpt-5.4', null, NOW);
    expect(page.failure).toMatchObject({ status: 502, error: { code: 'upstream_blocked' } });
    expect(page.failure.error.message).toContain('challenge');
    expect(outcomeOf(page.failure)).toBe('forbidden');
  });

  it('cools a used-up account until resets_at (else resets_in_seconds, else the full window)', () => {
    const body = JSON.stringify({ error: { type: 'usage_limit_reached', message: 'The usage limit has been reached', plan_type: 'plus', resets_at: NOW + 900, resets_in_seconds: 900 } });
    const limited = codexHttpFailure(429, {}, body, 'gpt-5.4', null, NOW);
    expect(limited).toEqual({ failure: expect.objectContaining({ status: 429, retryAfterSec: 900 }), resetsAtSec: NOW + 900 });
    expect(outcomeOf(limited.failure)).toBe('usage_limited');
    expect(codexHttpFailure(429, {}, JSON.stringify({ error: { type: 'usage_not_included', resets_in_seconds: 30 } }), 'm', null, NOW).resetsAtSec).toBe(NOW + 30);
    const window = { usedPercent: 100, windowMinutes: 300, resetAtSec: NOW + 77 };
    expect(codexHttpFailure(429, {}, JSON.stringify({ error: { type: 'usage_limit_reached' } }), 'm', { plan: 'plus', primary: window, secondary: null, credits: null }, NOW).resetsAtSec).toBe(NOW + 77);
    // Another 429 is a plain rate limit, with its retry-after.
    expect(codexHttpFailure(429, { 'retry-after': '12' }, '{}', 'm', null, NOW)).toEqual({ failure: expect.objectContaining({ retryAfterSec: 12, error: expect.objectContaining({ code: 'rate_limit_exceeded' }) }) });
  });

  it('learns a model the plan lacks as model_not_found (rotated), naming the model', () => {
    const lacks = codexHttpFailure(400, {}, JSON.stringify({ detail: "The 'gpt-5.3-codex-spark' model is not supported when using Codex with a ChatGPT account." }), 'gpt-5.3-codex-spark', null, NOW);
    expect(lacks.failure).toMatchObject({ status: 404, error: { code: 'model_not_found' } });
    expect(lacks.failure.error.message).toContain("'gpt-5.3-codex-spark'");
    expect(outcomeOf(lacks.failure)).toBe('model_not_found');
  });

  it("passes the backend's refusals of the request itself as 400s, not rotated", () => {
    const refused = codexHttpFailure(400, {}, JSON.stringify({ error: { message: 'No tool output found for function call call_1.', type: 'invalid_request_error', param: 'input', code: null } }), 'm', null, NOW);
    expect(refused.failure).toMatchObject({ status: 400, error: { type: 'invalid_request_error', code: 'upstream_bad_request', param: 'input' } });
    expect(refused.failure.error.message).toContain('No tool output found');
    expect(outcomeOf(refused.failure)).toBeNull();
    expect(codexHttpFailure(415, {}, JSON.stringify({ detail: 'Unsupported Content-Type' }), 'm', null, NOW).failure.status).toBe(400);
  });

  it('refreshes on 401, moves past 403 and 5xx, and reads transport errors', () => {
    const refused = codexHttpFailure(401, {}, JSON.stringify({ error: { code: 'token_expired', message: 'expired' } }), 'm', null, NOW);
    expect(refused.failure).toMatchObject({ status: 502, error: { code: 'upstream_unauthorized' } });
    expect(refused.failure.error.message).toContain('token_expired');
    expect(outcomeOf(refused.failure)).toBe('unauthorized');
    expect(outcomeOf(codexHttpFailure(403, {}, JSON.stringify({ detail: 'Unusual activity' }), 'm', null, NOW).failure)).toBe('forbidden');
    expect(outcomeOf(codexHttpFailure(503, {}, '', 'm', null, NOW).failure)).toBe('upstream_error');
    expect(code(codexHttpFailure(200, { 'content-type': 'text/html' }, '<html/>', 'm', null, NOW))).toBe('upstream_error');
    expect(code(codexTransportFailure({ code: 'UND_ERR_HEADERS_TIMEOUT' }))).toBe('upstream_timeout');
    expect(code(codexTransportFailure({ code: 'ECONNREFUSED' }))).toBe('upstream_unavailable');
  });

  it('reads failures reported inside the stream', () => {
    expect(codexStreamFailure({ code: 'rate_limit_exceeded', message: 'Rate limit reached. Please try again in 1.5s.' }, null, NOW).failure).toMatchObject({ status: 429, retryAfterSec: 2 });
    expect(codexStreamFailure({ code: 'rate_limit_exceeded', message: 'try again in 250ms' }, null, NOW).failure.retryAfterSec).toBe(1);
    expect(code(codexStreamFailure({ code: 'context_length_exceeded', message: 'too long' }, null, NOW))).toBe('context_length_exceeded');
    expect(code(codexStreamFailure({ code: 'usage_not_included', message: '' }, null, NOW))).toBe('usage_limit_reached');
    expect(code(codexStreamFailure({ code: 'stream_truncated', message: '' }, null, NOW))).toBe('upstream_stream_cut');
    const server = codexStreamFailure({ code: 'server_error', message: 'boom' }, null, NOW);
    expect(server.failure).toMatchObject({ status: 502, error: { code: 'upstream_error', message: 'The Codex backend reported an error: boom' } });
  });
});
