export * from './relay.subjects.js';
export * from './relay-job.schema.js';
export * from './relay-frame.schema.js';
export * from './platform-paths.js';
export * from './codex-paths.js';
export * from './web-paths.js';
export * from './relay.protocol.js';
