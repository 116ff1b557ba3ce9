import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { busErrorSchema, type BusError } from '@chatgate/contracts';
import { REDIS } from '@chatgate/service-kit/redis';
import { AUTH_REDIS_PREFIX } from '../accounts/sealed-places.js';

/**
 * How long a Bearer that is no chatgate credential stays refused without being looked at again: an
 * unknown string, an invalid or expired access token, a refresh or session token the upstream refused.
 * Short, as a refresh token refused for a transient reason would otherwise wait long; long enough that
 * repeating a bogus `rt_…` costs the upstream at most one exchange per period.
 */
export const REFUSED_BEARER_TTL_MS = 60_000;

/**
 * Refusals of Bearers that are not chatgate credentials, kept in Redis (shared by every auth replica)
 * under the Bearer's sha256, never the Bearer. Refusals that can change (a disabled user, a transient
 * upstream failure) are never kept here.
 */
@Injectable()
export class RefusedBearers {
  constructor(@Inject(REDIS) private readonly redis: Redis) {}

  private key(bearer: string): string {
    return `${AUTH_REDIS_PREFIX}refused:${createHash('sha256').update(bearer).digest('hex')}`;
  }

  /** The kept refusal and how long it still holds, or null. A Redis failure is a miss, never a refusal. */
  async find(bearer: string): Promise<{ failure: BusError; remainingMs: number } | null> {
    try {
      const [[, raw], [, ttl]] = (await this.redis.multi().get(this.key(bearer)).pttl(this.key(bearer)).exec()) as [[unknown, string | null], [unknown, number]];
      if (!raw || ttl <= 0) return null;
      const failure = busErrorSchema.safeParse(JSON.parse(raw));
      return failure.success ? { failure: failure.data, remainingMs: ttl } : null;
    } catch {
      return null;
    }
  }

  async remember(bearer: string, failure: BusError): Promise<void> {
    await this.redis.set(this.key(bearer), JSON.stringify(failure), 'PX', REFUSED_BEARER_TTL_MS).catch(() => undefined);
  }
}
