import { loadPriceTable, parseConfig, usageEnv, type UsageConfig } from '@chatgate/config';
import { bootService, createLogger, type RunningService } from '@chatgate/service-kit';
import { USAGE_SCHEMA, UsageModule } from './app.module.js';

export async function startUsage(config: UsageConfig = parseConfig(usageEnv)): Promise<RunningService> {
  // A bad price table stops the service at once, with one line naming the variable and the field.
  const prices = loadPriceTable(config);
  const logger = createLogger('usage', config.LOG_LEVEL);
  return bootService({
    service: 'usage',
    logLevel: config.LOG_LEVEL,
    logger,
    dependencies: { nats: config, postgres: { url: config.DATABASE_URL, schema: USAGE_SCHEMA }, redis: config.REDIS_URL },
    module: UsageModule.forRoot(config, logger, prices),
    port: config.HEALTH_PORT,
    otlpEndpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT,
    host: config.HOST,
    shutdownGraceMs: config.SHUTDOWN_GRACE_MS,
  });
}
