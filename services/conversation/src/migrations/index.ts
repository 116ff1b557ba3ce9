import { CreateConversationRecords1765000000000 } from './1765000000000-create-conversation-records.js';
import { AddRecordIsolation1765100000000 } from './1765100000000-add-record-isolation.js';
import { CreateResponses1765200000000 } from './1765200000000-create-responses.js';
import { ResponsesJsonAsText1765300000000 } from './1765300000000-responses-json-as-text.js';

/** In order. ESM builds cannot glob for migration files, so each one is listed here. */
export const CONVERSATION_MIGRATIONS = [CreateConversationRecords1765000000000, AddRecordIsolation1765100000000, CreateResponses1765200000000, ResponsesJsonAsText1765300000000];
