import { Inject, Injectable, Optional } from '@nestjs/common';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Redis } from 'ioredis';
import { DataSource } from 'typeorm';
import { NATS_CONNECTION } from '../bus/nats-connection.module.js';
import { REDIS } from '../redis/redis.module.js';

/** One dependency's liveness check. A service lists the indicators of what it uses. */
export interface HealthIndicator {
  readonly name: string;
  check(): Promise<void>;
}

@Injectable()
export class NatsHealthIndicator implements HealthIndicator {
  readonly name = 'nats';
  constructor(@Inject(NATS_CONNECTION) private readonly nc: NatsConnection) {}
  async check() {
    await this.nc.rtt();
  }
}

@Injectable()
export class PostgresHealthIndicator implements HealthIndicator {
  readonly name = 'postgres';
  constructor(@Optional() private readonly dataSource?: DataSource) {}
  async check() {
    if (!this.dataSource) throw new Error('no database configured');
    await this.dataSource.query('SELECT 1');
  }
}

@Injectable()
export class RedisHealthIndicator implements HealthIndicator {
  readonly name = 'redis';
  constructor(@Inject(REDIS) private readonly redis: Redis) {}
  async check() {
    await this.redis.ping();
  }
}
