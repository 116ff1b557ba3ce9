import { z } from 'zod';
import { busErrorSchema } from '../common/openai-error.js';
import { accountKindSchema } from '../routing/upstream-kind.js';

export const accountLeaseRequestSchema = z.object({
  tenantId: z.string(),
  /** The upstream model slug: cool-downs and plan limits are per model. */
  model: z.string(),
  /** Accounts this request already tried; never handed out again for it. */
  exclude: z.array(z.string()),
  /** When present, only these accounts may be handed out (the credential's allowed accounts). */
  allowed: z.array(z.string()).optional(),
  requestId: z.string(),
  /**
   * `download`: fetching a file the account already made (a generated-file link). Cool-downs and
   * plan limits are about sending messages, so they do not keep such a lease from being given.
   */
  purpose: z.enum(['conversation', 'download']).optional(),
  /**
   * Which kind of account (`ACCOUNT_KIND_OF` an UpstreamKind): a ChatGPT login (absent means this)
   * or an API key for the platform API. A lease never crosses kinds: a ChatGPT request never gets an
   * API key, nor the reverse.
   */
  kind: accountKindSchema.optional(),
});
export type AccountLeaseRequest = z.infer<typeof accountLeaseRequestSchema>;

export const accountLeaseSchema = z.object({
  accountId: z.string(),
  accessToken: z.string(),
  /** The workspace to send as `ChatGPT-Account-Id`, if the account is a Team workspace. */
  chatgptAccountId: z.string().nullable(),
  deviceId: z.string(),
  label: z.string(),
  /** For an API-key account: where and how to send the key (`accessToken` holds the key itself). */
  platform: z
    .object({
      baseUrl: z.string(),
      organization: z.string().nullable(),
      /** `openai`: `Authorization: Bearer`; `azure`: `api-key` header and `api-version` query. */
      apiStyle: z.enum(['openai', 'azure']),
      apiVersion: z.string().nullable(),
    })
    .optional(),
});
export type AccountLease = z.infer<typeof accountLeaseSchema>;

export const accountLeaseReplySchema = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), lease: accountLeaseSchema }),
  z.object({ ok: z.literal(false), failure: busErrorSchema }),
]);
export type AccountLeaseReply = z.infer<typeof accountLeaseReplySchema>;

export const accountOutcomeSchema = z.enum(['unauthorized', 'forbidden', 'model_not_found', 'rate_limited', 'upstream_error']);
export type AccountOutcome = z.infer<typeof accountOutcomeSchema>;

export const accountReportSchema = z.object({
  accountId: z.string(),
  model: z.string(),
  outcome: accountOutcomeSchema,
  /** For rate_limited: the upstream's `clears_in` (ChatGPT) or `retry-after` (API keys), in seconds. */
  clearsInSec: z.number().nonnegative().optional(),
  /** What the upstream said, for the account's last error (never a token). */
  message: z.string().max(500),
  /**
   * For unauthorized: which access token the upstream refused, as the sha256 (hex) of it, never the
   * token. Auth tells by it a token it has replaced since the lease (no second refresh) from the
   * token it holds now (refreshed moments ago and refused again: the account is set aside).
   */
  refusedTokenSha256: z
    .string()
    .regex(/^[0-9a-f]{64}$/)
    .optional(),
});
export type AccountReport = z.infer<typeof accountReportSchema>;

/**
 * For `unauthorized`: a lease of the same account with a token the upstream has not refused yet (after
 * one refresh, or the one another request's refresh left), or null when there is none to try.
 */
export const accountReportReplySchema = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), lease: accountLeaseSchema.nullable() }),
  z.object({ ok: z.literal(false), failure: busErrorSchema }),
]);
export type AccountReportReply = z.infer<typeof accountReportReplySchema>;

export const accountsChangedEventSchema = z.object({ tenantId: z.string(), accountIds: z.array(z.string()) });
export type AccountsChangedEvent = z.infer<typeof accountsChangedEventSchema>;

/** The plans of a tenant's pool (restricted to the credential's allowed accounts, when it has some). */
export const accountPlansRequestSchema = z.object({
  tenantId: z.string(),
  allowed: z.array(z.string()).optional(),
});
export type AccountPlansRequest = z.infer<typeof accountPlansRequestSchema>;

/** One usable account per plan type (`null`: the plan is unknown), to ask the upstream what that plan offers. */
export const accountPlansReplySchema = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), plans: z.array(z.object({ plan: z.string().nullable(), lease: accountLeaseSchema })) }),
  z.object({ ok: z.literal(false), failure: busErrorSchema }),
]);
export type AccountPlansReply = z.infer<typeof accountPlansReplySchema>;
