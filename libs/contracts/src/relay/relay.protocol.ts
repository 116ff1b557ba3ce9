import type { JobProtocol } from '../jobs/job-protocol.js';
import { decodeRelayFrame, encodeRelayFrame, type RelayFrame } from './relay-frame.schema.js';
import { relayJobSchema, type RelayJob } from './relay-job.schema.js';
import { RELAY_CANCEL_PREFIX, RELAY_JOB } from './relay.subjects.js';
import { CONVERSATION_QUEUE_GROUP } from '../chat/chat.subjects.js';

/** The HTTP relay: a RelayJob to one conversation worker, RelayFrames (one byte of kind, then JSON or raw bytes) back. */
export const RELAY_JOBS: JobProtocol<RelayJob, RelayFrame> = {
  subject: RELAY_JOB,
  // The relay runs in the conversation workers, beside chat.
  queue: CONVERSATION_QUEUE_GROUP,
  cancelPrefix: RELAY_CANCEL_PREFIX,
  jobSchema: relayJobSchema,
  worker: 'conversation worker',
  answer: 'the reply',
  job: 'relay job',
  tooLarge: { param: null, advice: 'Send a smaller request body.' },
  encodeFrame: encodeRelayFrame,
  decodeFrame: decodeRelayFrame,
  heartbeat: { t: 'hb' },
  errorFrame: (failure) => ({ t: 'error', ...failure }),
};
