import { decodeJsonFrame, encodeJsonFrame, type JobProtocol } from '../jobs/job-protocol.js';
import { chatFrameSchema, type ChatFrame } from './chat-frame.schema.js';
import { chatJobSchema, type ChatJob } from './chat-job.schema.js';
import { CHAT_COMPLETION_CANCEL_PREFIX, CHAT_COMPLETION_JOB, CONVERSATION_QUEUE_GROUP } from './chat.subjects.js';

/** Chat completions: a ChatJob to one conversation worker, ChatFrames (JSON) back. */
export const CHAT_JOBS: JobProtocol<ChatJob, ChatFrame> = {
  subject: CHAT_COMPLETION_JOB,
  queue: CONVERSATION_QUEUE_GROUP,
  cancelPrefix: CHAT_COMPLETION_CANCEL_PREFIX,
  jobSchema: chatJobSchema,
  worker: 'conversation worker',
  answer: 'the reply',
  job: 'chat job',
  tooLarge: {
    param: 'messages',
    carried: 'messages and inline data',
    advice: 'Send large images by https URL instead of a data: URL, or send fewer files at once.',
  },
  encodeFrame: encodeJsonFrame,
  decodeFrame: (data) => decodeJsonFrame(chatFrameSchema, data),
  heartbeat: { t: 'hb' },
  errorFrame: (failure) => ({ t: 'error', ...failure }),
};
