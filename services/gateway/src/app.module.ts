import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import type { GatewayConfig } from '@chatgate/config';
import { HealthModule, NatsClientsModule, NatsConnectionModule, NatsHealthIndicator, usagePublisherProvider, type Logger } from '@chatgate/service-kit';
import { SHARED_PROVIDERS, type GatewayFeature } from './shared/index.js';
import { CONVERSATION_CLIENT } from './shared/bus/conversation-client.token.js';
import { GATEWAY_CONFIG } from './shared/config/gateway.config.js';
import { GATEWAY_LOGGER } from './shared/config/gateway.logger.js';
import { AUTH_CLIENT } from './shared/credentials/credential-resolver.service.js';
import { OpenAIExceptionFilter } from './shared/errors/openai-exception.filter.js';
import { ADMIN_FEATURE } from './admin/index.js';
import { BILLING_FEATURE } from './billing/index.js';
import { CHAT_FEATURE } from './chat/index.js';
import { CONSOLE_FEATURE } from './console/index.js';
import { CONVERSATIONS_FEATURE } from './conversations/index.js';
import { FILES_FEATURE } from './files/index.js';
import { HEALTH_FEATURE } from './health/index.js';
import { ME_FEATURE } from './me/index.js';
import { MODELS_FEATURE } from './models/index.js';
import { PLATFORM_FEATURE } from './platform/index.js';
import { RESPONSES_FEATURE } from './responses/index.js';
import { VOICE_FEATURE } from './voice/index.js';
import { WEB_PROTOCOL_FEATURE } from './web-protocol/index.js';

/** Always routed: the system's health, the admin API and its console, ChatGPT-Mirror's user page. */
const OPERATOR_FEATURES: GatewayFeature[] = [HEALTH_FEATURE, ADMIN_FEATURE, CONSOLE_FEATURE, ME_FEATURE];

/** The client API: what OpenAI clients, ChatGPT web clients and chat UIs call with a client credential. */
const CLIENT_API_FEATURES: GatewayFeature[] = [CHAT_FEATURE, RESPONSES_FEATURE, MODELS_FEATURE, FILES_FEATURE, PLATFORM_FEATURE, VOICE_FEATURE, WEB_PROTOCOL_FEATURE, CONVERSATIONS_FEATURE, BILLING_FEATURE];

/** The feature folders side by side over `shared/`; none imports another (eslint.config.mjs enforces it). */
@Module({})
export class GatewayModule {
  static forRoot(config: GatewayConfig, logger: Logger): DynamicModule {
    // ENABLE_MIRROR_API=false (ChatGPT-Mirror's switch) leaves the client API unrouted: its paths answer
    // 404 in OpenAI's envelope like any unknown URL, while health and the admin API keep working.
    const routed = [...OPERATOR_FEATURES, ...(config.ENABLE_MIRROR_API ? CLIENT_API_FEATURES : [])];
    return {
      module: GatewayModule,
      imports: [
        NatsConnectionModule.forRoot(config, 'chatgate-gateway', logger, 'gateway'),
        HealthModule.forRoot('gateway', [NatsHealthIndicator]),
        // Credential resolution and admin calls (auth), models, management and file links (conversation).
        NatsClientsModule.register(config, 'gateway', [
          { token: AUTH_CLIENT, name: 'auth' },
          { token: CONVERSATION_CLIENT, name: 'conversation' },
        ]),
      ],
      controllers: routed.flatMap((feature) => feature.controllers),
      providers: [
        { provide: GATEWAY_CONFIG, useValue: config },
        { provide: GATEWAY_LOGGER, useValue: logger },
        { provide: APP_FILTER, useClass: OpenAIExceptionFilter },
        // The usage of a job whose worker was lost is the gateway's to publish (GatewayJobs).
        usagePublisherProvider(GATEWAY_CONFIG, GATEWAY_LOGGER),
        ...SHARED_PROVIDERS,
        ...[...OPERATOR_FEATURES, ...CLIENT_API_FEATURES].flatMap((feature) => feature.providers ?? []),
      ],
    };
  }
}
