import { z } from 'zod';
import { budgetSchema } from '../billing/budget.schema.js';
import { modelNameSchema, oneLine } from '../common/client-text.js';
import { modelAllowListSchema } from '../models/model-access.js';

const isoTime = z.string().meta({ format: 'date-time' });

/** Bounds that keep one user's row (and the principal every request carries) small. */
export const USER_LIMITS_MAX = 50;
export const CHATGPT_LIST_MAX = 200;
export const USER_NAME_MAX = 100;

/** ChatGPT-Mirror's limit entry: at most `limit_count` messages to `model_name` in any `every_minute`-minute window. */
export const wireLimitSchema = z.object({
  model_name: modelNameSchema,
  every_minute: z.number().int().positive(),
  limit_count: z.number().int().nonnegative(),
});
export type WireLimit = z.infer<typeof wireLimitSchema>;

/** One entry per model: two windows for one model would make "the" limit ambiguous. */
export const wireLimitsSchema = z
  .array(wireLimitSchema)
  .max(USER_LIMITS_MAX)
  .superRefine((limits, ctx) => {
    const seen = new Set<string>();
    limits.forEach((l, i) => {
      if (seen.has(l.model_name)) ctx.addIssue({ code: 'custom', path: [i, 'model_name'], message: 'duplicate model name' });
      seen.add(l.model_name);
    });
  });

export const userNameSchema = oneLine(z.string().trim().min(1).max(USER_NAME_MAX));
export const userStatusSchema = z.enum(['active', 'disabled']);

/** `all`, or the accounts (ids or emails of the tenant's accounts) the user's keys may lease. */
export const chatgptListSchema = z.union([
  z.literal('all'),
  z
    .array(oneLine(z.string().min(1).max(320)))
    .max(CHATGPT_LIST_MAX)
    .refine((l) => new Set(l).size === l.length, 'duplicate entries'),
]);

export const createUserBodySchema = z.object({
  name: userNameSchema,
  status: userStatusSchema.default('active'),
  expiresAt: z.iso.datetime({ offset: true }).nullable().default(null),
  isolated_session: z.boolean().default(false),
  limits: wireLimitsSchema.default([]),
  chatgpt_list: chatgptListSchema.default('all'),
  /** At most this spend per period across the user's credentials; null: none. */
  budget: budgetSchema.nullable().default(null),
  /** The models (names or globs) the user's credentials may use; null: every model. */
  allowed_models: modelAllowListSchema.nullable().default(null),
});
export type CreateUserBody = z.infer<typeof createUserBodySchema>;

/** Only the fields given change. */
export const updateUserBodySchema = z.object({
  name: userNameSchema.optional(),
  status: userStatusSchema.optional(),
  expiresAt: z.iso.datetime({ offset: true }).nullable().optional(),
  isolated_session: z.boolean().optional(),
  limits: wireLimitsSchema.optional(),
  chatgpt_list: chatgptListSchema.optional(),
  budget: budgetSchema.nullable().optional(),
  allowed_models: modelAllowListSchema.nullable().optional(),
});
export type UpdateUserBody = z.infer<typeof updateUserBodySchema>;

export const userViewSchema = z.object({
  id: z.string(),
  tenantId: z.string(),
  name: z.string(),
  status: userStatusSchema,
  /** Past this time the user's credentials are refused (401 `user_expired`). */
  expiresAt: isoTime.nullable(),
  isolated_session: z.boolean(),
  limits: z.array(wireLimitSchema),
  /** `all`, or account ids. */
  chatgpt_list: z.union([z.literal('all'), z.array(z.string())]),
  /** Spend cap per period (requests beyond it get 429 `insufficient_quota`); null: none. */
  budget: budgetSchema.nullable().default(null),
  /** Models (names or globs) the user may use (403 `model_not_allowed` for others); null: every model. */
  allowed_models: modelAllowListSchema.nullable().default(null),
  createdAt: isoTime,
  updatedAt: isoTime,
});
export type UserView = z.infer<typeof userViewSchema>;

export const LIST_MAX_LIMIT = 200;

/** `GET /admin/v1/users`: by name, newest first, pages from 1. */
export const userListQuerySchema = z.object({
  status: userStatusSchema.optional(),
  /** Names containing this (case-insensitive). */
  q: oneLine(z.string().max(USER_NAME_MAX)).optional(),
  page: z.coerce.number().int().min(1).default(1),
  limit: z.coerce.number().int().min(1).max(LIST_MAX_LIMIT).default(50),
});
export type UserListQuery = z.infer<typeof userListQuerySchema>;

export const userListSchema = z.object({ data: z.array(userViewSchema), page: z.number().int(), limit: z.number().int(), total: z.number().int(), hasMore: z.boolean() });
export type UserList = z.infer<typeof userListSchema>;

export const userDeletedSchema = z.object({ id: z.string(), deleted: z.literal(true) });
