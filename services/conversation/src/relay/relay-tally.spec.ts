import { describe, expect, it } from '@jest/globals';
import type { RelayJob } from '@chatgate/contracts';
import { RelayTally } from './relay-tally.js';

const job = {
  requestId: 'r1', target: 'chatgpt_web', request: { method: 'POST', path: '/backend-api/conversation', query: '', headers: {} },
  upstream: { kind: 'pool', tenantId: 't' }, tenantId: 't', credentialId: 'c', userId: 'u', userName: 'alice', usage: { kind: 'chat', model: 'gpt-4o' }, caller: null,
} as RelayJob & { usage: { kind: 'chat'; model: string } };
const end = { job, account: { id: 'a1', label: 'a1@example.com' }, counts: { promptTokens: 10, completionTokens: 20, estimated: true }, cancelled: false, latencyMs: 12.34, at: 1 };
const data = { t: 'data' as const, bytes: new Uint8Array([1]) };

describe('RelayTally', () => {
  it('is ok with the head status when the relay ended', () => {
    const t = new RelayTally();
    for (const f of [{ t: 'head', status: 200, headers: {} } as const, data, { t: 'end' } as const]) t.observe(f);
    expect(t.event(end)).toMatchObject({ requestId: 'r1', outcome: 'ok', status: 200, kind: 'chat', model: 'gpt-4o', accountId: 'a1', accountLabel: 'a1@example.com', promptTokens: 10, completionTokens: 20, estimated: true, userName: 'alice', latencyMs: 12.3 });
  });

  it("is an error with the error's status, cancelled (499) for a client that left, and a 500 for a job that just stopped", () => {
    const failed = new RelayTally();
    failed.observe({ t: 'error', status: 429, error: { message: 'm', type: 't', param: null, code: 'rate_limit_exceeded' } });
    expect(failed.event({ ...end, counts: null })).toMatchObject({ outcome: 'error', status: 429, promptTokens: 0, completionTokens: 0, estimated: false });
    const left = new RelayTally();
    left.observe({ t: 'head', status: 200, headers: {} });
    expect(left.event({ ...end, cancelled: true })).toMatchObject({ outcome: 'cancelled', status: 499, completionTokens: 20 });
    expect(new RelayTally().event(end)).toMatchObject({ outcome: 'error', status: 500 });
  });
});
