export { startConversation } from './conversation.app.js';
export { ChatJobWorker } from './chat/chat-job.worker.js';
export { FileLinkSealer, DEVELOPMENT_FILE_LINK_SECRET, type FileLinkPayload } from './shared/files/file-link-sealer.js';
export { PlatformRunner } from './shared/platform/platform.runner.js';
export type { PlatformSink } from './shared/platform/run-platform-request.js';
export type { PlatformRequest, PlatformPath } from './shared/platform/platform-request.js';
export type { PlatformUsage } from './shared/platform/platform-usage.js';
export { CONVERSATION_SCHEMA } from './app.module.js';
export { CONVERSATION_MIGRATIONS } from './migrations/index.js';
