import { describe, expect, it } from '@jest/globals';
import { ADMIN_FAILURE_POLICY, FailureLimiter, type FailurePolicy } from './failure-limiter.js';

const T0 = 1_000_000;

describe('FailureLimiter', () => {
  it('lets the first five failures through, then makes the address wait 1 s, 2 s, 4 s, … capped at 5 minutes', () => {
    const limiter = new FailureLimiter();
    const waits: number[] = [];
    let now = T0;
    for (let i = 0; i < 16; i++) {
      // Each attempt comes just after the previous wait ended, as a patient guesser's would.
      now += limiter.waitMs('1.2.3.4', now);
      expect(limiter.waitMs('1.2.3.4', now)).toBe(0);
      waits.push(limiter.fail('1.2.3.4', now));
    }
    expect(waits).toEqual([0, 0, 0, 0, 0, 1000, 2000, 4000, 8000, 16_000, 32_000, 64_000, 128_000, 256_000, 300_000, 300_000]);
  });

  it('refuses attempts during the wait and allows them after it', () => {
    const limiter = new FailureLimiter();
    for (let i = 0; i < 6; i++) limiter.fail('a', T0);
    expect(limiter.waitMs('a', T0)).toBe(1000);
    expect(limiter.waitMs('a', T0 + 999)).toBe(1);
    expect(limiter.waitMs('a', T0 + 1000)).toBe(0);
  });

  it('counts per address', () => {
    const limiter = new FailureLimiter();
    for (let i = 0; i < 6; i++) limiter.fail('a', T0);
    expect(limiter.waitMs('a', T0)).toBeGreaterThan(0);
    expect(limiter.waitMs('b', T0)).toBe(0);
    expect(limiter.fail('b', T0)).toBe(0);
  });

  it('forgets the failures on a success', () => {
    const limiter = new FailureLimiter();
    for (let i = 0; i < 6; i++) limiter.fail('a', T0);
    limiter.succeed('a');
    expect(limiter.waitMs('a', T0)).toBe(0);
    for (let i = 0; i < 5; i++) expect(limiter.fail('a', T0)).toBe(0);
    expect(limiter.fail('a', T0)).toBe(1000);
  });

  it('starts counting again after ten quiet minutes', () => {
    const limiter = new FailureLimiter();
    for (let i = 0; i < 5; i++) limiter.fail('a', T0);
    expect(limiter.fail('a', T0 + ADMIN_FAILURE_POLICY.windowMs + 1)).toBe(0);
    // Failures less than the window apart keep adding up.
    for (let i = 0; i < 4; i++) limiter.fail('a', T0 + ADMIN_FAILURE_POLICY.windowMs + 1);
    expect(limiter.fail('a', T0 + ADMIN_FAILURE_POLICY.windowMs + 2)).toBe(1000);
  });

  it('stays bounded: a full table drops stale addresses first, then the stalest', () => {
    const policy: FailurePolicy = { ...ADMIN_FAILURE_POLICY, maxTracked: 3 };
    const limiter = new FailureLimiter(policy);
    const later = T0 + policy.windowMs;
    limiter.fail('old', T0);
    for (let i = 0; i < 6; i++) limiter.fail('blocked', later);
    limiter.fail('c', later);
    limiter.fail('d', later + 10);
    expect(limiter.size).toBe(3);
    expect(limiter.waitMs('blocked', later + 10)).toBe(990);
    // Nothing stale left: the address whose last failure is oldest goes.
    limiter.fail('e', later + 10);
    expect(limiter.size).toBe(3);
    expect(limiter.waitMs('blocked', later + 10)).toBe(0);
  });

  it('refuses a cap longer than the window (waiting it out would reset the count)', () => {
    expect(() => new FailureLimiter({ ...ADMIN_FAILURE_POLICY, maxDelayMs: ADMIN_FAILURE_POLICY.windowMs + 1 })).toThrow();
  });
});
