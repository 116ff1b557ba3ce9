import { z } from 'zod';

/**
 * Who is acting, as the gateway authenticated them. Auth turns it into a tenant in one place
 * (AdminTenancy). Today there is one kind: the `ADMIN_PASSWORD` holder, who acts on the default
 * tenant; tenant-scoped admin keys add a kind here when tenants arrive.
 */
export const adminActorSchema = z.discriminatedUnion('kind', [z.object({ kind: z.literal('operator') })]);
export type AdminActor = z.infer<typeof adminActorSchema>;
