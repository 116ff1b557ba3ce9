export { startConversation } from './conversation.app.js';
export { ModelTable } from './shared/models/model-table.js';
export { ChatJobWorker } from './chat/chat-job.worker.js';
export { FileLinkSealer, DEVELOPMENT_FILE_LINK_SECRET, type FileLinkPayload } from './shared/files/file-link-sealer.js';
export { PlatformRunner } from './shared/platform/platform.runner.js';
export type { PlatformSink } from './shared/platform/run-platform-request.js';
export type { PlatformRequest, PlatformPath } from './shared/platform/platform-request.js';
export type { PlatformUsage } from './shared/platform/platform-usage.js';
