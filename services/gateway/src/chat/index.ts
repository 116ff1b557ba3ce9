import type { GatewayFeature } from '../shared/feature.js';
import { ChatCompletionsController } from './chat-completions.controller.js';

/** `/v1/chat/completions`, on a ChatGPT account, the tenant's API keys or its Codex accounts. */
export const CHAT_FEATURE: GatewayFeature = { controllers: [ChatCompletionsController] };
