import { Module, type DynamicModule } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { ConversationConfig } from '@chatgate/config';
import { HealthModule, NatsConnectionModule, NatsHealthIndicator, type Logger } from '@chatgate/service-kit';
import { PostgresHealthIndicator, serviceTypeOrmOptions } from '@chatgate/service-kit/postgres';
import { ChatJobWorker } from './chat/chat-job.worker.js';
import { CONVERSATION_CONFIG, CONVERSATION_LOGGER } from './conversation.config.js';
import { ModelTable } from './models/model-table.js';
import { ModelsController } from './models/models.controller.js';
import { CONVERSATION_MIGRATIONS } from './migrations/index.js';
import { ConversationContinuity } from './records/conversation-continuity.js';
import { ConversationManageController } from './records/conversation-manage.controller.js';
import { ConversationManager } from './records/conversation-manager.js';
import { ConversationRecordStore } from './records/conversation-record.store.js';
import { AccountLeaseClient } from './upstream/account-lease.client.js';
import { ChatGptClient } from './upstream/chatgpt.client.js';
import { UsagePublisher } from './usage/usage-publisher.js';

export const CONVERSATION_SCHEMA = 'conversation';

@Module({})
export class ConversationModule {
  static forRoot(config: ConversationConfig, logger: Logger): DynamicModule {
    return {
      module: ConversationModule,
      imports: [
        TypeOrmModule.forRoot(serviceTypeOrmOptions({ url: config.DATABASE_URL, schema: CONVERSATION_SCHEMA, entities: [], migrations: CONVERSATION_MIGRATIONS })),
        NatsConnectionModule.forRoot(config.NATS_URL, 'chatgate-conversation'),
        HealthModule.forRoot('conversation', [NatsHealthIndicator, PostgresHealthIndicator]),
      ],
      controllers: [ModelsController, ConversationManageController],
      providers: [
        { provide: CONVERSATION_CONFIG, useValue: config },
        { provide: CONVERSATION_LOGGER, useValue: logger },
        { provide: ModelTable, useValue: new ModelTable(config.DEFAULT_UPSTREAM_MODEL, config.MODEL_MAP) },
        ChatGptClient,
        AccountLeaseClient,
        UsagePublisher,
        ChatJobWorker,
        ConversationRecordStore,
        ConversationContinuity,
        ConversationManager,
      ],
    };
  }
}
