import { z } from 'zod';
import { CLIENT_ID_MAX, oneLine } from '../common/client-text.js';
import { adminActorSchema } from './admin-actor.schema.js';
import { adminReplySchema } from './admin-bus.schemas.js';
import { LIST_MAX_LIMIT } from './user.schemas.js';

const isoTime = z.string().meta({ format: 'date-time' });

/** Every admin change the audit log records, one row each. Reads (lists, gets, usage) are not changes. */
export const AUDIT_ACTIONS = [
  'tenants.create',
  'tenants.rename',
  'tenants.delete',
  'users.create',
  'users.update',
  'users.delete',
  'keys.create',
  'keys.update',
  'keys.revoke',
  'accounts.import',
  'accounts.enter',
  'accounts.disable',
  'accounts.enable',
  'accounts.delete',
  'accounts.clear',
  'accounts.refresh',
  'refresh_passes.start',
  'routes.set',
  'mirror.login',
  'mirror.logout',
  'mirror.tokens',
] as const;
export const auditActionSchema = z.enum(AUDIT_ACTIONS);
export type AuditAction = z.infer<typeof auditActionSchema>;

/** Who made a change: the operator (ADMIN_PASSWORD), or a tenant admin key (its id); and from which address. */
export const auditActorSchema = z.object({
  kind: z.enum(['operator', 'tenant_admin']),
  keyId: z.string().nullable(),
  address: z.string().nullable(),
});

/** One change. `details` holds what was asked (field names and values), never a secret: tokens and keys are not kept. */
export const auditEntrySchema = z.object({
  id: z.string(),
  at: isoTime,
  /** The tenant changed; null for a change of no one tenant. */
  tenantId: z.string().nullable(),
  actor: auditActorSchema,
  action: auditActionSchema,
  /** The id (or name) of what was changed, when the request names one. */
  target: z.string().nullable(),
  details: z.record(z.string(), z.unknown()),
});
export type AuditEntry = z.infer<typeof auditEntrySchema>;

/** `GET /admin/v1/audit`: newest first, pages from 1. */
export const auditListQuerySchema = z.object({
  /** A tenant's slug or id (the operator; a tenant admin reads its own tenant only). */
  tenant: oneLine(z.string().min(1).max(CLIENT_ID_MAX)).optional(),
  /** `operator`, or a tenant admin key's id. */
  actor: oneLine(z.string().min(1).max(CLIENT_ID_MAX)).optional(),
  action: auditActionSchema.optional(),
  /** From this time (inclusive) to that one (exclusive), ISO 8601. */
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
  page: z.coerce.number().int().min(1).default(1),
  limit: z.coerce.number().int().min(1).max(LIST_MAX_LIMIT).default(50),
});
export type AuditListQuery = z.infer<typeof auditListQuerySchema>;

export const auditListSchema = z.object({ data: z.array(auditEntrySchema), page: z.number().int(), limit: z.number().int(), total: z.number().int(), hasMore: z.boolean() });
export type AuditList = z.infer<typeof auditListSchema>;

export const adminAuditListRequestSchema = z.object({ actor: adminActorSchema, query: auditListQuerySchema });
export const adminAuditListReplySchema = adminReplySchema(auditListSchema);
