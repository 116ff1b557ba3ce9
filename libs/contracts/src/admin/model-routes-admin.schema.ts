import { z } from 'zod';
import { modelRoutesSchema } from '../routing/model-routes.schema.js';
import { adminActorSchema } from './admin-actor.schema.js';

/** `PUT /admin/v1/routes`: the tenant's whole table (first match wins); `null` goes back to the default. */
export const setModelRoutesBodySchema = z.object({ routes: modelRoutesSchema.nullable() });
export type SetModelRoutesBody = z.infer<typeof setModelRoutesBodySchema>;

export const modelRoutesViewSchema = z.object({
  routes: modelRoutesSchema,
  /** True when the tenant set no table of its own and DEFAULT_MODEL_ROUTES applies. */
  isDefault: z.boolean(),
});
export type ModelRoutesView = z.infer<typeof modelRoutesViewSchema>;

export const adminRoutesGetRequestSchema = z.object({ actor: adminActorSchema });
export const adminRoutesSetRequestSchema = z.object({ actor: adminActorSchema, routes: modelRoutesSchema.nullable() });
