import { z } from 'zod';
import { oneLine } from '../common/client-text.js';
import { LIST_MAX_LIMIT } from './user.schemas.js';

const isoTime = z.string().meta({ format: 'date-time' });

export const tenantSlugSchema = z
  .string()
  .min(2)
  .max(40)
  .regex(/^[a-z0-9][a-z0-9-]*$/, 'lowercase letters, digits and dashes');

const tenantNameSchema = oneLine(z.string().trim().min(1).max(200));
export const createTenantBodySchema = z.object({ slug: tenantSlugSchema, name: tenantNameSchema });
export const renameTenantBodySchema = z.object({ name: tenantNameSchema });

export const tenantViewSchema = z.object({ id: z.string(), slug: z.string(), name: z.string(), createdAt: isoTime });
export type TenantView = z.infer<typeof tenantViewSchema>;

export const tenantListQuerySchema = z.object({
  page: z.coerce.number().int().min(1).default(1),
  limit: z.coerce.number().int().min(1).max(LIST_MAX_LIMIT).default(50),
});
export const tenantListSchema = z.object({ data: z.array(tenantViewSchema), page: z.number().int(), limit: z.number().int(), total: z.number().int(), hasMore: z.boolean() });
export type TenantList = z.infer<typeof tenantListSchema>;

/** A tenant with users, keys or accounts is deleted only with `cascade=true` (everything of it goes). */
export const deleteTenantQuerySchema = z.object({ cascade: z.enum(['true', 'false']).default('false') });
export const tenantDeletedSchema = z.object({ id: z.string(), deleted: z.literal(true) });
