export * from './conversation.subjects.js';
export * from './conversation.schemas.js';
