import { conversationEnv, parseConfig, type ConversationConfig } from '@chatgate/config';
import { bootService, createLogger, type RunningService } from '@chatgate/service-kit';
import { CONVERSATION_SCHEMA, ConversationModule } from './app.module.js';

export async function startConversation(config: ConversationConfig = parseConfig(conversationEnv)): Promise<RunningService> {
  const logger = createLogger('conversation', config.LOG_LEVEL);
  return bootService({
    service: 'conversation',
    logLevel: config.LOG_LEVEL,
    logger,
    dependencies: { nats: config.NATS_URL, postgres: { url: config.DATABASE_URL, schema: CONVERSATION_SCHEMA } },
    module: ConversationModule.forRoot(config, logger),
    port: config.HEALTH_PORT,
    host: config.HOST,
  });
}
