export { startConversation } from './conversation.app.js';
export { ModelTable } from './models/model-table.js';
export { ChatJobWorker } from './chat/chat-job.worker.js';
export { FileLinkSealer, DEVELOPMENT_FILE_LINK_SECRET, type FileLinkPayload } from './files/file-link-sealer.js';
