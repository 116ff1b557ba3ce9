import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import type { RateTake } from '@chatgate/contracts';
import { REDIS } from '@chatgate/service-kit/redis';
import { RedisScripts } from '../redis-scripts.js';
import { RATE_SETTLE_LUA, RATE_TAKE_LUA } from './rate-window.lua.js';

/** RPM and TPM count over the last minute. */
export const RATE_WINDOW_MS = 60_000;

export type RateResult = { allowed: true } | { allowed: false; by: 'requests' | 'tokens'; retryAfterMs: number; tooLarge?: true };

/** The tenant is the hash tag, as for limits and budgets: every key of one script is in one Redis Cluster slot. */
export function rateKeys(tenantId: string, subject: string): { requests: string; tokens: string } {
  const base = `chatgate:usage:rate:{${tenantId}}:${subject}`;
  return { requests: base, tokens: `${base}:tokens` };
}

/** A key's requests and tokens per minute in Redis (see rate-window.lua.ts). */
@Injectable()
export class RateWindow {
  private readonly scripts: RedisScripts;

  constructor(@Inject(REDIS) private readonly redis: Redis) {
    this.scripts = new RedisScripts(redis);
  }

  async take(tenantId: string, requestId: string, rate: RateTake): Promise<RateResult> {
    const keys = rateKeys(tenantId, rate.subject);
    const [taken, wait, by] = (await this.scripts.run(RATE_TAKE_LUA, [keys.requests, keys.tokens], [requestId, rate.rpm ?? 0, rate.tpm ?? 0, rate.tokens, RATE_WINDOW_MS])) as [number, number, number];
    if (taken === 1) return { allowed: true };
    const kind = by === 1 ? 'requests' : 'tokens';
    return wait < 0 ? { allowed: false, by: kind, retryAfterMs: 0, tooLarge: true } : { allowed: false, by: kind, retryAfterMs: Math.max(0, wait) };
  }

  /** A job no worker ran: its entry goes (idempotent). */
  async release(tenantId: string, subject: string, requestId: string): Promise<void> {
    const keys = rateKeys(tenantId, subject);
    await this.redis.multi().zrem(keys.requests, requestId).hdel(keys.tokens, requestId).exec();
  }

  /** The real tokens of a stored request replace its estimate (no-op when it holds no entry). */
  async settle(tenantId: string, subject: string, requestId: string, tokens: number): Promise<boolean> {
    return (await this.scripts.run(RATE_SETTLE_LUA, [rateKeys(tenantId, subject).tokens], [requestId, Math.max(0, Math.round(tokens))])) === 1;
  }
}
