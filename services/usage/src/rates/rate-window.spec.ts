import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { loadPriceTable } from '@chatgate/config';
import { Admission } from '../billing/admission.js';
import { BudgetLedger } from '../billing/budget-ledger.js';
import { LimitWindow, limitKey } from '../limits/limit-window.js';
import { RATE_WINDOW_MS, RateWindow, rateKeys } from './rate-window.js';

/** Against the real Redis (REDIS_URL): the script's atomicity is the point. */
describe('RateWindow (a key’s RPM and TPM)', () => {
  let redis: Redis;
  let rates: RateWindow;
  const tenantId = `t-${randomUUID()}`;
  beforeAll(() => {
    redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
    rates = new RateWindow(redis);
  });
  afterAll(async () => {
    const keys = await redis.keys(`chatgate:usage:*{${tenantId}}*`);
    if (keys.length) await redis.del(...keys);
    await redis.quit();
  });

  it('lets exactly `rpm` of 60 concurrent requests through and says when the next one fits', async () => {
    const subject = `key_${randomUUID()}`;
    const results = await Promise.all(Array.from({ length: 60 }, () => rates.take(tenantId, randomUUID(), { subject, rpm: 7, tpm: null, tokens: 10 })));
    expect(results.filter((r) => r.allowed)).toHaveLength(7);
    const refused = results.find((r) => !r.allowed);
    expect(refused).toMatchObject({ allowed: false, by: 'requests' });
    if (refused && !refused.allowed) expect(refused.retryAfterMs).toBeGreaterThan(RATE_WINDOW_MS - 5_000);
  });

  it('counts tokens: the prompt estimate first, the real count once settled', async () => {
    const subject = `key_${randomUUID()}`;
    const first = randomUUID();
    expect(await rates.take(tenantId, first, { subject, rpm: null, tpm: 1000, tokens: 600 })).toEqual({ allowed: true });
    expect(await rates.take(tenantId, randomUUID(), { subject, rpm: null, tpm: 1000, tokens: 500 })).toMatchObject({ allowed: false, by: 'tokens' });
    // The first request's answer used 100 tokens in all, not 600: there is room again.
    expect(await rates.settle(tenantId, subject, first, 100)).toBe(true);
    expect(await rates.take(tenantId, randomUUID(), { subject, rpm: null, tpm: 1000, tokens: 500 })).toEqual({ allowed: true });
    // And an answer far longer than its prompt fills the minute.
    expect(await rates.settle(tenantId, subject, first, 900)).toBe(true);
    expect(await rates.take(tenantId, randomUUID(), { subject, rpm: null, tpm: 1000, tokens: 1 })).toMatchObject({ allowed: false, by: 'tokens' });
    // A request that holds no entry settles nothing.
    expect(await rates.settle(tenantId, subject, randomUUID(), 5)).toBe(false);
  });

  it('refuses a request larger than the TPM itself, and forgets entries older than the minute', async () => {
    const subject = `key_${randomUUID()}`;
    expect(await rates.take(tenantId, randomUUID(), { subject, rpm: null, tpm: 100, tokens: 101 })).toEqual({ allowed: false, by: 'tokens', retryAfterMs: 0, tooLarge: true });
    const keys = rateKeys(tenantId, subject);
    const [sec] = await redis.time();
    await redis.zadd(keys.requests, Number(sec) * 1000 - RATE_WINDOW_MS - 1000, 'old');
    await redis.hset(keys.tokens, 'old', 100);
    expect(await rates.take(tenantId, randomUUID(), { subject, rpm: 1, tpm: 100, tokens: 100 })).toEqual({ allowed: true });
    expect(await redis.hget(keys.tokens, 'old')).toBeNull();
  });

  it('is taken in the same hop as limits and budgets, and gives back what the earlier steps took when refused', async () => {
    const admission = new Admission(new LimitWindow(redis), rates, new BudgetLedger(redis), loadPriceTable({ PRICE_TABLE: '{"chatgpt": {"gpt-4o": {"prompt": 1, "completion": 1}}}' }));
    const subject = `key_${randomUUID()}`;
    const user = randomUUID();
    const base = { tenantId, subject: user, model: 'gpt-4o', windows: [{ everyMinutes: 60, count: 10 }], rate: { subject, rpm: 1, tpm: null, tokens: 5 } };
    expect(await admission.take({ requestId: randomUUID(), ...base })).toEqual({ ok: true, allowed: true });
    const refused = await admission.take({ requestId: randomUUID(), ...base });
    expect(refused).toMatchObject({ ok: true, allowed: false, rate: { by: 'requests', limit: 1 } });
    // The limit slot taken before the rate refused it went back: one slot held, not two.
    expect(await redis.zcard(limitKey({ tenantId, subject: user, model: 'gpt-4o' }))).toBe(1);
    // A budget that refuses gives the rate entry back.
    const other = `key_${randomUUID()}`;
    const poor = { upstream: 'chatgpt' as const, promptTokens: 50, maxCompletionTokens: 50, characters: 0, subjects: [{ scope: 'key' as const, key: `key:${tenantId}:${other}`, amountMicroUsd: 10, period: 'month' as const }] };
    expect(await admission.take({ requestId: randomUUID(), tenantId, subject: other, model: 'gpt-4o', windows: [], rate: { subject: other, rpm: 5, tpm: null, tokens: 50 }, budget: poor })).toMatchObject({ allowed: false, quota: { scope: 'key' } });
    expect(await redis.zcard(rateKeys(tenantId, other).requests)).toBe(0);
    // A job no worker ran gives its entry back.
    const id = randomUUID();
    const third = `key_${randomUUID()}`;
    expect(await admission.take({ requestId: id, tenantId, subject: third, model: 'gpt-4o', windows: [], rate: { subject: third, rpm: 1, tpm: null, tokens: 1 } })).toMatchObject({ allowed: true });
    await admission.release({ requestId: id, tenantId, subject: third, model: 'gpt-4o', rateSubject: third });
    expect(await admission.take({ requestId: randomUUID(), tenantId, subject: third, model: 'gpt-4o', windows: [], rate: { subject: third, rpm: 1, tpm: null, tokens: 1 } })).toMatchObject({ allowed: true });
  });
});
