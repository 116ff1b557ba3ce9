import { z } from 'zod';
import { busErrorSchema } from '../common/openai-error.js';
import { modelRouteSchema } from '../routing/model-routes.schema.js';
import { principalBudgetSchema } from '../billing/budget.schema.js';
import { keyRateLimitSchema, principalAllowListSchema } from '../models/model-access.js';

export const resolveCredentialRequestSchema = z.object({
  /** The raw Bearer value as the client sent it (may be `<token>,<account id>`). */
  bearer: z.string().min(1),
  /** `ChatGPT-Account-Id` header, selecting a Team workspace. */
  accountId: z.string().optional(),
  /**
   * The client presented too many Bearers that were refused (the gateway's UnknownBearerLimiter) and must
   * wait this long: resolve what needs no upstream call, refuse the rest (a token exchange) with 429.
   */
  throttledForMs: z.number().int().positive().optional(),
});
export type ResolveCredentialRequest = z.infer<typeof resolveCredentialRequestSchema>;

/**
 * What the upstream request is made with: the caller's own ChatGPT access token (raw tokens, and
 * refresh or session tokens exchanged by auth), or an account leased from a tenant's pool per attempt.
 */
export const upstreamCredentialSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('chatgpt_access_token'),
    accessToken: z.string(),
    accountId: z.string().optional(),
  }),
  z.object({
    kind: z.literal('pool'),
    tenantId: z.string(),
    /** Only these accounts of the pool (a user's `chatgpt_list`, or a mirror token's one account); absent: any. */
    accountIds: z.array(z.string()).optional(),
  }),
]);
export type UpstreamCredential = z.infer<typeof upstreamCredentialSchema>;

/** At most `count` messages to models matching `model` in any `everyMinutes`-minute window (ChatGPT-Mirror's `limits`). */
export const modelLimitSchema = z.object({
  model: z.string().min(1),
  everyMinutes: z.number().int().positive(),
  count: z.number().int().nonnegative(),
});
export type ModelLimit = z.infer<typeof modelLimitSchema>;

export const principalSchema = z.object({
  /** Stable id of the credential (a hash, never the credential itself): cache key and usage attribution. */
  credentialId: z.string(),
  tenantId: z.string(),
  userId: z.string().nullable(),
  /** The user's name in the tenant, for usage views (null for pool codes and raw tokens). */
  userName: z.string().nullable().default(null),
  /** The user's model limits; empty means none, and the gateway skips the limit check. */
  limits: z.array(modelLimitSchema).default([]),
  /** The user's budget and the key's own, each enforced before the request; empty: no budget, no hop. */
  budgets: z.array(principalBudgetSchema).optional(),
  /** The user's and the key's model allow-lists; a request must match every one (absent or empty: no list). */
  modelAllowLists: z.array(principalAllowListSchema).optional(),
  /** The key's requests and tokens per minute, taken in the same usage hop as limits and budgets; absent: none. */
  rateLimit: keyRateLimitSchema.optional(),
  /** Epoch ms when the credential stops working (key or user expiry, the earlier); null: never. */
  accessUntil: z.number().nullable().optional(),
  /** The user sees only conversations made with their own credentials. */
  isolatedSession: z.boolean().default(false),
  /** Display name for logs: an email or user name, never a secret. */
  label: z.string(),
  upstream: upstreamCredentialSchema,
  /**
   * The tenant's routing table: which models go to API-key accounts (read with routeModel;
   * absent means DEFAULT_MODEL_ROUTES). Carried here so the gateway routes from its cached
   * principal, with no extra hop.
   */
  modelRoutes: z.array(modelRouteSchema).optional(),
  /** Epoch ms after which the gateway must resolve again (token expiry or cache policy). */
  expiresAt: z.number(),
});
export type Principal = z.infer<typeof principalSchema>;

export const resolveCredentialReplySchema = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), principal: principalSchema }),
  z.object({
    ok: z.literal(false),
    failure: busErrorSchema,
    /**
     * The Bearer is no chatgate credential and was refused for what it is (an unknown string, an invalid or
     * expired ChatGPT token, one the upstream refused): the gateway may answer the same refusal for this long
     * without asking again. Absent for refusals that can change (a disabled user, a transient failure).
     */
    refusedForMs: z.number().int().positive().optional(),
  }),
]);
export type ResolveCredentialReply = z.infer<typeof resolveCredentialReplySchema>;

export const credentialRevokedEventSchema = z.object({ credentialId: z.string() });
export type CredentialRevokedEvent = z.infer<typeof credentialRevokedEventSchema>;

export const tenantPrincipalsChangedEventSchema = z.object({ tenantId: z.string() });
export type TenantPrincipalsChangedEvent = z.infer<typeof tenantPrincipalsChangedEventSchema>;
