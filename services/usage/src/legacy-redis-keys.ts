import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import type { Redis } from 'ioredis';
import type { Logger } from '@chatgate/service-kit';
import { REDIS } from '@chatgate/service-kit/redis';
import { USAGE_LOGGER } from './usage.config.js';

/** Set once every untagged key has been moved; later starts skip the scan. */
export const LEGACY_KEYS_MOVED_MARKER = 'chatgate:usage:keys-tagged:v1';

/**
 * The tagged name of a key written before keys carried their tenant as a hash tag (issue 12), or
 * null for a key that needs no move: budget keys (`chatgate:billing:user:<tenant>:<id>:…`) and limit
 * windows (`chatgate:usage:limit:<tenant>:…`). Settled markers are left to expire within the day:
 * they only stop a redelivered event from adding its cost twice.
 */
export function taggedName(key: string): string | null {
  if (key.includes('{')) return null;
  const budget = /^chatgate:billing:(user|key):([^:]+):(.+)$/.exec(key);
  if (budget) return `chatgate:billing:${budget[1]}:{${budget[2]}}:${budget[3]}`;
  const limit = /^chatgate:usage:limit:([^:]+):(.+)$/.exec(key);
  if (limit) return `chatgate:usage:limit:{${limit[1]}}:${limit[2]}`;
  return null;
}

/**
 * Moves the budget and limit keys of an earlier version to their tagged names at start, so an
 * upgrade keeps every spend counter, hold and limit window. Each key is merged into whatever the
 * new name already holds (another replica may have written it): counters add up (read and deleted
 * in one transaction, so a retry never adds twice), sets and hashes unite, the longer lifetime wins.
 * Keys of a version still running during a rollout are moved at the next start.
 */
@Injectable()
export class LegacyRedisKeys implements OnApplicationBootstrap {
  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(USAGE_LOGGER) private readonly logger: Logger,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (await this.redis.get(LEGACY_KEYS_MOVED_MARKER)) return;
    const moved = await this.moveAll();
    await this.redis.set(LEGACY_KEYS_MOVED_MARKER, String(Date.now()));
    if (moved) this.logger.info({ moved }, 'budget and limit keys moved to their tenant-tagged names');
  }

  /** Returns how many keys were moved. */
  async moveAll(): Promise<number> {
    let moved = 0;
    for (const pattern of ['chatgate:billing:*', 'chatgate:usage:limit:*']) {
      let cursor = '0';
      do {
        const [next, keys] = await this.redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
        for (const key of keys) {
          const to = taggedName(key);
          if (to && (await this.move(key, to))) moved++;
        }
        cursor = next;
      } while (cursor !== '0');
    }
    return moved;
  }

  private async move(from: string, to: string): Promise<boolean> {
    const ttl = await this.redis.pttl(from);
    switch (await this.redis.type(from)) {
      case 'string': {
        const [[, value] = []] = (await this.redis.multi().get(from).del(from).exec()) ?? [];
        if (typeof value === 'string') await this.redis.incrby(to, Number(value));
        break;
      }
      case 'zset': {
        const flat = await this.redis.zrange(from, 0, -1, 'WITHSCORES');
        const pairs: string[] = [];
        for (let i = 0; i < flat.length; i += 2) pairs.push(flat[i + 1], flat[i]);
        if (pairs.length) await this.redis.zadd(to, ...pairs);
        await this.redis.del(from);
        break;
      }
      case 'hash': {
        const fields = await this.redis.hgetall(from);
        for (const [field, value] of Object.entries(fields)) await this.redis.hsetnx(to, field, value);
        await this.redis.del(from);
        break;
      }
      default:
        return false;
    }
    if (ttl > 0) {
      const current = await this.redis.pttl(to);
      if (current === -1 || current < ttl) await this.redis.pexpire(to, ttl);
    }
    return true;
  }
}
