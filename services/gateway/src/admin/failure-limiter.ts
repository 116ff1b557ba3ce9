import type { Redis } from 'ioredis';

export interface FailurePolicy {
  /** Failures allowed before any waiting. */
  freeFailures: number;
  /** Failures count as one run while they come less than this far apart; a quiet window forgets them. */
  windowMs: number;
  /** The wait after the first failure past the free ones; it doubles with each further failure. */
  baseDelayMs: number;
  /** The longest wait. Never more than windowMs, or waiting it out would also reset the count. */
  maxDelayMs: number;
}

/** After 5 wrong passwords (less than 10 minutes apart) a client waits 1 s, then 2 s, 4 s, … up to 5 minutes. */
export const ADMIN_FAILURE_POLICY: FailurePolicy = { freeFailures: 5, windowMs: 10 * 60_000, baseDelayMs: 1000, maxDelayMs: 5 * 60_000 };

/**
 * One failure, atomically: the run goes on if the previous failure is within the window, the wait
 * doubles past the free failures (capped), and the entry lives as long as it matters (the window
 * after the last failure, and the wait). ARGV: now, free, window, base, max.
 */
const FAIL_SCRIPT = `
local now = tonumber(ARGV[1])
local free, window, base, maxDelay = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local previous = redis.call('HMGET', KEYS[1], 'failures', 'last')
local failures = 1
if previous[1] and previous[2] and now - tonumber(previous[2]) <= window then failures = tonumber(previous[1]) + 1 end
local excess = failures - free
local delay = 0
if excess > 0 then delay = math.min(maxDelay, base * 2 ^ math.min(excess - 1, 30)) end
redis.call('HSET', KEYS[1], 'failures', failures, 'last', now, 'blocked', now + delay)
redis.call('PEXPIRE', KEYS[1], window + delay)
return delay
`;

/**
 * Slows down password guessing per client (an IPv4 address, an IPv6 /64): past the free failures,
 * each further failure makes the client wait twice as long as the previous one (capped), and every
 * attempt during the wait is refused without being checked. A success forgets the client.
 *
 * The counts live in Redis, so every gateway replica sees the same ones (N replicas do not allow N
 * times the guesses), and each entry expires once it no longer matters. Time is the gateway's clock,
 * passed in, so replicas agree as far as their clocks do. A Redis error is thrown to the caller,
 * which refuses the login (fail closed).
 */
export class FailureLimiter {
  constructor(
    private readonly redis: Redis,
    /** Namespaces the keys (tests use their own). */
    private readonly prefix: string,
    private readonly policy: FailurePolicy = ADMIN_FAILURE_POLICY,
  ) {
    if (policy.maxDelayMs > policy.windowMs) throw new Error('maxDelayMs must not exceed windowMs');
  }

  private key(client: string): string {
    return `${this.prefix}${client}`;
  }

  /** Milliseconds `client` must still wait before its next attempt is looked at; 0 when it may try now. */
  async waitMs(client: string, now = Date.now()): Promise<number> {
    const blocked = await this.redis.hget(this.key(client), 'blocked');
    return blocked === null ? 0 : Math.max(0, Number(blocked) - now);
  }

  /** Records a failure; returns the wait it imposes (0 while within the free failures). */
  async fail(client: string, now = Date.now()): Promise<number> {
    const { freeFailures, windowMs, baseDelayMs, maxDelayMs } = this.policy;
    const delay = await this.redis.eval(FAIL_SCRIPT, 1, this.key(client), now, freeFailures, windowMs, baseDelayMs, maxDelayMs);
    return Number(delay);
  }

  async succeed(client: string): Promise<void> {
    await this.redis.del(this.key(client));
  }

  /** How long Redis keeps the client's entry (ms), or null when it has none. */
  async retainedMs(client: string): Promise<number | null> {
    const ttl = await this.redis.pttl(this.key(client));
    return ttl < 0 ? null : ttl;
  }
}
