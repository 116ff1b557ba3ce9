import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { LimitWindow, limitKey } from './limit-window.js';

/** Against the real Redis (REDIS_URL): the script's atomicity is the point. */
describe('LimitWindow (sliding window in Redis)', () => {
  let redis: Redis;
  let limits: LimitWindow;
  beforeAll(() => {
    redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
    limits = new LimitWindow(redis);
  });
  afterAll(() => redis.quit());

  const req = (subject: string, windows: Array<{ everyMinutes: number; count: number }>, requestId = randomUUID()) => ({ requestId, tenantId: 't', subject, model: 'gpt-4o', windows });

  it('lets exactly `count` of 100 concurrent takes through', async () => {
    const subject = randomUUID();
    const results = await Promise.all(Array.from({ length: 100 }, () => limits.take(req(subject, [{ everyMinutes: 1, count: 10 }]))));
    expect(results.filter((r) => r.allowed)).toHaveLength(10);
    await redis.del(limitKey(req(subject, [])));
  });

  it('says when the oldest slot leaves the window, and frees it on release', async () => {
    const subject = randomUUID();
    const first = req(subject, [{ everyMinutes: 1, count: 2 }]);
    expect(await limits.take(first)).toEqual({ allowed: true });
    // The same request id again holds the same slot, it does not take a second one.
    expect(await limits.take(first)).toEqual({ allowed: true });
    expect(await limits.take(req(subject, [{ everyMinutes: 1, count: 2 }]))).toEqual({ allowed: true });
    const refused = await limits.take(req(subject, [{ everyMinutes: 1, count: 2 }]));
    expect(refused.allowed).toBe(false);
    if (!refused.allowed) {
      expect(refused.retryAfterMs).toBeGreaterThan(55_000);
      expect(refused.retryAfterMs).toBeLessThanOrEqual(60_000);
    }
    expect(await limits.release(first)).toBe(true);
    expect(await limits.release(first)).toBe(false);
    expect((await limits.take(req(subject, [{ everyMinutes: 1, count: 2 }]))).allowed).toBe(true);
    await redis.del(limitKey(first));
  });

  it('requires room in every window: a short window full refuses even when the long one has room', async () => {
    const subject = randomUUID();
    const windows = [{ everyMinutes: 1, count: 1 }, { everyMinutes: 60, count: 5 }];
    expect((await limits.take(req(subject, windows))).allowed).toBe(true);
    const refused = await limits.take(req(subject, windows));
    expect(refused.allowed).toBe(false);
    if (!refused.allowed) expect(refused.retryAfterMs).toBeLessThanOrEqual(60_000);
    await redis.del(limitKey(req(subject, [])));
  });

  it('forgets slots older than the window (short window via a back-dated entry)', async () => {
    const subject = randomUUID();
    const key = limitKey(req(subject, []));
    const [sec] = await redis.time();
    await redis.zadd(key, Number(sec) * 1000 - 61_000, 'old');
    expect((await limits.take(req(subject, [{ everyMinutes: 1, count: 1 }]))).allowed).toBe(true);
    expect(await redis.zscore(key, 'old')).toBeNull();
    await redis.del(key);
  });
});
