import { z } from 'zod';

/**
 * Who is acting, as the gateway authenticated them. Auth turns it into a tenant in one place
 * (AdminTenancy). The `ADMIN_PASSWORD` holder (operator) acts on the default tenant, or on the one
 * named by slug in `tenant` (the `X-Chatgate-Tenant` header); a tenant admin key acts on its own
 * tenant only.
 */
export const adminActorSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('operator'), tenant: z.string().optional() }),
  z.object({ kind: z.literal('tenant_admin'), tenantId: z.string(), keyId: z.string(), tenant: z.string().optional() }),
]);
export type AdminActor = z.infer<typeof adminActorSchema>;
