import { Global, Inject, Injectable, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { Redis } from 'ioredis';

export const REDIS = Symbol('REDIS');

@Injectable()
class RedisCloser implements OnApplicationShutdown {
  constructor(@Inject(REDIS) private readonly redis: Redis) {}
  async onApplicationShutdown() {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}

@Global()
@Module({})
export class RedisModule {
  static forRoot(url: string): DynamicModule {
    return {
      module: RedisModule,
      // Auto-pipelining: the commands issued in one tick (a usage batch settles every event's budget and
      // rate at once) leave in one write and come back in one read instead of one round trip each. No
      // blocking command runs on this client (BullMQ has connections of its own).
      providers: [{ provide: REDIS, useFactory: () => new Redis(url, { maxRetriesPerRequest: 3, enableAutoPipelining: true }) }, RedisCloser],
      exports: [REDIS],
    };
  }
}
