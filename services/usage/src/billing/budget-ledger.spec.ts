import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { BudgetLedger, holdKeys, spentKey, type BudgetCheck } from './budget-ledger.js';
import { periodKey } from './budget-period.js';

/** Against the real Redis (REDIS_URL): the scripts' atomicity is the point. */
describe('BudgetLedger (holds and spend in Redis)', () => {
  let redis: Redis;
  let now = Date.UTC(2026, 10, 22, 23, 59, 0);
  let ledger: BudgetLedger;
  const subjects: string[] = [];
  const subject = () => {
    const s = `user:t:${randomUUID()}`;
    subjects.push(s);
    return s;
  };
  beforeAll(() => {
    redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
    ledger = new BudgetLedger(redis, () => now);
  });
  afterAll(async () => {
    const keys = (await Promise.all(subjects.map((s) => redis.keys(`${spentKey(s, '')}*`).then(async (spent) => [...spent, holdKeys(s).held, holdKeys(s).hold])))).flat();
    if (keys.length) await redis.del(...keys);
    await redis.quit();
  });

  it('names the period by UTC day, UTC month, or for ever', () => {
    expect(periodKey('day', Date.UTC(2026, 0, 31, 23, 59, 59, 999))).toBe('d:2026-01-31');
    expect(periodKey('day', Date.UTC(2026, 1, 1))).toBe('d:2026-02-01');
    expect(periodKey('month', Date.UTC(2026, 1, 28, 12))).toBe('m:2026-02');
    expect(periodKey('none', 0)).toBe('all');
  });

  it('admits exactly as many of 100 concurrent holds as the budget has room for', async () => {
    const budget: BudgetCheck = { key: subject(), amountMicroUsd: 7_000, period: 'day' };
    const results = await Promise.all(Array.from({ length: 100 }, () => ledger.hold(randomUUID(), 1_000, [budget])));
    expect(results.filter((r) => r.allowed)).toHaveLength(7);
  });

  it('settles a hold to the real cost once, however often the event comes', async () => {
    const budget: BudgetCheck = { key: subject(), amountMicroUsd: 3_000, period: 'month' };
    const id = randomUUID();
    expect(await ledger.hold(id, 2_000, [budget])).toEqual({ allowed: true });
    // The same request again holds what it held.
    expect(await ledger.hold(id, 2_000, [budget])).toEqual({ allowed: true });
    expect((await ledger.hold(randomUUID(), 1_500, [budget])).allowed).toBe(false);
    expect(await ledger.settle(id, 500, [budget.key])).toBe(true);
    expect(await ledger.settle(id, 500, [budget.key])).toBe(false);
    expect(await ledger.spent(budget.key, 'month')).toBe(500);
    expect(await ledger.spent(budget.key, 'day')).toBe(500);
    expect(await ledger.spent(budget.key, 'none')).toBe(500);
    // 500 spent, nothing held: 2,500 fits, 2,501 does not.
    expect((await ledger.hold(randomUUID(), 2_501, [budget])).allowed).toBe(false);
    expect((await ledger.hold(randomUUID(), 2_500, [budget])).allowed).toBe(true);
  });

  it('gives a hold back at cost 0 (an error, a job no worker took) without counting anything', async () => {
    const budget: BudgetCheck = { key: subject(), amountMicroUsd: 1_000, period: 'none' };
    const id = randomUUID();
    expect((await ledger.hold(id, 1_000, [budget])).allowed).toBe(true);
    expect((await ledger.hold(randomUUID(), 1, [budget])).allowed).toBe(false);
    expect(await ledger.settle(id, 0, [budget.key])).toBe(false);
    expect((await ledger.hold(randomUUID(), 1_000, [budget])).allowed).toBe(true);
    expect(await ledger.spent(budget.key, 'none')).toBe(0);
  });

  it('needs room in every budget, names the one without, and holds in none when refused', async () => {
    const user: BudgetCheck = { key: subject(), amountMicroUsd: 10_000, period: 'month' };
    const key: BudgetCheck = { key: subject(), amountMicroUsd: 1_000, period: 'day' };
    expect(await ledger.hold(randomUUID(), 1_500, [user, key])).toEqual({ allowed: false, refusedBy: 1 });
    expect(await redis.hlen(holdKeys(user.key).hold)).toBe(0);
    expect((await ledger.hold(randomUUID(), 1_000, [user, key])).allowed).toBe(true);
  });

  it('starts a new day afresh, while the month keeps counting', async () => {
    const day: BudgetCheck = { key: subject(), amountMicroUsd: 1_000, period: 'day' };
    const id = randomUUID();
    expect((await ledger.hold(id, 1_000, [day])).allowed).toBe(true);
    await ledger.settle(id, 1_000, [day.key]);
    expect((await ledger.hold(randomUUID(), 1, [day])).allowed).toBe(false);
    const before = now;
    now = Date.UTC(2026, 10, 23, 0, 0, 0);
    try {
      expect((await ledger.hold(randomUUID(), 1_000, [day])).allowed).toBe(true);
      expect((await ledger.hold(randomUUID(), 1, [{ ...day, period: 'month' }])).allowed).toBe(false);
      expect(await redis.get(spentKey(day.key, 'd:2026-11-22'))).toBe('1000');
    } finally {
      now = before;
    }
  });

  it('records no hold of 0 (a free model), yet refuses it once spend is past the budget', async () => {
    const budget: BudgetCheck = { key: subject(), amountMicroUsd: 1_000, period: 'none' };
    expect((await ledger.hold(randomUUID(), 0, [budget])).allowed).toBe(true);
    expect(await redis.exists(holdKeys(budget.key).hold, holdKeys(budget.key).held)).toBe(0);
    await ledger.settle(randomUUID(), 1_001, [budget.key]);
    expect((await ledger.hold(randomUUID(), 0, [budget])).allowed).toBe(false);
  });

  it('forgets a hold whose usage event never came, once it lapses', async () => {
    const budget: BudgetCheck = { key: subject(), amountMicroUsd: 1_000, period: 'none' };
    const [sec] = await redis.time();
    await redis.zadd(holdKeys(budget.key).held, Number(sec) * 1000 - 1, 'lost');
    await redis.hset(holdKeys(budget.key).hold, 'lost', 1_000);
    expect((await ledger.hold(randomUUID(), 1_000, [budget])).allowed).toBe(true);
    expect(await redis.hexists(holdKeys(budget.key).hold, 'lost')).toBe(0);
  });
});
