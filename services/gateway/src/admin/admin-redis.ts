import { Inject, Injectable, type OnApplicationShutdown, type Provider } from '@nestjs/common';
import { Redis } from 'ioredis';
import { maskUrl } from '@chatgate/config';
import type { Logger } from '@chatgate/service-kit';
import { GATEWAY_CONFIG, type GatewayConfig } from '../shared/config/gateway.config.js';
import { GATEWAY_LOGGER } from '../shared/config/gateway.logger.js';

/** The gateway's Redis connection, used for the admin API's shared failed-login counts only. */
export const ADMIN_REDIS = Symbol('ADMIN_REDIS');

/** A login waits at most this long for Redis before it is refused. */
const COMMAND_TIMEOUT_MS = 1000;

/**
 * Not a dependency the gateway waits for: it starts and serves the client API without Redis, and admin
 * logins are refused (503 `admin_login_unavailable`) while Redis cannot be reached. The connection
 * keeps trying in the background; commands fail within a second rather than queue.
 */
export const adminRedisProvider: Provider = {
  provide: ADMIN_REDIS,
  inject: [GATEWAY_CONFIG, GATEWAY_LOGGER],
  useFactory: (config: GatewayConfig, logger: Logger) => {
    const redis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: 1, commandTimeout: COMMAND_TIMEOUT_MS, connectTimeout: 2000, lazyConnect: false });
    let reported = false;
    redis.on('error', (err: Error) => {
      if (reported) return;
      reported = true;
      logger.warn({ url: maskUrl(config.REDIS_URL), err: err.message }, 'Redis unreachable: admin logins are refused until it is back');
    });
    redis.on('ready', () => {
      if (reported) logger.info({ url: maskUrl(config.REDIS_URL) }, 'Redis reachable again: admin logins accepted');
      reported = false;
    });
    return redis;
  },
};

@Injectable()
export class AdminRedisCloser implements OnApplicationShutdown {
  constructor(@Inject(ADMIN_REDIS) private readonly redis: Redis) {}
  onApplicationShutdown() {
    this.redis.disconnect();
  }
}
