import { decodeJsonFrame, encodeJsonFrame, type JobProtocol } from '../jobs/job-protocol.js';
import { SPEECH_AUDIO_FRAME, speechControlFrameSchema, speechJobSchema, type SpeechFrame, type SpeechJob } from './speech.schemas.js';
import { SPEECH_CANCEL_PREFIX, SPEECH_JOB, VOICE_QUEUE_GROUP } from './voice.subjects.js';

/** Text to speech: a SpeechJob to one voice replica; audio as raw bytes (marked by the frame-kind header) between JSON control frames. */
export const SPEECH_JOBS: JobProtocol<SpeechJob, SpeechFrame> = {
  subject: SPEECH_JOB,
  queue: VOICE_QUEUE_GROUP,
  cancelPrefix: SPEECH_CANCEL_PREFIX,
  jobSchema: speechJobSchema,
  worker: 'voice service',
  answer: 'the audio',
  job: 'speech job',
  tooLarge: { param: 'input' },
  encodeFrame: (frame) => (frame.t === 'audio' ? frame.bytes : encodeJsonFrame(frame)),
  frameKind: (frame) => (frame.t === 'audio' ? SPEECH_AUDIO_FRAME : undefined),
  decodeFrame: (data, kind) => (kind === SPEECH_AUDIO_FRAME ? { t: 'audio', bytes: data } : decodeJsonFrame(speechControlFrameSchema, data)),
  heartbeat: { t: 'hb' },
  errorFrame: (failure) => ({ t: 'error', ...failure }),
};
