export * from './chat.subjects.js';
export * from './chat-job.schema.js';
export * from './chat-frame.schema.js';
export * from './chat.protocol.js';
