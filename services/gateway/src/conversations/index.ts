import { ConversationManageClient } from './conversation-manage.client.js';
import { ConversationsController } from './conversations.controller.js';

/** What GatewayModule adds for conversation management (`/chatgpt/conversation…`, `/backend-api/conversation…`). */
export const CONVERSATIONS_CONTROLLERS = [ConversationsController];
export const CONVERSATIONS_PROVIDERS = [ConversationManageClient];
