import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import type { HealthIndicator } from '../health/health-indicator.js';
import { REDIS } from './redis.module.js';

@Injectable()
export class RedisHealthIndicator implements HealthIndicator {
  readonly name = 'redis';
  constructor(@Inject(REDIS) private readonly redis: Redis) {}
  async check() {
    await this.redis.ping();
  }
}
