import { ConfigError, conversationEnv, developmentSecretsAllowed, parseConfig, type ConversationConfig } from '@chatgate/config';
import { bootService, createLogger, type RunningService } from '@chatgate/service-kit';
import { CONVERSATION_SCHEMA, ConversationModule } from './app.module.js';

export async function startConversation(config: ConversationConfig = parseConfig(conversationEnv)): Promise<RunningService> {
  const logger = createLogger('conversation', config.LOG_LEVEL);
  // Every worker must seal file links with the same secret the others open them with.
  if (!config.FILE_LINK_SECRET) {
    if (config.NODE_ENV === 'production') throw new ConfigError(['FILE_LINK_SECRET is required in production (at least 32 characters, the same on every conversation worker)']);
    if (!developmentSecretsAllowed(config, config.CHATGPT_BASE_URL, config.CODEX_BASE_URL)) {
      throw new ConfigError(['FILE_LINK_SECRET is required when CHATGPT_BASE_URL or CODEX_BASE_URL is a real upstream (not a local simulator): the development secret is public. Set it to at least 32 random characters (`openssl rand -base64 32`), the same on every conversation worker']);
    }
    logger.warn('FILE_LINK_SECRET is not set: file links are sealed with the development secret (never use this in production)');
  }
  return bootService({
    service: 'conversation',
    logLevel: config.LOG_LEVEL,
    logger,
    dependencies: { nats: config, postgres: { url: config.DATABASE_URL, schema: CONVERSATION_SCHEMA } },
    module: ConversationModule.forRoot(config, logger),
    port: config.HEALTH_PORT,
    otlpEndpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT,
    host: config.HOST,
    shutdownGraceMs: config.SHUTDOWN_GRACE_MS,
  });
}
