import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { loadPriceTable } from '@chatgate/config';
import { budgetSubjectKey } from '@chatgate/contracts';
import { Admission } from './billing/admission.js';
import { BudgetLedger } from './billing/budget-ledger.js';
import { RateWindow } from './rates/rate-window.js';
import { LimitWindow } from './limits/limit-window.js';
import { hashTagOf, sharedHashTag } from './redis-hash-tag.js';

describe('hash tags (Redis Cluster slots)', () => {
  it("reads a key's tag as Redis Cluster does", () => {
    expect(hashTagOf('chatgate:billing:user:{t1}:u1:held')).toBe('t1');
    expect(hashTagOf('a{b}{c}')).toBe('b');
    expect(hashTagOf('a{}{c}')).toBeNull();
    expect(hashTagOf('a{b')).toBeNull();
    expect(hashTagOf('chatgate:billing:user:t1:u1:held')).toBeNull();
    expect(() => sharedHashTag(['x:{t1}:a', 'x:{t2}:b'])).toThrow(/share a hash tag: x:\{t2\}:b/);
    expect(() => sharedHashTag(['x:t1:a'])).toThrow(/share a hash tag/);
  });
});

/**
 * Against the real Redis, every script call of the usage service as the chat path makes them: the
 * keys of one call must share one hash tag (the tenant), or Redis Cluster refuses the script
 * (CROSSSLOT) and the gateway, failing open, would serve past the budget.
 */
describe('every key one script touches shares the tenant hash tag', () => {
  let redis: Redis;
  const calls: string[][] = [];
  const tenantId = `t-${randomUUID()}`;
  const userId = randomUUID();
  const credentialId = `key_${randomUUID()}`;

  beforeAll(() => {
    redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
    const evalsha = redis.evalsha.bind(redis) as (...args: Array<string | number>) => Promise<unknown>;
    jest.spyOn(redis, 'evalsha').mockImplementation((async (sha: string, count: number, ...rest: Array<string | number>) => {
      calls.push(rest.slice(0, count).map(String));
      return evalsha(sha, count, ...rest);
    }) as never);
  });
  afterAll(async () => {
    const keys = [...(await redis.keys(`chatgate:*{${tenantId}}*`))];
    if (keys.length) await redis.del(...keys);
    await redis.quit();
  });

  it('in the limit take, the budget hold of a user and a key, the release and the settlement', async () => {
    const ledger = new BudgetLedger(redis);
    const admission = new Admission(new LimitWindow(redis), new RateWindow(redis), ledger, loadPriceTable({ PRICE_TABLE: '{"chatgpt": {"gpt-4o": {"prompt": 1, "completion": 1}}}' }));
    const subjects = [
      { scope: 'user' as const, key: budgetSubjectKey('user', tenantId, userId), amountMicroUsd: 1_000_000, period: 'day' as const },
      { scope: 'key' as const, key: budgetSubjectKey('key', tenantId, credentialId), amountMicroUsd: 1_000_000, period: 'month' as const },
    ];
    const take = { requestId: randomUUID(), tenantId, subject: userId, model: 'gpt-4o', windows: [{ everyMinutes: 60, count: 5 }], budget: { upstream: 'chatgpt' as const, promptTokens: 10, maxCompletionTokens: 10, characters: 0, subjects } };
    expect((await admission.take(take)).allowed).toBe(true);
    expect(await admission.release({ ...take, budgetSubjects: subjects.map((s) => s.key) })).toBe(true);
    expect((await admission.take({ ...take, requestId: randomUUID() })).allowed).toBe(true);
    expect(await ledger.settle(randomUUID(), 25, subjects.map((s) => s.key))).toBe(true);

    // The sliding window, the hold (two subjects × three keys), the release's settle (a marker and
    // five keys per subject), again the window and the hold, the settlement: each shares the tenant's tag.
    expect(calls.map((keys) => keys.length)).toEqual([1, 6, 11, 1, 6, 11]);
    for (const keys of calls) expect({ keys, tags: [...new Set(keys.map(hashTagOf))] }).toEqual({ keys, tags: [tenantId] });
  });

  it('refuses to run one script over two tenants rather than let a cluster refuse it', async () => {
    const ledger = new BudgetLedger(redis);
    await expect(ledger.settle(randomUUID(), 1, [budgetSubjectKey('user', tenantId, userId), budgetSubjectKey('user', `${tenantId}-other`, userId)])).rejects.toThrow(/share a hash tag/);
  });
});
