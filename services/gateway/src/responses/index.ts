import type { GatewayFeature } from '../shared/feature.js';
import { ResponsesController } from './responses.controller.js';
import { ResponsesOnChatgpt } from './responses-on-chatgpt.js';
import { ResponsesStoreClient } from './responses-store.client.js';

/** `/v1/responses…`: the Responses API on API keys (relayed), Codex accounts (native) and ChatGPT accounts (the chat job). */
export const RESPONSES_FEATURE: GatewayFeature = { controllers: [ResponsesController], providers: [ResponsesOnChatgpt, ResponsesStoreClient] };
