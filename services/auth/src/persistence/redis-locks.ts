import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { REDIS } from '@chatgate/service-kit/redis';

// Deletes the lock only if this holder still has it (it may have expired and been taken by another).
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;
const POLL_MS = 25;

/**
 * Mutual exclusion across auth replicas without a database connection held meanwhile: one Redis
 * key per lock (`SET NX PX`), released only by its holder, expiring by itself should the holder
 * die. The time to live must outlast the work (an upstream call's timeout and a write), so a live
 * holder never loses its lock.
 */
@Injectable()
export class RedisLocks {
  constructor(@Inject(REDIS) private readonly redis: Redis) {}

  /** The holder's token, or null when another holds the lock. */
  async tryAcquire(key: string, ttlMs: number): Promise<string | null> {
    const token = randomUUID();
    return (await this.redis.set(key, token, 'PX', ttlMs, 'NX')) === 'OK' ? token : null;
  }

  async release(key: string, token: string): Promise<void> {
    await this.redis.eval(RELEASE, 1, key, token);
  }

  /** Waits until nobody holds the lock (true) or `timeoutMs` passed (false). */
  async waitReleased(key: string, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while ((await this.redis.exists(key)) === 1) {
      if (Date.now() >= deadline) return false;
      await sleep(POLL_MS);
    }
    return true;
  }

  /** Runs `work` holding the lock, waiting for it at most `waitMs`; `{held: false}` when it never came. */
  async withLock<T>(key: string, opts: { ttlMs: number; waitMs: number }, work: () => Promise<T>): Promise<{ held: true; value: T } | { held: false }> {
    const deadline = Date.now() + opts.waitMs;
    for (;;) {
      const token = await this.tryAcquire(key, opts.ttlMs);
      if (token) {
        try {
          return { held: true, value: await work() };
        } finally {
          await this.release(key, token).catch(() => undefined);
        }
      }
      if (!(await this.waitReleased(key, Math.max(0, deadline - Date.now())))) return { held: false };
    }
  }
}
