import { authEnv, parseConfig, type AuthConfig } from '@chatgate/config';
import { bootService, createLogger, type RunningService } from '@chatgate/service-kit';
import { AuthModule } from './app.module.js';
import { AUTH_SCHEMA } from './auth.config.js';

export async function startAuth(config: AuthConfig = parseConfig(authEnv)): Promise<RunningService> {
  const logger = createLogger('auth', config.LOG_LEVEL);
  return bootService({
    service: 'auth',
    logLevel: config.LOG_LEVEL,
    logger,
    dependencies: { nats: config.NATS_URL, postgres: { url: config.DATABASE_URL, schema: AUTH_SCHEMA }, redis: config.REDIS_URL },
    module: AuthModule.forRoot(config, logger),
    port: config.HEALTH_PORT,
    host: config.HOST,
  });
}
