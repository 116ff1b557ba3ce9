import { Module, type DynamicModule } from '@nestjs/common';
import type { PriceTable, UsageConfig } from '@chatgate/config';
import { HealthModule, NatsConnectionModule, NatsHealthIndicator, type Logger } from '@chatgate/service-kit';
import { PostgresHealthIndicator, serviceTypeOrmModule } from '@chatgate/service-kit/postgres';
import { RedisHealthIndicator, RedisModule } from '@chatgate/service-kit/redis';
import { Admission } from './billing/admission.js';
import { BudgetLedger } from './billing/budget-ledger.js';
import { SpendQueries } from './billing/spend-queries.js';
import { SpendSettler } from './billing/spend-settler.js';
import { UsageBusListener } from './bus/usage-bus.listener.js';
import { DeadLetterStore } from './events/dead-letter.store.js';
import { ExhaustedDeliveries } from './events/exhausted-deliveries.listener.js';
import { UsageConsumer } from './events/usage-consumer.js';
import { UsageStore } from './events/usage-store.js';
import { LegacyRedisKeys } from './legacy-redis-keys.js';
import { LimitWindow } from './limits/limit-window.js';
import { RateWindow } from './rates/rate-window.js';
import { USAGE_MIGRATIONS } from './migrations/index.js';
import { UsageQueries } from './queries/usage-queries.js';
import { UsageSeriesQueries } from './queries/usage-series.js';
import { USAGE_CONFIG, USAGE_LOGGER, USAGE_PRICES } from './usage.config.js';

export const USAGE_SCHEMA = 'usage';

/** Limits (Redis sliding windows), budgets (Redis holds) and usage accounting with spend (JetStream → Postgres events and hourly rollups). */
@Module({})
export class UsageModule {
  static forRoot(config: UsageConfig, logger: Logger, prices: PriceTable): DynamicModule {
    return {
      module: UsageModule,
      imports: [
        serviceTypeOrmModule({ url: config.DATABASE_URL, schema: USAGE_SCHEMA, entities: [], migrations: USAGE_MIGRATIONS }),
        RedisModule.forRoot(config.REDIS_URL),
        NatsConnectionModule.forRoot(config, 'chatgate-usage', logger, 'usage'),
        HealthModule.forRoot('usage', [NatsHealthIndicator, PostgresHealthIndicator, RedisHealthIndicator]),
      ],
      providers: [
        { provide: USAGE_CONFIG, useValue: config },
        { provide: USAGE_LOGGER, useValue: logger },
        { provide: USAGE_PRICES, useValue: prices },
        LegacyRedisKeys,
        BudgetLedger,
        SpendSettler,
        SpendQueries,
        Admission,
        UsageStore,
        DeadLetterStore,
        UsageQueries,
        UsageSeriesQueries,
        LimitWindow,
        RateWindow,
        UsageConsumer,
        ExhaustedDeliveries,
        UsageBusListener,
      ],
    };
  }
}
