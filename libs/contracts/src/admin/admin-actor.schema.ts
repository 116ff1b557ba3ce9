import { z } from 'zod';

/**
 * Who is acting, as the gateway authenticated them. Auth turns it into a tenant in one place
 * (AdminTenancy). The `ADMIN_PASSWORD` holder (operator) acts on the default tenant, or on the one
 * named by slug in `tenant` (the `X-Chatgate-Tenant` header); a tenant admin key acts on its own
 * tenant only.
 */
/** The client address the admin request came from, as the gateway saw it (for the audit log). */
const address = z.string().max(100).optional();

export const adminActorSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('operator'), tenant: z.string().optional(), address }),
  z.object({ kind: z.literal('tenant_admin'), tenantId: z.string(), keyId: z.string(), tenant: z.string().optional(), address }),
]);
export type AdminActor = z.infer<typeof adminActorSchema>;
