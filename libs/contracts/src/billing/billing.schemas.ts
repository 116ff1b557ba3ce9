import { z } from 'zod';
import { budgetPeriodSchema, budgetScopeSchema, upstreamKindSchema } from './budget.schema.js';

/**
 * The budget part of a limit take (same subject, one hop): hold the request's largest cost in every
 * subject's budget, or refuse. The usage service prices the hold with its price table.
 */
export const budgetTakeSchema = z.object({
  upstream: upstreamKindSchema.default('chatgpt'),
  /** Prompt tokens as the worker will count them. */
  promptTokens: z.number().int().nonnegative(),
  /** The most completion tokens the request can produce (`max_tokens`, else the configured default hold). */
  maxCompletionTokens: z.number().int().nonnegative(),
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
