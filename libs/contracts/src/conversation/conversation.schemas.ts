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
  /** Whose accounts serve it, as /v1/models says (`owned_by`): `chatgpt`, `codex` or `platform` (the routing table's kinds). */
  ownedBy: z.string(),
  /**
   * For a model of the tenant's Codex accounts: the Codex backend's catalog entry as it came (`slug`,
   * `display_name`, `base_instructions`, `supported_reasoning_levels`, …), which /v1/models?client_version=
   * hands to Codex CLI.
   */
  codex: z.record(z.string(), z.unknown()).optional(),
});
export const listModelsReplySchema = z.object({ models: z.array(modelEntrySchema) });
export type ListModelsReply = z.infer<typeof listModelsReplySchema>;
