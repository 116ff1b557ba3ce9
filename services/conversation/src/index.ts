export { startConversation } from './conversation.app.js';
export { ModelTable } from './models/model-table.js';
export { ChatJobWorker } from './chat/chat-job.worker.js';
export { FileLinkSealer, DEVELOPMENT_FILE_LINK_SECRET, type FileLinkPayload } from './files/file-link-sealer.js';
export { PlatformRunner } from './platform/platform.runner.js';
export type { PlatformSink } from './platform/run-platform-request.js';
export type { PlatformRequest, PlatformPath } from './platform/platform-request.js';
export type { PlatformUsage } from './platform/platform-usage.js';
