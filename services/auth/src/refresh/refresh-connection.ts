import type { AuthConfig } from '@chatgate/config';

/**
 * BullMQ gets connection options rather than the service's shared ioredis client: it opens (and
 * closes) its own connections, one of them blocking, and needs `maxRetriesPerRequest: null` on
 * them, which the shared client (3 retries, for fast failure of pool calls) must not have.
 */
export function bullConnection(config: Pick<AuthConfig, 'REDIS_URL'>): { url: string; maxRetriesPerRequest: null } {
  return { url: config.REDIS_URL, maxRetriesPerRequest: null };
}

/**
 * The queue's Redis key prefix names the database the accounts live in: jobs carry account ids
 * that only mean something in that database, so two deployments (or two test stacks) sharing a
 * Redis must not take each other's jobs. Replicas of one deployment share the database and so
 * the queue.
 */
export function refreshQueuePrefix(config: Pick<AuthConfig, 'DATABASE_URL'>): string {
  const database = decodeURIComponent(new URL(config.DATABASE_URL).pathname.replace(/^\//, '')) || 'postgres';
  return `chatgate:${database}`;
}
