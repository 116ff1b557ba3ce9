import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import type { LimitReleaseRequest, LimitTakeRequest } from '@chatgate/contracts';
import { REDIS } from '@chatgate/service-kit/redis';
import { RedisScripts } from '../redis-scripts.js';
import { SLIDING_WINDOW_LUA } from './sliding-window.lua.js';

export type TakeResult = { allowed: true } | { allowed: false; retryAfterMs: number };

/**
 * Redis keys are per tenant, per user (or credential) and per model as the client named it; the
 * tenant is the hash tag, as for budgets, so a script may one day take a key's and a user's windows
 * together on Redis Cluster.
 */
export function limitKey(req: Pick<LimitTakeRequest, 'tenantId' | 'subject' | 'model'>): string {
  return `chatgate:usage:limit:{${req.tenantId}}:${req.subject}:${req.model}`;
}

/** Sliding-window limits in Redis: take a slot atomically, give it back by request id. */
@Injectable()
export class LimitWindow {
  private readonly scripts: RedisScripts;

  constructor(@Inject(REDIS) private readonly redis: Redis) {
    this.scripts = new RedisScripts(redis);
  }

  async take(req: LimitTakeRequest): Promise<TakeResult> {
    const args: Array<string | number> = [req.requestId, req.windows.length];
    for (const w of req.windows) args.push(w.everyMinutes * 60_000, w.count);
    const [allowed, wait] = (await this.scripts.run(SLIDING_WINDOW_LUA, [limitKey(req)], args)) as [number, number];
    return allowed === 1 ? { allowed: true } : { allowed: false, retryAfterMs: wait };
  }

  /** Idempotent: a slot given back twice, or never taken, changes nothing. */
  async release(req: LimitReleaseRequest): Promise<boolean> {
    return (await this.redis.zrem(limitKey(req), req.requestId)) === 1;
  }
}
