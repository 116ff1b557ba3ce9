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
   * Which kind of account (`ACCOUNT_KIND_OF` an UpstreamKind): a ChatGPT login (absent means this),
   * an API key for the platform API or a Codex login. A lease never crosses kinds: a ChatGPT request
   * never gets an API key or a Codex login, nor the reverse.
   */
  kind: accountKindSchema.optional(),
});
export type AccountLeaseRequest = z.infer<typeof accountLeaseRequestSchema>;

export const accountLeaseSchema = z.object({
  accountId: z.string(),
  accessToken: z.string(),
  /**
   * The workspace to send as `ChatGPT-Account-Id`: a Team workspace's for a ChatGPT login; always set
   * for a Codex login (the backend requires the header).
   */
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
  /** For a Codex login (`accessToken` holds its Codex access token): the subscription's plan, when known. */
  codex: z.object({ plan: z.string().nullable() }).optional(),
});
export type AccountLease = z.infer<typeof accountLeaseSchema>;

export const accountLeaseReplySchema = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), lease: accountLeaseSchema }),
  z.object({ ok: z.literal(false), failure: busErrorSchema }),
]);
export type AccountLeaseReply = z.infer<typeof accountLeaseReplySchema>;

/**
 * What a failed attempt says about its account. `rate_limited` cools the account for that model;
 * `usage_limited` (Codex's 429 `usage_limit_reached`) cools it for every model until `resetsAtSec`:
 * the limit is the subscription's, not the model's.
 */
export const accountOutcomeSchema = z.enum(['unauthorized', 'forbidden', 'model_not_found', 'rate_limited', 'usage_limited', 'upstream_error']);
export type AccountOutcome = z.infer<typeof accountOutcomeSchema>;

export const accountReportSchema = z.object({
  accountId: z.string(),
  model: z.string(),
  outcome: accountOutcomeSchema,
  /** For rate_limited: the upstream's `clears_in` (ChatGPT) or `retry-after` (API keys), in seconds. */
  clearsInSec: z.number().nonnegative().optional(),
  /** For usage_limited: when the account's usage limit resets (unix seconds; the upstream's `resets_at`). */
  resetsAtSec: z.number().int().nonnegative().optional(),
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
  /** Whose plans: ChatGPT logins (absent means this) or Codex logins (one lease per distinct Codex plan). */
  kind: accountKindSchema.optional(),
});
export type AccountPlansRequest = z.infer<typeof accountPlansRequestSchema>;

/** One usable account per plan type (`null`: the plan is unknown), to ask the upstream what that plan offers. */
export const accountPlansReplySchema = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), plans: z.array(z.object({ plan: z.string().nullable(), lease: accountLeaseSchema })) }),
  z.object({ ok: z.literal(false), failure: busErrorSchema }),
]);
export type AccountPlansReply = z.infer<typeof accountPlansReplySchema>;

/** One usage window of a Codex account as the upstream reported it (`x-codex-primary-*` / `x-codex-secondary-*`). */
export const codexLimitWindowSchema = z.object({
  /** 0–100 (the upstream may report a little over 100 while the limit holds). */
  usedPercent: z.number().nonnegative(),
  windowMinutes: z.number().int().nonnegative(),
  /** When the window resets (unix seconds), if the upstream said. */
  resetAtSec: z.number().int().nonnegative().nullable(),
});
export type CodexLimitWindow = z.infer<typeof codexLimitWindowSchema>;

/**
 * Fire-and-forget: a Codex answer carried `x-codex-*` headers, so this is the account's usage as the
 * upstream sees it now. Published by the worker at most once per account every few seconds; auth
 * keeps the newest per account (by `observedAt`) and prefers accounts with headroom.
 */
export const accountLimitsEventSchema = z.object({
  accountId: z.string(),
  /** When the worker read the headers (epoch ms); an older observation never replaces a newer one. */
  observedAt: z.number().int().nonnegative(),
  /** `x-codex-plan-type`. */
  plan: z.string().nullable(),
  primary: codexLimitWindowSchema.optional(),
  secondary: codexLimitWindowSchema.optional(),
  credits: z
    .object({
      hasCredits: z.boolean().nullable(),
      balance: z.number().nullable(),
      unlimited: z.boolean().nullable(),
    })
    .optional(),
});
export type AccountLimitsEvent = z.infer<typeof accountLimitsEventSchema>;

/** The kinds of account a worker leases from its own snapshot (`ACCOUNT_KEYS`); Codex logins are always leased by auth (their headroom is auth's). */
export const snapshotKindSchema = z.enum(['api_key', 'chatgpt']);
export type SnapshotKind = z.infer<typeof snapshotKindSchema>;

/** `kind`: which accounts (API keys when absent: what older workers ask for). */
export const accountKeysRequestSchema = z.object({ tenantId: z.string(), kind: snapshotKindSchema.optional() });
export type AccountKeysRequest = z.infer<typeof accountKeysRequestSchema>;

/**
 * One account of a tenant's pool as a worker leases it locally: the lease auth would hand out, what
 * it serves, until when it cools per model, and (ChatGPT logins) its plan and until when its token
 * may be handed out without a refresh.
 */
export const accountKeySchema = z.object({
  lease: accountLeaseSchema,
  /** The key's model list (names or globs; null or empty: every model), as `servesModel` reads it. */
  models: z.array(z.string()).nullable(),
  /** Per model slug: until when (ms since the epoch) the key cools down for it. */
  cooldowns: z.record(z.string(), z.number()),
  /** A login's plan, as `planAllows` reads it. */
  plan: z.string().nullable().optional(),
  /** Until when (ms since the epoch) the token is handed out as it is; later, auth refreshes it first. Absent or null: no expiry. */
  usableUntil: z.number().nullable().optional(),
});
export type AccountKey = z.infer<typeof accountKeySchema>;

/**
 * `keys`: the tenant's usable accounts of the kind asked (enabled, with a token); `random`: they are
 * chosen at random (auth's RANDOM_TOKEN), else in turn.
 */
export const accountKeysReplySchema = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), random: z.boolean(), keys: z.array(accountKeySchema) }),
  z.object({ ok: z.literal(false), failure: busErrorSchema }),
]);
export type AccountKeysReply = z.infer<typeof accountKeysReplySchema>;
