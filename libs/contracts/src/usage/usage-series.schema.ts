import { z } from 'zod';
import { usageFilterFields } from './usage-query.schema.js';
import { usageKindSchema } from './usage-event.schema.js';

/** What a usage series is split by: the user, the model, the pool account, the kind of upstream that served it, the request kind. */
export const usageSeriesDimensionSchema = z.enum(['user', 'model', 'account', 'upstream', 'kind']);
export type UsageSeriesDimension = z.infer<typeof usageSeriesDimensionSchema>;

/** The longest range per granularity, so that one answer stays small (buckets × groups). */
export const USAGE_SERIES_MAX_RANGE_MS = { hour: 31 * 86_400_000, day: 400 * 86_400_000 } as const;
export const USAGE_SERIES_MAX_GROUPS = 50;

/**
 * `GET /admin/v1/usage/series`: usage per hour or UTC day split by one dimension, for charts. The
 * `groups` busiest groups of the range (by requests) come back by name; the others are summed into
 * one row per bucket with `key: null, other: true`. The range defaults to the last 7 days.
 */
export const usageSeriesQuerySchema = z.object({
  by: usageSeriesDimensionSchema,
  ...usageFilterFields,
  granularity: z.enum(['hour', 'day']).default('day'),
  groups: z.coerce.number().int().min(1).max(USAGE_SERIES_MAX_GROUPS).default(10),
});
export type UsageSeriesQuery = z.infer<typeof usageSeriesQuerySchema>;

export const usageSeriesRowSchema = z.object({
  /** Start of the hour or the UTC day, ISO 8601. */
  bucket: z.string(),
  /**
   * The group: a user id, model, account id, upstream kind (`chatgpt`, `platform`, …) or request kind.
   * `''` for requests without a user (pool codes, raw tokens) or without a pool account (a caller's own
   * token); null for the row that sums the groups past `groups`.
   */
  key: z.string().nullable(),
  /** The user's name or the account's label, as the events carry them; else null. */
  label: z.string().nullable(),
  other: z.boolean(),
  requests: z.number().int(),
  errors: z.number().int(),
  promptTokens: z.number().int(),
  completionTokens: z.number().int(),
  costMicroUsd: z.number().int(),
  costUsd: z.number(),
});
export type UsageSeriesRow = z.infer<typeof usageSeriesRowSchema>;

export const usageSeriesSchema = z.object({
  by: usageSeriesDimensionSchema,
  granularity: z.enum(['hour', 'day']),
  from: z.string(),
  to: z.string(),
  /** Buckets in order; only buckets with usage have rows. */
  rows: z.array(usageSeriesRowSchema),
});
export type UsageSeries = z.infer<typeof usageSeriesSchema>;

/** The bus request: the admin's query with the tenant the admin may see (null: every tenant). */
export const usageSeriesRequestSchema = z.object({
  scopeTenantId: z.string().nullable(),
  by: usageSeriesDimensionSchema,
  tenant: z.string().optional(),
  user: z.string().optional(),
  account: z.string().optional(),
  model: z.string().optional(),
  kind: usageKindSchema.optional(),
  from: z.number().int(),
  to: z.number().int(),
  granularity: z.enum(['hour', 'day']),
  groups: z.number().int().min(1).max(USAGE_SERIES_MAX_GROUPS),
});
export type UsageSeriesRequest = z.infer<typeof usageSeriesRequestSchema>;
