import { z } from 'zod';
import { upstreamCredentialSchema } from '../auth/auth.schemas.js';

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
