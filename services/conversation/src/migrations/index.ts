import { CreateConversationRecords1765000000000 } from './1765000000000-create-conversation-records.js';

/** In order. ESM builds cannot glob for migration files, so each one is listed here. */
export const CONVERSATION_MIGRATIONS = [CreateConversationRecords1765000000000];
