import { authEnv, ConfigError, developmentSecretsAllowed, namedEnv, parseConfig, rawTokensEnabled, type AuthConfig } from '@chatgate/config';
import { bootService, createLogger, natsAuthenticates, type RunningService } from '@chatgate/service-kit';
import { TokenCipher } from './accounts/token-cipher.js';
import { AuthModule } from './app.module.js';
import { AUTH_SCHEMA } from './auth.config.js';
import { BootstrapService } from './bootstrap/bootstrap.service.js';
import { loadBootstrapFile, type BootstrapPlan } from './bootstrap/bootstrap-file.js';

/**
 * `env` is read only for the bootstrap file's `token_env` entries: their names are chosen by the
 * file, so they cannot be part of the parsed config.
 */
export async function startAuth(config: AuthConfig = parseConfig(authEnv), env: NodeJS.ProcessEnv = namedEnv()): Promise<RunningService> {
  const logger = createLogger('auth', config.LOG_LEVEL);
  // Refuses to start without a key outside development, before touching anything else.
  let cipher: TokenCipher;
  try {
    cipher = TokenCipher.fromConfig(config, developmentSecretsAllowed(config, config.CHATGPT_BASE_URL, config.CHATGPT_AUTH_URL, config.CHATGPT_AUTH0_URL, config.CODEX_AUTH_URL));
  } catch (err) {
    throw new ConfigError([err instanceof Error ? err.message : String(err)]);
  }
  logger.info({ rawTokens: rawTokensEnabled(config), jwks: config.CHATGPT_JWKS_URL }, rawTokensEnabled(config) ? 'raw ChatGPT tokens are accepted as Bearers (RAW_TOKENS)' : 'raw ChatGPT tokens are refused (RAW_TOKENS off)');
  // Admin requests carry their actor (`{kind: 'operator'}`…) and auth acts on it: that is safe because only the
  // gateway may publish admin subjects (deploy/nats, contracts' busPermissions). Without NATS credentials no
  // server enforces that.
  if (config.NODE_ENV === 'production' && !natsAuthenticates(config)) {
    logger.warn('NATS without credentials: any client of this NATS server can send admin requests as the operator. Give each service its NATS user (deploy/nats)');
  }
  if (cipher.isDevelopmentKey) logger.warn('TOKEN_ENCRYPTION_KEY is not set: tokens are sealed with the development key (never use this in production)');
  // A file that does not validate stops the service here, before any connection is made.
  const bootstrap: BootstrapPlan | null = config.CHATGATE_BOOTSTRAP ? loadBootstrapFile(config.CHATGATE_BOOTSTRAP, { nodeEnv: config.NODE_ENV, env }) : null;
  const running = await bootService({
    service: 'auth',
    logLevel: config.LOG_LEVEL,
    logger,
    dependencies: { nats: config, postgres: { url: config.DATABASE_URL, schema: AUTH_SCHEMA }, redis: config.REDIS_URL },
    module: AuthModule.forRoot(config, logger, cipher),
    port: config.HEALTH_PORT,
    otlpEndpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT,
    host: config.HOST,
    shutdownGraceMs: config.SHUTDOWN_GRACE_MS,
  });
  if (!bootstrap) return running;
  // After migrations (they run as the app is built). A fault rolls the whole file back and stops the service.
  try {
    await running.app.get(BootstrapService).apply(bootstrap);
  } catch (err) {
    await running.close().catch(() => undefined);
    throw err;
  }
  return running;
}
