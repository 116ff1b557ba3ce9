import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { budgetSubjectKey } from '@chatgate/contracts';
import { createLogger } from '@chatgate/service-kit';
import { BudgetLedger, holdKeys, spentKey } from './billing/budget-ledger.js';
import { LegacyRedisKeys, taggedName } from './legacy-redis-keys.js';
import { limitKey } from './limits/limit-window.js';

/** Against the real Redis: an upgrade keeps the spend counters, holds and limit windows written before keys had tags. */
describe('LegacyRedisKeys (untagged keys of an earlier version)', () => {
  let redis: Redis;
  const tenantId = `t-${randomUUID()}`;
  const userId = randomUUID();
  const subject = budgetSubjectKey('user', tenantId, userId);
  const old = (rest: string) => `chatgate:billing:user:${tenantId}:${userId}:${rest}`;
  const oldLimit = `chatgate:usage:limit:${tenantId}:${userId}:gpt-4o`;
  beforeAll(() => {
    redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  });
  afterAll(async () => {
    const keys = await redis.keys(`chatgate:*${tenantId}*`);
    if (keys.length) await redis.del(...keys);
    await redis.quit();
  });

  it('names each budget and limit key as the ledger and the limit window now do', () => {
    expect(taggedName(old('spent:m:2026-11'))).toBe(spentKey(subject, 'm:2026-11'));
    expect(taggedName(old('held'))).toBe(holdKeys(subject).held);
    expect(taggedName(oldLimit)).toBe(limitKey({ tenantId, subject: userId, model: 'gpt-4o' }));
    expect(taggedName(spentKey(subject, 'all'))).toBeNull();
    expect(taggedName(`chatgate:billing:settled:${randomUUID()}`)).toBeNull();
  });

  it('moves counters (adding to what the new name holds), holds and windows, keeping lifetimes; a second pass changes nothing', async () => {
    await redis.set(old('spent:m:2026-11'), 700, 'PX', 3_600_000);
    await redis.set(old('spent:all'), 900);
    await redis.set(spentKey(subject, 'all'), 100);
    await redis.zadd(old('held'), Date.now() + 60_000, 'req-1');
    await redis.hset(old('hold'), 'req-1', 250);
    await redis.zadd(oldLimit, Date.now(), 'req-1');
    await redis.pexpire(oldLimit, 600_000);

    const moved = await new LegacyRedisKeys(redis, createLogger('usage-test', 'silent')).moveAll();
    expect(moved).toBeGreaterThanOrEqual(5);
    expect(await redis.exists(old('spent:m:2026-11'), old('spent:all'), old('held'), old('hold'), oldLimit)).toBe(0);
    const ledger = new BudgetLedger(redis, () => Date.UTC(2026, 10, 15));
    expect(await ledger.spent(subject, 'month')).toBe(700);
    expect(await ledger.spent(subject, 'none')).toBe(1000);
    expect(await redis.pttl(spentKey(subject, 'm:2026-11'))).toBeGreaterThan(3_500_000);
    expect(await redis.pttl(spentKey(subject, 'all'))).toBe(-1);
    expect(await redis.zscore(holdKeys(subject).held, 'req-1')).not.toBeNull();
    expect(await redis.hget(holdKeys(subject).hold, 'req-1')).toBe('250');
    expect(await redis.zcard(limitKey({ tenantId, subject: userId, model: 'gpt-4o' }))).toBe(1);

    await new LegacyRedisKeys(redis, createLogger('usage-test', 'silent')).moveAll();
    expect(await ledger.spent(subject, 'none')).toBe(1000);
  });
});
