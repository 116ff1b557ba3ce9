export * from './conversation.subjects.js';
export * from './conversation.schemas.js';
export * from './conversation-records.schemas.js';
