import { Module, type DynamicModule } from '@nestjs/common';
import type { ConversationConfig } from '@chatgate/config';
import { AccountLeaseClient, HealthModule, NatsConnectionModule, NatsHealthIndicator, usagePublisherProvider, workerCapacityProvider, type Logger } from '@chatgate/service-kit';
import { PostgresHealthIndicator, serviceTypeOrmModule } from '@chatgate/service-kit/postgres';
import { CONVERSATION_CONFIG, CONVERSATION_LOGGER } from './conversation.config.js';
import { CONVERSATION_MIGRATIONS } from './migrations/index.js';
// Features, side by side: each an entry point on the bus; none imports another.
import { ChatJobWorker } from './chat/chat-job.worker.js';
import { ChatGptWebTarget } from './relay/chatgpt-web.target.js';
import { PlatformTarget } from './relay/platform.target.js';
import { CodexTarget } from './relay/codex.target.js';
import { RelayJobWorker } from './relay/relay-job.worker.js';
import { RELAY_TARGETS } from './relay/relay-target.js';
import { ConversationManageController } from './management/conversation-manage.controller.js';
import { ResponsesStoreController } from './responses/responses-store.controller.js';
import { ConversationManager } from './management/conversation-manager.js';
import { ModelsController } from './models/models.controller.js';
import { UpstreamModelsService } from './models/upstream-models.service.js';
import { CodexModels } from './models/codex-models.js';
import { FileDownloadWorker } from './file-links/file-download.worker.js';
import { FileLinkOpener } from './file-links/file-link-opener.js';
// Shared, at the bottom: what several features use; imports no feature.
import { DEVELOPMENT_FILE_LINK_SECRET, FileLinkSealer } from './shared/files/file-link-sealer.js';
import { CodexChatRunner } from './shared/codex/codex-chat.runner.js';
import { CodexClient } from './shared/codex/codex.client.js';
import { CodexLimitsReporter } from './shared/codex/codex-limits.reporter.js';
import { ModelTable } from '@chatgate/contracts';
import { PlatformRunner } from './shared/platform/platform.runner.js';
import { PoolLeases } from './shared/leases/pool-leases.js';
import { ConversationContinuity } from './shared/records/conversation-continuity.js';
import { ConversationRecordStore } from './shared/records/conversation-record.store.js';
import { ResponseStore } from './shared/responses/response-store.js';
import { AttemptUploads } from './shared/uploads/attempt-uploads.js';
import { InputLoader } from './shared/uploads/input-loader.js';
import { ChatGptClient } from './shared/upstream/chatgpt.client.js';
import { ChatGptFilesClient } from './shared/upstream/chatgpt-files.client.js';
import { FileDownloadClient } from './shared/upstream/file-download.client.js';
import { UpstreamExchange } from './shared/upstream/upstream-exchange.js';

export const CONVERSATION_SCHEMA = 'conversation';

@Module({})
export class ConversationModule {
  static forRoot(config: ConversationConfig, logger: Logger): DynamicModule {
    return {
      module: ConversationModule,
      imports: [
        serviceTypeOrmModule({ url: config.DATABASE_URL, schema: CONVERSATION_SCHEMA, entities: [], migrations: CONVERSATION_MIGRATIONS }),
        NatsConnectionModule.forRoot(config, 'chatgate-conversation', logger, 'conversation'),
        HealthModule.forRoot('conversation', [NatsHealthIndicator, PostgresHealthIndicator]),
      ],
      controllers: [ModelsController, ConversationManageController, ResponsesStoreController],
      providers: [
        { provide: CONVERSATION_CONFIG, useValue: config },
        { provide: CONVERSATION_LOGGER, useValue: logger },
        { provide: ModelTable, useValue: new ModelTable(config.DEFAULT_UPSTREAM_MODEL, config.MODEL_MAP) },
        UpstreamExchange,
        ChatGptClient,
        ChatGptFilesClient,
        InputLoader,
        AttemptUploads,
        UpstreamModelsService,
        CodexModels,
        AccountLeaseClient,
        usagePublisherProvider(CONVERSATION_CONFIG, CONVERSATION_LOGGER),
        // WORKER_CONCURRENCY: one cap over the chat, relay and file download jobs of this replica.
        workerCapacityProvider(CONVERSATION_CONFIG),
        { provide: FileLinkSealer, useValue: new FileLinkSealer(config.FILE_LINK_SECRET ?? DEVELOPMENT_FILE_LINK_SECRET) },
        FileDownloadClient,
        FileLinkOpener,
        FileDownloadWorker,
        ChatJobWorker,
        ConversationRecordStore,
        ResponseStore,
        ConversationContinuity,
        ConversationManager,
        PoolLeases,
        PlatformRunner,
        // The HTTP relay: one entry per upstream kind it can reach.
        ChatGptWebTarget,
        { provide: PlatformTarget, useFactory: (runner: PlatformRunner, responses: ResponseStore) => new PlatformTarget(runner, responses), inject: [PlatformRunner, ResponseStore] },
        CodexClient,
        CodexLimitsReporter,
        CodexChatRunner,
        { provide: CodexTarget, useFactory: (runner: CodexChatRunner) => new CodexTarget(runner), inject: [CodexChatRunner] },
        {
          provide: RELAY_TARGETS,
          useFactory: (web: ChatGptWebTarget, platform: PlatformTarget, codex: CodexTarget) => [web, platform, codex],
          inject: [ChatGptWebTarget, PlatformTarget, CodexTarget],
        },
        RelayJobWorker,
      ],
    };
  }
}
