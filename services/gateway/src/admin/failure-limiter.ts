export interface FailurePolicy {
  /** Failures allowed before any waiting. */
  freeFailures: number;
  /** Failures count as one run while they come less than this far apart; a quiet window forgets them. */
  windowMs: number;
  /** The wait after the first failure past the free ones; it doubles with each further failure. */
  baseDelayMs: number;
  /** The longest wait. Never more than windowMs, or waiting it out would also reset the count. */
  maxDelayMs: number;
  /** Addresses remembered at most; the stalest go first. */
  maxTracked: number;
}

/** After 5 wrong passwords (less than 10 minutes apart) an address waits 1 s, then 2 s, 4 s, … up to 5 minutes. */
export const ADMIN_FAILURE_POLICY: FailurePolicy = { freeFailures: 5, windowMs: 10 * 60_000, baseDelayMs: 1000, maxDelayMs: 5 * 60_000, maxTracked: 10_000 };

interface Entry {
  failures: number;
  lastFailureAt: number;
  blockedUntil: number;
}

/**
 * Slows down password guessing per client address: past the free failures, each further failure
 * makes the address wait twice as long as the previous one (capped), and every attempt during the
 * wait is refused without being checked. A success forgets the address.
 *
 * In memory, so per gateway replica: N replicas allow N times the attempts. The cap keeps that
 * to a few guesses per address per minute even so.
 */
export class FailureLimiter {
  // Map order is the order of last failure, so the first entries are the stalest.
  private readonly byKey = new Map<string, Entry>();

  constructor(private readonly policy: FailurePolicy = ADMIN_FAILURE_POLICY) {
    if (policy.maxDelayMs > policy.windowMs) throw new Error('maxDelayMs must not exceed windowMs');
  }

  /** Milliseconds `key` must still wait before its next attempt is looked at; 0 when it may try now. */
  waitMs(key: string, now = Date.now()): number {
    const entry = this.byKey.get(key);
    return entry ? Math.max(0, entry.blockedUntil - now) : 0;
  }

  /** Records a failure; returns the wait it imposes (0 while within the free failures). */
  fail(key: string, now = Date.now()): number {
    const previous = this.byKey.get(key);
    const failures = previous && now - previous.lastFailureAt <= this.policy.windowMs ? previous.failures + 1 : 1;
    const excess = failures - this.policy.freeFailures;
    const delay = excess > 0 ? Math.min(this.policy.maxDelayMs, this.policy.baseDelayMs * 2 ** Math.min(excess - 1, 30)) : 0;
    this.byKey.delete(key);
    if (this.byKey.size >= this.policy.maxTracked) this.evict(now);
    this.byKey.set(key, { failures, lastFailureAt: now, blockedUntil: now + delay });
    return delay;
  }

  succeed(key: string): void {
    this.byKey.delete(key);
  }

  get size(): number {
    return this.byKey.size;
  }

  /** Forgets what no longer matters, then, if still full, the stalest address. */
  private evict(now: number): void {
    for (const [key, entry] of this.byKey) {
      if (now - entry.lastFailureAt > this.policy.windowMs && entry.blockedUntil <= now) this.byKey.delete(key);
    }
    if (this.byKey.size >= this.policy.maxTracked) {
      const stalest = this.byKey.keys().next().value;
      if (stalest !== undefined) this.byKey.delete(stalest);
    }
  }
}
