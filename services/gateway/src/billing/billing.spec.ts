import { describe, expect, it } from '@jest/globals';
import type { Principal } from '@chatgate/contracts';
import { ApiError } from '../shared/errors/api-error.js';
import { parseBillingRange } from './billing-range.js';
import { billingViewOf } from './billing.controller.js';
import { budgetChecksOf } from '../shared/limits/budget-subjects.js';
import { countPromptTokens } from '../shared/limits/prompt-tokens.js';
import { upstreamFor } from '../shared/routing/upstream-for.js';

const principal = (extra: Partial<Principal> = {}): Principal => ({
  credentialId: 'key_k1', tenantId: 't1', userId: 'u1', userName: 'alice', limits: [], isolatedSession: false, label: 'alice',
  upstream: { kind: 'pool', tenantId: 't1' }, expiresAt: 0, ...extra,
});

const refusal = (query: Record<string, string>) => {
  try {
    parseBillingRange(query);
  } catch (err) {
    expect(err).toBeInstanceOf(ApiError);
    return { status: (err as ApiError).status, param: (err as ApiError).body.param };
  }
  throw new Error('accepted');
};

describe('billing range', () => {
  it('reads YYYY-MM-DD as UTC days, the end exclusive', () => {
    expect(parseBillingRange({ start_date: '2026-11-01', end_date: '2026-11-23' })).toEqual({ from: Date.UTC(2026, 10, 1), to: Date.UTC(2026, 10, 23) });
  });

  it('refuses what is not a real date, an empty or reversed range, and more than 100 days, naming the parameter', () => {
    expect(refusal({ end_date: '2026-01-02' })).toEqual({ status: 400, param: 'start_date' });
    expect(refusal({ start_date: '2026-02-29', end_date: '2026-03-02' })).toEqual({ status: 400, param: 'start_date' });
    expect(refusal({ start_date: '2026-1-1', end_date: '2026-03-02' })).toEqual({ status: 400, param: 'start_date' });
    expect(refusal({ start_date: '2026-01-01', end_date: '2026-13-01' })).toEqual({ status: 400, param: 'end_date' });
    expect(refusal({ start_date: '2026-01-02', end_date: '2026-01-01' })).toEqual({ status: 400, param: 'end_date' });
    expect(refusal({ start_date: '2026-01-01', end_date: '2026-04-12' })).toEqual({ status: 400, param: 'end_date' });
    expect(parseBillingRange({ start_date: '2026-01-01', end_date: '2026-04-11' }).to).toBe(Date.UTC(2026, 3, 11));
  });
});

describe('whose budget and spend a caller sees', () => {
  it("shows the key's own budget and spend first, else the user's, else the credential's", () => {
    const user = { scope: 'user' as const, amountUsd: 10, period: 'month' as const };
    const key = { scope: 'key' as const, amountUsd: 2, period: 'day' as const };
    expect(billingViewOf(principal({ budgets: [user, key] }))).toEqual({ budget: key, spend: { scope: 'credential', id: 'key_k1' } });
    expect(billingViewOf(principal({ budgets: [user] }))).toEqual({ budget: user, spend: { scope: 'user', id: 'u1' } });
    expect(billingViewOf(principal())).toEqual({ budget: null, spend: { scope: 'user', id: 'u1' } });
    expect(billingViewOf(principal({ userId: null, credentialId: 'pool_x' }))).toEqual({ budget: null, spend: { scope: 'credential', id: 'pool_x' } });
  });

  it('checks a user budget on the user and a key budget on its credential, in micro-USD', () => {
    expect(budgetChecksOf(principal({ budgets: [{ scope: 'user', amountUsd: 0.1234567, period: 'none' }, { scope: 'key', amountUsd: 3, period: 'day' }] }))).toEqual([
      { scope: 'user', key: 'user:t1:u1', amountMicroUsd: 123_457, period: 'none' },
      { scope: 'key', key: 'key:t1:key_k1', amountMicroUsd: 3_000_000, period: 'day' },
    ]);
    expect(budgetChecksOf(principal())).toEqual([]);
  });
});

describe('the hold', () => {
  it('counts the prompt as the worker does: 3 to prime, 3 per message plus its role and text', async () => {
    // "user" and "hi" are one token each in o200k.
    expect(await countPromptTokens([{ role: 'user', content: 'hi' }])).toBe(3 + 3 + 1 + 1);
    expect(await countPromptTokens([{ role: 'user', content: [{ type: 'text', text: 'hi' }] }])).toBe(8);
  });

  // The hold is priced by the kind routing chose for the request (the limit gate takes it from the caller).
  it('prices ChatGPT principals as chatgpt and any other upstream as platform', () => {
    expect(upstreamFor(principal(), 'gpt-4o', 'chat')).toBe('chatgpt');
    expect(upstreamFor(principal(), 'text-embedding-3-small', 'embeddings')).toBe('platform');
    // A caller's own token reaches a platform-routed model only where ChatGPT serves any model name (speech).
    expect(upstreamFor(principal({ upstream: { kind: 'chatgpt_access_token', accessToken: 'x' } }), 'text-embedding-3-small', 'speech')).toBe('chatgpt');
  });
});
