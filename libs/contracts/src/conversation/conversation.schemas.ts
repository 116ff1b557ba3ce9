import { z } from 'zod';
import { upstreamCredentialSchema } from '../auth/auth.schemas.js';

export const listModelsRequestSchema = z.object({
  tenantId: z.string(),
  /** The caller's upstream: the list is what its account(s) offer. Absent: the mapping table alone. */
  upstream: upstreamCredentialSchema.optional(),
});
export type ListModelsRequest = z.infer<typeof listModelsRequestSchema>;

export const modelEntrySchema = z.object({
  /** The name clients send as `model`. */
  id: z.string(),
  /** The upstream slug it maps to. */
  upstreamSlug: z.string(),
  ownedBy: z.string(),
});
export const listModelsReplySchema = z.object({ models: z.array(modelEntrySchema) });
export type ListModelsReply = z.infer<typeof listModelsReplySchema>;
