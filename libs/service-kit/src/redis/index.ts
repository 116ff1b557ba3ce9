/** `@chatgate/service-kit/redis`: only services that use Redis load ioredis. */
export * from './redis.module.js';
export * from './redis-health.indicator.js';
