import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { ClientsModule, Transport } from '@nestjs/microservices';
import type { GatewayConfig } from '@chatgate/config';
import { HealthModule, NatsConnectionModule, NatsHealthIndicator, natsClientOptions, type Logger } from '@chatgate/service-kit';
import { ADMIN_CONTROLLERS, ADMIN_PROVIDERS } from './admin/index.js';
import { AUTH_CLIENT, CredentialResolver } from './auth/credential-resolver.service.js';
import { BILLING_CONTROLLERS } from './billing/index.js';
import { ChatCompletionsController } from './chat/chat-completions.controller.js';
import { CONVERSATIONS_CONTROLLERS, CONVERSATIONS_PROVIDERS } from './conversations/index.js';
import { OpenAIExceptionFilter } from './shared/errors/openai-exception.filter.js';
import { GatewayJobs } from './shared/jobs/gateway-jobs.js';
import { GATEWAY_CONFIG } from './gateway.config.js';
import { GATEWAY_LOGGER } from './gateway.logger.js';
import { SystemHealthController } from './health/system-health.controller.js';
import { CONVERSATION_CLIENT } from './models/conversation-client.token.js';
import { ME_CONTROLLERS, ME_PROVIDERS } from './me/index.js';
import { ModelsController } from './models/models.controller.js';
import { FilesController } from './files/files.controller.js';
import { USAGE_CONTROLLERS, USAGE_PROVIDERS } from './usage/index.js';
import { RELAY_CONTROLLERS, RELAY_PROVIDERS } from './relay/index.js';
import { VOICE_CONTROLLERS, VOICE_PROVIDERS } from './voice/index.js';
import { PLATFORM_CONTROLLERS, PLATFORM_PROVIDERS } from './platform/index.js';

/** The client API: what OpenAI clients, ChatGPT web clients and chat UIs call with a client credential. */
const CLIENT_API_CONTROLLERS = [
  ChatCompletionsController,
  ModelsController,
  FilesController,
  ...PLATFORM_CONTROLLERS,
  ...VOICE_CONTROLLERS,
  ...RELAY_CONTROLLERS,
  ...CONVERSATIONS_CONTROLLERS,
  ...BILLING_CONTROLLERS,
];

@Module({})
export class GatewayModule {
  static forRoot(config: GatewayConfig, logger: Logger): DynamicModule {
    return {
      module: GatewayModule,
      imports: [
        NatsConnectionModule.forRoot(config.NATS_URL, 'chatgate-gateway'),
        HealthModule.forRoot('gateway', [NatsHealthIndicator]),
        ClientsModule.register([
          { name: AUTH_CLIENT, transport: Transport.NATS, options: natsClientOptions(config.NATS_URL, 'gateway') },
          { name: CONVERSATION_CLIENT, transport: Transport.NATS, options: natsClientOptions(config.NATS_URL, 'gateway') },
        ]),
      ],
      // ENABLE_MIRROR_API=false (ChatGPT-Mirror's switch) leaves the client API unrouted: its paths answer
      // 404 in OpenAI's envelope like any unknown URL, while health and the admin API keep working.
      controllers: [SystemHealthController, ...ADMIN_CONTROLLERS, ...USAGE_CONTROLLERS, ...ME_CONTROLLERS, ...(config.ENABLE_MIRROR_API ? CLIENT_API_CONTROLLERS : [])],
      providers: [
        { provide: GATEWAY_CONFIG, useValue: config },
        { provide: GATEWAY_LOGGER, useValue: logger },
        { provide: APP_FILTER, useClass: OpenAIExceptionFilter },
        CredentialResolver,
        GatewayJobs,
        ...ADMIN_PROVIDERS,
        ...USAGE_PROVIDERS,
        ...ME_PROVIDERS,
        ...RELAY_PROVIDERS,
        ...VOICE_PROVIDERS,
        ...CONVERSATIONS_PROVIDERS,
        ...PLATFORM_PROVIDERS,
      ],
    };
  }
}
