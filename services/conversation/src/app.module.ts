import { Module, type DynamicModule } from '@nestjs/common';
import type { ConversationConfig } from '@chatgate/config';
import { HealthModule, NatsConnectionModule, NatsHealthIndicator, usagePublisherProvider, type Logger } from '@chatgate/service-kit';
import { PostgresHealthIndicator, serviceTypeOrmModule } from '@chatgate/service-kit/postgres';
import { ChatJobWorker } from './chat/chat-job.worker.js';
import { CONVERSATION_CONFIG, CONVERSATION_LOGGER } from './conversation.config.js';
import { ModelTable } from './models/model-table.js';
import { ModelsController } from './models/models.controller.js';
import { CONVERSATION_MIGRATIONS } from './migrations/index.js';
import { ConversationContinuity } from './records/conversation-continuity.js';
import { ConversationManageController } from './records/conversation-manage.controller.js';
import { ConversationManager } from './records/conversation-manager.js';
import { ConversationRecordStore } from './records/conversation-record.store.js';
import { UpstreamModelsService } from './models/upstream-models.service.js';
import { ChatGptWebTarget } from './relay/chatgpt-web.target.js';
import { PlatformTarget } from './relay/platform.target.js';
import { RelayJobWorker } from './relay/relay-job.worker.js';
import { RELAY_TARGETS } from './relay/relay-target.js';
import { AccountLeaseClient } from '@chatgate/service-kit';
import { ChatGptClient } from './upstream/chatgpt.client.js';
import { ChatGptFilesClient } from './upstream/chatgpt-files.client.js';
import { AttemptUploads } from './uploads/attempt-uploads.js';
import { InputLoader } from './uploads/input-loader.js';
import { DEVELOPMENT_FILE_LINK_SECRET, FileLinkSealer } from './files/file-link-sealer.js';
import { FileLinkController } from './files/file-link.controller.js';
import { FileDownloadClient } from './upstream/file-download.client.js';
import { PlatformRunner } from './platform/platform.runner.js';

export const CONVERSATION_SCHEMA = 'conversation';

@Module({})
export class ConversationModule {
  static forRoot(config: ConversationConfig, logger: Logger): DynamicModule {
    return {
      module: ConversationModule,
      imports: [
        serviceTypeOrmModule({ url: config.DATABASE_URL, schema: CONVERSATION_SCHEMA, entities: [], migrations: CONVERSATION_MIGRATIONS }),
        NatsConnectionModule.forRoot(config.NATS_URL, 'chatgate-conversation'),
        HealthModule.forRoot('conversation', [NatsHealthIndicator, PostgresHealthIndicator]),
      ],
      controllers: [ModelsController, ConversationManageController, FileLinkController],
      providers: [
        { provide: CONVERSATION_CONFIG, useValue: config },
        { provide: CONVERSATION_LOGGER, useValue: logger },
        { provide: ModelTable, useValue: new ModelTable(config.DEFAULT_UPSTREAM_MODEL, config.MODEL_MAP) },
        ChatGptClient,
        ChatGptFilesClient,
        InputLoader,
        AttemptUploads,
        UpstreamModelsService,
        AccountLeaseClient,
        usagePublisherProvider(CONVERSATION_CONFIG, CONVERSATION_LOGGER),
        { provide: FileLinkSealer, useValue: new FileLinkSealer(config.FILE_LINK_SECRET ?? DEVELOPMENT_FILE_LINK_SECRET) },
        FileDownloadClient,
        ChatJobWorker,
        ConversationRecordStore,
        ConversationContinuity,
        ConversationManager,
        PlatformRunner,
        // The HTTP relay: one entry per upstream kind it can reach.
        ChatGptWebTarget,
        { provide: PlatformTarget, useFactory: (runner: PlatformRunner) => new PlatformTarget(runner), inject: [PlatformRunner] },
        { provide: RELAY_TARGETS, useFactory: (web: ChatGptWebTarget, platform: PlatformTarget) => [web, platform], inject: [ChatGptWebTarget, PlatformTarget] },
        RelayJobWorker,
      ],
    };
  }
}
