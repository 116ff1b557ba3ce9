import { z } from 'zod';
import { CLIENT_ID_MAX, MODEL_NAME_MAX, oneLine } from '../common/client-text.js';
import { usageKindSchema } from './usage-event.schema.js';

export const isoOrEpoch = z.union([z.iso.datetime({ offset: true }), z.coerce.number().int()]).transform((v) => (typeof v === 'number' ? v : Date.parse(v)));

/** A name or id an admin filters by: it reaches SQL as a parameter, so it is one line of valid text. */
export const filterSchema = oneLine(z.string().max(CLIENT_ID_MAX));

/** The filters and range every usage query takes (`/admin/v1/usage` and its series), each optional. */
export const usageFilterFields = {
  tenant: filterSchema.optional(),
  /** A user id or, until auth's users exist, the name the events carry. */
  user: filterSchema.optional(),
  /** An account id or its label (email). */
  account: oneLine(z.string().max(320)).optional(),
  model: oneLine(z.string().max(MODEL_NAME_MAX)).optional(),
  kind: usageKindSchema.optional(),
  /** ISO 8601 or epoch ms; inclusive, rounded down to its hour. */
  from: isoOrEpoch.optional(),
  /** ISO 8601 or epoch ms; exclusive. */
  to: isoOrEpoch.optional(),
};

/** `/admin/v1/usage`'s query string: every filter optional; the range defaults to the last 24 hours. */
export const usageQuerySchema = z.object({
  ...usageFilterFields,
  granularity: z.enum(['hour', 'day']).default('hour'),
  page: z.coerce.number().int().min(1).default(1),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});
export type UsageQuery = z.infer<typeof usageQuerySchema>;

export const usageRowSchema = z.object({
  /** Start of the hour or the UTC day, ISO 8601. */
  bucket: z.string(),
  tenantId: z.string(),
  userId: z.string().nullable(),
  userName: z.string().nullable(),
  accountId: z.string().nullable(),
  accountLabel: z.string().nullable(),
  model: z.string(),
  kind: usageKindSchema,
  requests: z.number().int(),
  errors: z.number().int(),
  cancelled: z.number().int(),
  promptTokens: z.number().int(),
  completionTokens: z.number().int(),
  /** Spend: the price table applied to each request when it was stored (micro-USD, and USD). */
  costMicroUsd: z.number().int().default(0),
  costUsd: z.number().default(0),
});
export type UsageRow = z.infer<typeof usageRowSchema>;

export const usagePageSchema = z.object({
  rows: z.array(usageRowSchema),
  page: z.number().int(),
  limit: z.number().int(),
  total: z.number().int(),
  from: z.string(),
  to: z.string(),
  granularity: z.enum(['hour', 'day']),
});
export type UsagePage = z.infer<typeof usagePageSchema>;

/** The bus request: the admin's query with the tenant the admin may see (null: every tenant). */
export const usageQueryRequestSchema = z.object({
  scopeTenantId: z.string().nullable(),
  tenant: z.string().optional(),
  user: z.string().optional(),
  account: z.string().optional(),
  model: z.string().optional(),
  kind: usageKindSchema.optional(),
  from: z.number().int(),
  to: z.number().int(),
  granularity: z.enum(['hour', 'day']),
  page: z.number().int().min(1),
  limit: z.number().int().min(1).max(1000),
});
export type UsageQueryRequest = z.infer<typeof usageQueryRequestSchema>;

export const usageBusReplySchema = <T extends z.ZodType>(result: T) =>
  z.discriminatedUnion('ok', [z.object({ ok: z.literal(true), result }), z.object({ ok: z.literal(false), error: z.string() })]);

export const userCountsRequestSchema = z.object({ scopeTenantId: z.string().nullable(), names: z.array(z.string()).max(1000), since: z.number().int() });
export const userCountsSchema = z.record(z.string(), z.number().int());

export const accountHourlyRequestSchema = z.object({ scopeTenantId: z.string().nullable(), labels: z.array(z.string()).max(1000), hours: z.number().int().min(1).max(168), now: z.number().int() });
/** label → model → `last_<n>h` → requests in the n-th hour back from now (`last_1h` is the last 60 minutes). */
export const accountHourlySchema = z.record(z.string(), z.record(z.string(), z.record(z.string(), z.number().int())));

/** ChatGPT-Mirror's bodies. */
export const userUseCountBodySchema = z.object({ username_list: z.array(oneLine(z.string().min(1).max(320))).min(1).max(1000) });
export const chatgptUseCountBodySchema = z.object({ chatgpt_list: z.array(oneLine(z.string().min(1).max(320))).min(1).max(1000) });
