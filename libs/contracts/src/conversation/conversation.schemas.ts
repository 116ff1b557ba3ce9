import { z } from 'zod';
import { upstreamCredentialSchema } from '../auth/auth.schemas.js';
import { modelRoutesSchema } from '../routing/model-routes.schema.js';

export const listModelsRequestSchema = z.object({
  tenantId: z.string(),
  /** The caller's upstream: the list is what its account(s) offer. Absent: the mapping table alone. */
  upstream: upstreamCredentialSchema.optional(),
  /**
   * The tenant's routing table (`principal.modelRoutes`; absent: DEFAULT_MODEL_ROUTES): the Codex
   * accounts' models are listed only where the table sends them to Codex, so a listed model works as listed.
   */
  routes: modelRoutesSchema.optional(),
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
