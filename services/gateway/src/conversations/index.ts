import type { GatewayFeature } from '../shared/feature.js';
import { ConversationManageClient } from './conversation-manage.client.js';
import { ConversationsController } from './conversations.controller.js';

/** Conversation management (`/chatgpt/conversation…`, `/backend-api/conversation…`). */
export const CONVERSATIONS_FEATURE: GatewayFeature = { controllers: [ConversationsController], providers: [ConversationManageClient] };
