import { z } from 'zod';
import { filterSchema, isoOrEpoch } from '../usage/usage-query.schema.js';
import { budgetPeriodSchema, budgetScopeSchema, upstreamKindSchema } from './budget.schema.js';
import { imageOrderSchema } from './image-order.js';

/**
 * The budget part of a limit take (same subject, one hop): hold the request's largest cost in every
 * subject's budget, or refuse. The usage service prices the hold with its price table.
 */
export const budgetTakeSchema = z.object({
  upstream: upstreamKindSchema.default('chatgpt'),
  /** The model priced: the one the request reaches (the mapping table's slug on a ChatGPT account), as its usage event will be priced; absent: the take's `model`. */
  model: z.string().min(1).optional(),
  /** Prompt tokens as the worker will count them. */
  promptTokens: z.number().int().nonnegative(),
  /** The most completion tokens the request can produce (`max_tokens`, else the configured default hold). */
  maxCompletionTokens: z.number().int().nonnegative(),
  /** Speech: the input's characters (priced per thousand). */
  characters: z.number().int().nonnegative().default(0),
  /** Image generation: `n` images of the size and quality asked (priced per image). */
  images: imageOrderSchema.optional(),
  subjects: z
    .array(
      z.object({
        scope: budgetScopeSchema,
        /** `budgetSubjectKey(scope, tenant, id)`. */
        key: z.string().min(1),
        amountMicroUsd: z.number().int().nonnegative(),
        period: budgetPeriodSchema,
      }),
    )
    .min(1)
    .max(4),
});
export type BudgetTake = z.infer<typeof budgetTakeSchema>;

/** Whose spend `/dashboard/billing/usage` sums: one user (all their credentials) or one credential. */
export const billingSpendRequestSchema = z.object({
  tenantId: z.string(),
  scope: z.enum(['user', 'credential']),
  id: z.string().min(1),
  /** Epoch ms, inclusive. */
  from: z.number().int(),
  /** Epoch ms, exclusive. */
  to: z.number().int(),
});
export type BillingSpendRequest = z.infer<typeof billingSpendRequestSchema>;

export const billingSpendSchema = z.object({
  totalMicroUsd: z.number().int(),
  /** Per UTC day that had spend: the day's start (epoch ms) and its micro-USD. */
  days: z.array(z.object({ day: z.number().int(), microUsd: z.number().int() })),
});
export type BillingSpend = z.infer<typeof billingSpendSchema>;

/** Whose spend `GET /admin/v1/spend` totals, one row each. */
export const spendGroupSchema = z.enum(['tenant', 'user', 'credential', 'account']);

/** `/admin/v1/spend`'s query string: the range defaults to the current UTC month up to now. */
export const spendQuerySchema = z.object({
  by: spendGroupSchema.default('user'),
  tenant: filterSchema.optional(),
  /** ISO 8601 or epoch ms; inclusive. */
  from: isoOrEpoch.optional(),
  /** ISO 8601 or epoch ms; exclusive. */
  to: isoOrEpoch.optional(),
  page: z.coerce.number().int().min(1).default(1),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});
export type SpendQuery = z.infer<typeof spendQuerySchema>;

export const spendRowSchema = z.object({
  tenantId: z.string(),
  /** The user id, credential id or account id; null for a tenant row, requests without a user, or without a pool account. */
  id: z.string().nullable(),
  /** The user name (user, credential) or the account's email (account), as the events carry them. */
  label: z.string().nullable(),
  requests: z.number().int(),
  promptTokens: z.number().int(),
  completionTokens: z.number().int(),
  characters: z.number().int(),
  costMicroUsd: z.number().int(),
  costUsd: z.number(),
});
export type SpendRow = z.infer<typeof spendRowSchema>;

export const spendPageSchema = z.object({
  rows: z.array(spendRowSchema),
  by: spendGroupSchema,
  page: z.number().int(),
  limit: z.number().int(),
  total: z.number().int(),
  from: z.string(),
  to: z.string(),
});
export type SpendPage = z.infer<typeof spendPageSchema>;

/** The bus request: the admin's query with the tenant the admin may see (null: every tenant). */
export const spendQueryRequestSchema = z.object({
  scopeTenantId: z.string().nullable(),
  by: spendGroupSchema,
  tenant: z.string().optional(),
  from: z.number().int(),
  to: z.number().int(),
  page: z.number().int().min(1),
  limit: z.number().int().min(1).max(1000),
});
export type SpendQueryRequest = z.infer<typeof spendQueryRequestSchema>;
