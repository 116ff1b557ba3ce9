import { parseConfig, usageEnv, type UsageConfig } from '@chatgate/config';
import { bootService, createLogger, type RunningService } from '@chatgate/service-kit';
import { USAGE_SCHEMA, UsageModule } from './app.module.js';

export async function startUsage(config: UsageConfig = parseConfig(usageEnv)): Promise<RunningService> {
  const logger = createLogger('usage', config.LOG_LEVEL);
  return bootService({
    service: 'usage',
    logLevel: config.LOG_LEVEL,
    logger,
    dependencies: { nats: config.NATS_URL, postgres: { url: config.DATABASE_URL, schema: USAGE_SCHEMA }, redis: config.REDIS_URL },
    module: UsageModule.forRoot(config, logger),
    port: config.HEALTH_PORT,
    host: config.HOST,
  });
}
