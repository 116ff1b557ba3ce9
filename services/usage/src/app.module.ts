import { Module, type DynamicModule } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { UsageConfig } from '@chatgate/config';
import { HealthModule, NatsConnectionModule, NatsHealthIndicator } from '@chatgate/service-kit';
import { PostgresHealthIndicator, serviceTypeOrmOptions } from '@chatgate/service-kit/postgres';
import { RedisHealthIndicator, RedisModule } from '@chatgate/service-kit/redis';

export const USAGE_SCHEMA = 'usage';

/**
 * Limits and usage accounting. The foundation gives it its schema, its migrations table and its
 * connections; the limits and the JetStream consumer arrive with the tenants and usage work.
 */
@Module({})
export class UsageModule {
  static forRoot(config: UsageConfig): DynamicModule {
    return {
      module: UsageModule,
      imports: [
        TypeOrmModule.forRoot(serviceTypeOrmOptions({ url: config.DATABASE_URL, schema: USAGE_SCHEMA, entities: [], migrations: [] })),
        RedisModule.forRoot(config.REDIS_URL),
        NatsConnectionModule.forRoot(config.NATS_URL, 'chatgate-usage'),
        HealthModule.forRoot('usage', [NatsHealthIndicator, PostgresHealthIndicator, RedisHealthIndicator]),
      ],
    };
  }
}
