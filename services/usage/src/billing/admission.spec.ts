import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { loadPriceTable } from '@chatgate/config';
import type { LimitTakeRequest } from '@chatgate/contracts';
import { RateWindow } from '../rates/rate-window.js';
import { LimitWindow, limitKey } from '../limits/limit-window.js';
import { Admission } from './admission.js';
import { BudgetLedger, holdKeys } from './budget-ledger.js';

/** The one hop of the chat path, against the real Redis: limits first, then the budgets, priced by the table. */
describe('Admission (limit slot and budget hold in one request)', () => {
  let redis: Redis;
  let admission: Admission;
  const tenantId = `t-${randomUUID()}`;
  beforeAll(() => {
    redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
    admission = new Admission(new LimitWindow(redis), new RateWindow(redis), new BudgetLedger(redis), loadPriceTable({ PRICE_TABLE: '{"chatgpt": {"gpt-4o": {"prompt": 1, "completion": 10}}}' }));
  });
  afterAll(async () => {
    const keys = [...(await redis.keys(`chatgate:billing:*{${tenantId}}*`)), ...(await redis.keys(`chatgate:usage:limit:{${tenantId}}:*`))];
    if (keys.length) await redis.del(...keys);
    await redis.quit();
  });

  const take = (user: string, extra: Partial<LimitTakeRequest>): LimitTakeRequest => ({ requestId: randomUUID(), tenantId, subject: user, model: 'gpt-4o', windows: [], ...extra });
  const budget = (user: string, amountMicroUsd: number, rest: { promptTokens?: number; maxCompletionTokens?: number; characters?: number; upstream?: 'chatgpt' | 'platform' } = {}) => ({
    upstream: rest.upstream ?? 'chatgpt',
    promptTokens: rest.promptTokens ?? 0,
    maxCompletionTokens: rest.maxCompletionTokens ?? 0,
    characters: rest.characters ?? 0,
    subjects: [{ scope: 'user' as const, key: `user:${tenantId}:${user}`, amountMicroUsd, period: 'month' as const }],
  });

  it('holds prompt and completion at the table’s price: a budget of exactly one request admits one', async () => {
    const user = randomUUID();
    // 100 prompt tokens × 1 + 20 completion tokens × 10 = 300 micro-USD.
    const b = budget(user, 300, { promptTokens: 100, maxCompletionTokens: 20 });
    expect(await admission.take(take(user, { budget: b }))).toEqual({ ok: true, allowed: true });
    expect(await admission.take(take(user, { budget: b }))).toEqual({ ok: true, allowed: false, retryAfterMs: 0, quota: { scope: 'user', period: 'month' } });
  });

  it('holds speech by its characters on the platform price list (tts-1: $0.015 per 1,000)', async () => {
    const user = randomUUID();
    const b = budget(user, 15_000, { upstream: 'platform', characters: 1000 });
    expect((await admission.take(take(user, { model: 'tts-1', budget: b }))).allowed).toBe(true);
    expect((await admission.take(take(user, { model: 'tts-1', budget: b })))).toMatchObject({ allowed: false, quota: { scope: 'user' } });
  });

  it('refuses on the limit first, holding nothing; a budget refusal gives the limit slot back', async () => {
    const user = randomUUID();
    const windows = [{ everyMinutes: 60, count: 1 }];
    // The budget has no room: the slot taken for the limit goes back, so the limit still has room.
    const poor = budget(user, 10, { promptTokens: 100 });
    expect(await admission.take(take(user, { windows, budget: poor }))).toMatchObject({ allowed: false, quota: { scope: 'user', period: 'month' } });
    expect(await redis.zcard(limitKey({ tenantId, subject: user, model: 'gpt-4o' }))).toBe(0);
    const rich = budget(user, 1_000_000, { promptTokens: 100 });
    expect((await admission.take(take(user, { windows, budget: rich }))).allowed).toBe(true);
    // Now the limit is full: refused with retry-after, and no hold is taken for it.
    const refused = await admission.take(take(user, { windows, budget: rich }));
    expect(refused).toMatchObject({ allowed: false });
    expect(refused.allowed === false && refused.quota).toBeFalsy();
    expect(await redis.hlen(holdKeys(`user:${tenantId}:${user}`).hold)).toBe(1);
  });

  it('gives the holds and the slot back for a job no worker took', async () => {
    const user = randomUUID();
    const b = budget(user, 300, { promptTokens: 300 });
    const first = take(user, { windows: [{ everyMinutes: 60, count: 1 }], budget: b });
    expect((await admission.take(first)).allowed).toBe(true);
    expect(await admission.release({ ...first, budgetSubjects: [b.subjects[0].key] })).toBe(true);
    expect((await admission.take(take(user, { windows: [{ everyMinutes: 60, count: 1 }], budget: b }))).allowed).toBe(true);
  });

  it('refuses a budgeted request for a model without a price before taking a slot; without a budget it is served', async () => {
    const strict = new Admission(new LimitWindow(redis), new RateWindow(redis), new BudgetLedger(redis), loadPriceTable({ PRICE_TABLE: '{"platform": {"*": null}}' }));
    const user = randomUUID();
    const windows = [{ everyMinutes: 60, count: 1 }];
    const b = budget(user, 1_000_000_000, { upstream: 'platform', promptTokens: 10 });
    expect(await strict.take(take(user, { model: 'gpt-4.5-preview', windows, budget: b }))).toEqual({ ok: true, allowed: false, retryAfterMs: 0, unpriced: true });
    expect(await redis.zcard(limitKey({ tenantId, subject: user, model: 'gpt-4.5-preview' }))).toBe(0);
    expect((await strict.take(take(user, { model: 'gpt-4.5-preview', windows }))).allowed).toBe(true);
    // A listed platform model, and a ChatGPT-served one (free unless listed), are priced as ever.
    expect((await strict.take(take(user, { model: 'gpt-4o', budget: b }))).allowed).toBe(true);
    expect((await strict.take(take(user, { model: 'gpt-4.5-preview', budget: { ...b, upstream: 'chatgpt' } }))).allowed).toBe(true);
    // With the default price in force the same model is held at the default (15 USD per million prompt tokens).
    const other = randomUUID();
    expect(await admission.take(take(other, { model: 'gpt-4.5-preview', budget: budget(other, 149, { upstream: 'platform', promptTokens: 10 }) }))).toMatchObject({ allowed: false, quota: { scope: 'user' } });
    expect((await admission.take(take(other, { model: 'gpt-4.5-preview', budget: budget(other, 150, { upstream: 'platform', promptTokens: 10 }) }))).allowed).toBe(true);
  });

  it('holds n images at the price of the size and quality asked', async () => {
    const user = randomUUID();
    // dall-e-3 hd 1792x1024: 0.12 USD an image; two of them are 240,000 micro-USD, whatever the completion allowance.
    const images = { count: 2, size: '1792x1024', quality: 'hd' };
    const b = (amount: number) => ({ ...budget(user, amount, { upstream: 'platform', maxCompletionTokens: 4096 }), images });
    expect(await admission.take(take(user, { model: 'dall-e-3', budget: b(239_999) }))).toMatchObject({ allowed: false, quota: { scope: 'user' } });
    expect((await admission.take(take(user, { model: 'dall-e-3', budget: b(240_000) }))).allowed).toBe(true);
  });
});
