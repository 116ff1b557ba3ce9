import { z } from 'zod';
import { budgetScopeSchema, budgetPeriodSchema } from '../billing/budget.schema.js';
import { budgetTakeSchema } from '../billing/billing.schemas.js';

/** A key's RPM and TPM, taken with the limits (same hop): whose, the rates, and the request's prompt tokens (TPM's estimate). */
export const rateTakeSchema = z.object({
  /** The credential (a gateway key's credential id). */
  subject: z.string().min(1),
  rpm: z.number().int().positive().nullable(),
  tpm: z.number().int().positive().nullable(),
  /** The prompt's tokens as the worker will count them; the usage event settles them to the real total. */
  tokens: z.number().int().nonnegative(),
});
export type RateTake = z.infer<typeof rateTakeSchema>;

export const limitTakeRequestSchema = z.object({
  /** The slot's id: a release or an `error` usage event names it. */
  requestId: z.string().min(1),
  tenantId: z.string(),
  /** Whose window: the user id (the credential id for a principal without a user). */
  subject: z.string().min(1),
  /** The model the limit windows count it under (`limitModelOf`: the model it reaches, without a dated snapshot). */
  model: z.string().min(1),
  /** Every limit that matched the model; a slot is taken only when all of them have room. Empty: budgets only. */
  windows: z.array(z.object({ everyMinutes: z.number().int().positive(), count: z.number().int().nonnegative() })).max(16).default([]),
  /** The key's RPM/TPM (the same hop); absent: none. */
  rate: rateTakeSchema.optional(),
  /** Budgets to hold the request's largest cost in (the same hop); absent: no budget applies. */
  budget: budgetTakeSchema.optional(),
});
export type LimitTakeRequest = z.infer<typeof limitTakeRequestSchema>;

export const limitTakeReplySchema = z.union([
  z.object({ ok: z.literal(true), allowed: z.literal(true) }),
  z.object({
    ok: z.literal(true),
    allowed: z.literal(false),
    retryAfterMs: z.number().int().nonnegative(),
    /** Set when a budget (not a limit) had no room for the request's hold: 429 `insufficient_quota`, no retry-after. */
    quota: z.object({ scope: budgetScopeSchema, period: budgetPeriodSchema }).optional(),
    /** Set when a budget applies but the model has no price (and no default covers it): 403 `model_not_priced`. */
    unpriced: z.literal(true).optional(),
    /** Set when the key's rate refused it: `requests` (RPM) or `tokens` (TPM); `tooLarge`: the request alone is over the TPM. */
    rate: z.object({ by: z.enum(['requests', 'tokens']), limit: z.number().int().positive(), tooLarge: z.literal(true).optional() }).optional(),
  }),
  z.object({ ok: z.literal(false), error: z.string() }),
]);
export type LimitTakeReply = z.infer<typeof limitTakeReplySchema>;

export const limitReleaseRequestSchema = limitTakeRequestSchema.pick({ requestId: true, tenantId: true, subject: true, model: true }).extend({
  /** Budget subjects whose hold for this request goes back too. */
  budgetSubjects: z.array(z.string().min(1)).max(4).optional(),
  /** The credential whose RPM/TPM entry for this request goes back too. */
  rateSubject: z.string().min(1).optional(),
});
export type LimitReleaseRequest = z.infer<typeof limitReleaseRequestSchema>;
export const limitReleaseReplySchema = z.object({ ok: z.boolean(), released: z.boolean() });
