export { startConversation } from './conversation.app.js';
export { ModelTable } from './models/model-table.js';
export { ChatJobWorker } from './chat/chat-job.worker.js';
