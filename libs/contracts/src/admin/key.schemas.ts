import { z } from 'zod';
import { budgetSchema } from '../billing/budget.schema.js';
import { CLIENT_ID_MAX, oneLine } from '../common/client-text.js';
import { keyRateLimitSchema, modelAllowListSchema } from '../models/model-access.js';
import { LIST_MAX_LIMIT } from './user.schemas.js';

const isoTime = z.string().meta({ format: 'date-time' });

/** `user`: a gateway API key for chat (`sk-cg-…`); `tenant_admin`: the admin API for one tenant (`cga_…`). */
export const keyKindSchema = z.enum(['user', 'tenant_admin']);
export type KeyKind = z.infer<typeof keyKindSchema>;

export const createKeyBodySchema = z
  .object({
    kind: keyKindSchema.default('user'),
    /** For a user key: the user's id or name. */
    user: oneLine(z.string().min(1).max(100)).optional(),
    name: oneLine(z.string().max(100)).default(''),
    expiresAt: z.iso.datetime({ offset: true }).nullable().default(null),
    /** A user key's own spend cap per period, on top of the user's; null: none. */
    budget: budgetSchema.nullable().default(null),
    /** The models (names or globs) this key may use, on top of its user's list; null: no list of its own. */
    allowed_models: modelAllowListSchema.nullable().default(null),
    /** Requests per minute this key may send; null: no limit. */
    rpm: keyRateLimitSchema.shape.rpm.default(null),
    /** Tokens (prompt and completion) per minute this key may use; null: no limit. */
    tpm: keyRateLimitSchema.shape.tpm.default(null),
  })
  .superRefine((b, ctx) => {
    if (b.kind === 'tenant_admin' && b.budget) ctx.addIssue({ code: 'custom', path: ['budget'], message: 'a tenant admin key does not chat, so it has no budget' });
    for (const field of ['allowed_models', 'rpm', 'tpm'] as const) {
      if (b.kind === 'tenant_admin' && b[field] !== null) ctx.addIssue({ code: 'custom', path: [field], message: `a tenant admin key does not chat, so it has no ${field}` });
    }
    if (b.kind === 'user' && !b.user) ctx.addIssue({ code: 'custom', path: ['user'], message: 'a user key needs the user (id or name)' });
    if (b.kind === 'tenant_admin' && b.user) ctx.addIssue({ code: 'custom', path: ['user'], message: 'a tenant admin key belongs to no user' });
  });
export type CreateKeyBody = z.infer<typeof createKeyBodySchema>;

export const keyViewSchema = z.object({
  id: z.string(),
  kind: keyKindSchema,
  tenantId: z.string(),
  userId: z.string().nullable(),
  name: z.string(),
  /** The visible start of the key (`sk-cg-AbC1…`), enough to recognise it, never to use it. */
  prefix: z.string(),
  expiresAt: isoTime.nullable(),
  revokedAt: isoTime.nullable(),
  budget: budgetSchema.nullable().default(null),
  /** Models (names or globs) this key may use; null: no list of its own (its user's applies). */
  allowed_models: modelAllowListSchema.nullable().default(null),
  /** Requests and tokens per minute (429 `requests_rate_limit_exceeded` / `tokens_rate_limit_exceeded` beyond); null: none. */
  rpm: keyRateLimitSchema.shape.rpm.default(null),
  tpm: keyRateLimitSchema.shape.tpm.default(null),
  createdAt: isoTime,
});
export type KeyView = z.infer<typeof keyViewSchema>;

/** The one answer that carries the key: it is stored only as a hash. */
export const keyCreatedSchema = keyViewSchema.extend({ key: z.string() });
export type KeyCreated = z.infer<typeof keyCreatedSchema>;

export const keyListQuerySchema = z.object({
  kind: keyKindSchema.optional(),
  /** A user's id: that user's keys only. */
  userId: oneLine(z.string().max(CLIENT_ID_MAX)).optional(),
  /** Include revoked keys (default: only live ones). */
  revoked: z.enum(['true', 'false']).default('false'),
  page: z.coerce.number().int().min(1).default(1),
  limit: z.coerce.number().int().min(1).max(LIST_MAX_LIMIT).default(50),
});
export type KeyListQuery = z.infer<typeof keyListQuerySchema>;

export const keyListSchema = z.object({ data: z.array(keyViewSchema), page: z.number().int(), limit: z.number().int(), total: z.number().int(), hasMore: z.boolean() });
export type KeyList = z.infer<typeof keyListSchema>;

/** `PATCH /admin/v1/keys/{id}`: only the fields given change. */
export const updateKeyBodySchema = z.object({
  name: oneLine(z.string().max(100)).optional(),
  expiresAt: z.iso.datetime({ offset: true }).nullable().optional(),
  budget: budgetSchema.nullable().optional(),
  allowed_models: modelAllowListSchema.nullable().optional(),
  rpm: keyRateLimitSchema.shape.rpm.optional(),
  tpm: keyRateLimitSchema.shape.tpm.optional(),
});
export type UpdateKeyBody = z.infer<typeof updateKeyBodySchema>;
