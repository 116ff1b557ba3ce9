import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import { parseConfig, redisEnv } from '@chatgate/config';
import { ADMIN_FAILURE_POLICY, FailureLimiter } from './failure-limiter.js';

const T0 = 1_000_000;
// The counts live in Redis: the tests run against a real one, each under its own key prefix.
const redis = new Redis(parseConfig(redisEnv).REDIS_URL);
const limiterOf = () => new FailureLimiter(redis, `chatgate:test:admin-failures:${randomUUID()}:`);

afterAll(() => redis.quit());

describe('FailureLimiter', () => {
  it('lets the first five failures through, then makes the address wait 1 s, 2 s, 4 s, … capped at 5 minutes', async () => {
    const limiter = limiterOf();
    const waits: number[] = [];
    let now = T0;
    for (let i = 0; i < 16; i++) {
      // Each attempt comes just after the previous wait ended, as a patient guesser's would.
      now += await limiter.waitMs('1.2.3.4', now);
      expect(await limiter.waitMs('1.2.3.4', now)).toBe(0);
      waits.push(await limiter.fail('1.2.3.4', now));
    }
    expect(waits).toEqual([0, 0, 0, 0, 0, 1000, 2000, 4000, 8000, 16_000, 32_000, 64_000, 128_000, 256_000, 300_000, 300_000]);
  });

  it('refuses attempts during the wait and allows them after it', async () => {
    const limiter = limiterOf();
    for (let i = 0; i < 6; i++) await limiter.fail('a', T0);
    expect(await limiter.waitMs('a', T0)).toBe(1000);
    expect(await limiter.waitMs('a', T0 + 999)).toBe(1);
    expect(await limiter.waitMs('a', T0 + 1000)).toBe(0);
  });

  it('counts per address', async () => {
    const limiter = limiterOf();
    for (let i = 0; i < 6; i++) await limiter.fail('a', T0);
    expect(await limiter.waitMs('a', T0)).toBeGreaterThan(0);
    expect(await limiter.waitMs('b', T0)).toBe(0);
    expect(await limiter.fail('b', T0)).toBe(0);
  });

  it('forgets the failures on a success', async () => {
    const limiter = limiterOf();
    for (let i = 0; i < 6; i++) await limiter.fail('a', T0);
    await limiter.succeed('a');
    expect(await limiter.waitMs('a', T0)).toBe(0);
    for (let i = 0; i < 5; i++) expect(await limiter.fail('a', T0)).toBe(0);
    expect(await limiter.fail('a', T0)).toBe(1000);
  });

  it('starts counting again after ten quiet minutes', async () => {
    const limiter = limiterOf();
    for (let i = 0; i < 5; i++) await limiter.fail('a', T0);
    expect(await limiter.fail('a', T0 + ADMIN_FAILURE_POLICY.windowMs + 1)).toBe(0);
    // Failures less than the window apart keep adding up.
    for (let i = 0; i < 4; i++) await limiter.fail('a', T0 + ADMIN_FAILURE_POLICY.windowMs + 1);
    expect(await limiter.fail('a', T0 + ADMIN_FAILURE_POLICY.windowMs + 2)).toBe(1000);
  });

  it('stays bounded: an entry lives the window after its last failure plus its wait, then Redis drops it', async () => {
    const limiter = limiterOf();
    await limiter.fail('old', T0);
    const retained = await limiter.retainedMs('old');
    expect(retained).toBeGreaterThan(ADMIN_FAILURE_POLICY.windowMs - 5000);
    expect(retained).toBeLessThanOrEqual(ADMIN_FAILURE_POLICY.windowMs);
    for (let i = 0; i < 6; i++) await limiter.fail('blocked', T0);
    expect(await limiter.retainedMs('blocked')).toBeGreaterThan(ADMIN_FAILURE_POLICY.windowMs);
    await limiter.succeed('blocked');
    expect(await limiter.retainedMs('blocked')).toBeNull();
  });

  it('is shared: a second limiter (another gateway replica) sees the same counts', async () => {
    const prefix = `chatgate:test:admin-failures:${randomUUID()}:`;
    const one = new FailureLimiter(redis, prefix);
    const other = new FailureLimiter(redis, prefix);
    for (let i = 0; i < 3; i++) await one.fail('c', T0);
    for (let i = 0; i < 3; i++) await other.fail('c', T0);
    expect(await one.waitMs('c', T0)).toBe(1000);
  });

  it('refuses a cap longer than the window (waiting it out would reset the count)', () => {
    expect(() => new FailureLimiter(redis, 'x:', { ...ADMIN_FAILURE_POLICY, maxDelayMs: ADMIN_FAILURE_POLICY.windowMs + 1 })).toThrow();
  });
});
