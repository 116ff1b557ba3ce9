import { z } from 'zod';
import { upstreamCredentialSchema } from '../auth/auth.schemas.js';
import { busErrorSchema } from '../common/openai-error.js';

export const fileLinkRequestSchema = z.object({
  /** The sealed token from `/v1/files/<token>`, as the client sent it. */
  token: z.string().min(1).max(4096),
  /**
   * Who presented the link, when it came with a Bearer: links to files made with a caller's own
   * ChatGPT token work only for that same credential (the token holds no upstream credential).
   */
  caller: z.object({ credentialId: z.string(), upstream: upstreamCredentialSchema }).optional(),
});
export type FileLinkRequest = z.infer<typeof fileLinkRequestSchema>;

export const fileLinkReplySchema = z.discriminatedUnion('ok', [
  /** The upstream's blob URL: signed by the upstream, no credential needed, valid for minutes. */
  z.object({ ok: z.literal(true), downloadUrl: z.string().url(), fileName: z.string().nullable() }),
  z.object({ ok: z.literal(false), failure: busErrorSchema }),
]);
export type FileLinkReply = z.infer<typeof fileLinkReplySchema>;
