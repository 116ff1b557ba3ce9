import type { GatewayFeature } from '../shared/feature.js';
import { ChatCompletionsController } from './chat-completions.controller.js';

/** `/v1/chat/completions`, on a ChatGPT account or the tenant's API keys. */
export const CHAT_FEATURE: GatewayFeature = { controllers: [ChatCompletionsController] };
