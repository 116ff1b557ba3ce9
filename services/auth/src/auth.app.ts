import { authEnv, ConfigError, parseConfig, type AuthConfig } from '@chatgate/config';
import { bootService, createLogger, type RunningService } from '@chatgate/service-kit';
import { TokenCipher } from './accounts/token-cipher.js';
import { AuthModule } from './app.module.js';
import { AUTH_SCHEMA } from './auth.config.js';

export async function startAuth(config: AuthConfig = parseConfig(authEnv)): Promise<RunningService> {
  const logger = createLogger('auth', config.LOG_LEVEL);
  // Refuses to start without a key outside development, before touching anything else.
  let cipher: TokenCipher;
  try {
    cipher = TokenCipher.fromConfig(config);
  } catch (err) {
    throw new ConfigError([err instanceof Error ? err.message : String(err)]);
  }
  if (cipher.isDevelopmentKey) logger.warn('TOKEN_ENCRYPTION_KEY is not set: tokens are sealed with the development key (never use this in production)');
  return bootService({
    service: 'auth',
    logLevel: config.LOG_LEVEL,
    logger,
    dependencies: { nats: config.NATS_URL, postgres: { url: config.DATABASE_URL, schema: AUTH_SCHEMA }, redis: config.REDIS_URL },
    module: AuthModule.forRoot(config, logger, cipher),
    port: config.HEALTH_PORT,
    host: config.HOST,
  });
}
