import { z } from 'zod';
import { accountKindSchema } from '../routing/upstream-kind.js';

/** An ISO 8601 time; plain string in the schema so the generated OpenAPI stays readable. */
const isoTime = z.string().meta({ format: 'date-time' });

/**
 * `cooling` is derived when it is shown: an active account with any model's cool-down still in the
 * future. Filtering by status uses the same reading.
 */
export const upstreamAccountStatusSchema = z.enum(['active', 'cooling', 'needs_token', 'disabled']);
export type UpstreamAccountStatus = z.infer<typeof upstreamAccountStatusSchema>;

/** One usage window of a Codex account, as it stands now (0 % once its reset has passed). */
export const codexWindowViewSchema = z.object({
  usedPercent: z.number(),
  windowMinutes: z.number().int(),
  resetsAt: isoTime.nullable(),
});

/** A Codex account's usage as the upstream last reported it (`x-codex-*` headers), and its usage-limit hold. */
export const codexUsageViewSchema = z.object({
  plan: z.string().nullable(),
  /** When the upstream last reported it; null: no answer with limits seen yet. */
  observedAt: isoTime.nullable(),
  primary: codexWindowViewSchema.nullable(),
  secondary: codexWindowViewSchema.nullable(),
  credits: z.object({ hasCredits: z.boolean().nullable(), balance: z.number().nullable(), unlimited: z.boolean().nullable() }).nullable(),
  /** A 429 `usage_limit_reached` holds the whole account until then (null: not held). */
  limitedUntil: isoTime.nullable(),
});
export type CodexUsageView = z.infer<typeof codexUsageViewSchema>;

/** Enough of a token to recognise it (`eyJhbG…x9Qk`), never enough to use it. */
export const tokenHintSchema = z.object({ hint: z.string() });

export const accountViewSchema = z.object({
  id: z.string(),
  email: z.string().nullable(),
  plan: z.string().nullable(),
  /** The workspace the pool sends as `ChatGPT-Account-Id`. */
  chatgptAccountId: z.string().nullable(),
  workspaces: z.array(z.object({ id: z.string(), plan: z.string().nullable(), structure: z.enum(['personal', 'workspace']) })),
  status: upstreamAccountStatusSchema,
  tokens: z.object({
    access: tokenHintSchema.extend({ expiresAt: isoTime.nullable() }).nullable(),
    refresh: tokenHintSchema.nullable(),
    session: tokenHintSchema.nullable(),
  }),
  lastRefreshAt: isoTime.nullable(),
  lastError: z.object({ message: z.string(), at: isoTime.nullable() }).nullable(),
  /** Only cool-downs still running, soonest first. */
  cooldowns: z.array(z.object({ model: z.string(), until: isoTime })),
  createdAt: isoTime,
  updatedAt: isoTime,
  /** `chatgpt` (a login; absent in views from before API keys), `api_key` or `codex` (a Codex login). */
  kind: accountKindSchema.optional(),
  /** API keys: where the key is sent (the key itself only as `tokens.access.hint`). */
  platform: z
    .object({
      name: z.string().nullable(),
      baseUrl: z.string(),
      apiStyle: z.enum(['openai', 'azure']),
      apiVersion: z.string().nullable(),
      organization: z.string().nullable(),
      models: z.array(z.string()).nullable(),
    })
    .nullable()
    .optional(),
  /** Codex logins: usage windows (used %, reset time), plan and credits, and the usage-limit hold. */
  codex: codexUsageViewSchema.nullable().optional(),
});
export type AccountView = z.infer<typeof accountViewSchema>;

export const ACCOUNT_LIST_MAX_LIMIT = 200;
export const ACCOUNT_LIST_DEFAULT_LIMIT = 50;

/** `GET /admin/v1/accounts` query: newest first, pages counted from 1. */
export const accountListQuerySchema = z.object({
  status: upstreamAccountStatusSchema.optional(),
  /** How auth stores the account's kind (`chatgpt`, `api_key`, …): one kind only. */
  kind: accountKindSchema.optional(),
  page: z.coerce.number().int().min(1).default(1),
  limit: z.coerce.number().int().min(1).max(ACCOUNT_LIST_MAX_LIMIT).default(ACCOUNT_LIST_DEFAULT_LIMIT),
});
export type AccountListQuery = z.infer<typeof accountListQuerySchema>;

export const accountListSchema = z.object({
  data: z.array(accountViewSchema),
  page: z.number().int(),
  limit: z.number().int(),
  total: z.number().int(),
  hasMore: z.boolean(),
});
export type AccountList = z.infer<typeof accountListSchema>;

export const accountDeletedSchema = z.object({ id: z.string(), deleted: z.literal(true) });
export type AccountDeleted = z.infer<typeof accountDeletedSchema>;
