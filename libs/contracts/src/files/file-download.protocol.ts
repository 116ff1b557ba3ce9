import { z } from 'zod';
import { busErrorSchema } from '../common/openai-error.js';
import { CONVERSATION_QUEUE_GROUP } from '../chat/chat.subjects.js';
import { binaryFrameCodec, type DataFrame } from '../jobs/binary-frames.js';
import type { JobProtocol } from '../jobs/job-protocol.js';
import { fileLinkRequestSchema } from './files.schemas.js';
import { FILE_DOWNLOAD_CANCEL_PREFIX, FILE_DOWNLOAD_JOB } from './files.subjects.js';

/** `GET /v1/files/<token>` as a job: the link and who presented it. */
export const fileDownloadJobSchema = fileLinkRequestSchema.extend({ requestId: z.string().min(1) });
export type FileDownloadJob = z.infer<typeof fileDownloadJobSchema>;

/**
 * What the worker answers: `head` once (the file's type, its length when the store said, its name),
 * `data` (the bytes, at most 64 KiB per frame)…, then one `end` or `error`. An `error` before `head`
 * is an HTTP error for the client; after it the download is cut (a client never keeps half a file
 * for a whole one).
 */
export const fileControlFrameSchema = z.discriminatedUnion('t', [
  z.object({ t: z.literal('head'), contentType: z.string(), contentLength: z.number().int().nonnegative().nullable(), fileName: z.string().nullable() }),
  z.object({ t: z.literal('end') }),
  z.object({ t: z.literal('error'), ...busErrorSchema.shape }),
  z.object({ t: z.literal('hb') }),
]);
export type FileControlFrame = z.infer<typeof fileControlFrameSchema>;
export type FileFrame = FileControlFrame | DataFrame;

const codec = binaryFrameCodec(fileControlFrameSchema);

export const FILE_DOWNLOAD_JOBS: JobProtocol<FileDownloadJob, FileFrame> = {
  subject: FILE_DOWNLOAD_JOB,
  queue: CONVERSATION_QUEUE_GROUP,
  cancelPrefix: FILE_DOWNLOAD_CANCEL_PREFIX,
  jobSchema: fileDownloadJobSchema,
  worker: 'conversation worker',
  answer: 'the file',
  job: 'file download',
  tooLarge: { param: null, advice: 'The file link is too long.' },
  encodeFrame: codec.encode,
  decodeFrame: (data) => codec.decode(data),
  heartbeat: { t: 'hb' },
  errorFrame: (failure) => ({ t: 'error', ...failure }),
};
