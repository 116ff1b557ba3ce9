import { z } from 'zod';

export const listModelsRequestSchema = z.object({ tenantId: z.string() });
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
