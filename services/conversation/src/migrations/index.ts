import { CreateConversationRecords1765000000000 } from './1765000000000-create-conversation-records.js';
import { AddRecordIsolation1765100000000 } from './1765100000000-add-record-isolation.js';
import { CreateResponses1765200000000 } from './1765200000000-create-responses.js';

/** In order. ESM builds cannot glob for migration files, so each one is listed here. */
export const CONVERSATION_MIGRATIONS = [CreateConversationRecords1765000000000, AddRecordIsolation1765100000000, CreateResponses1765200000000];
