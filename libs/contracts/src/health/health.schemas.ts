import { z } from 'zod';

export const dependencyStatusSchema = z.object({
  name: z.string(),
  ok: z.boolean(),
  /** Round trip of the check, milliseconds. */
  latencyMs: z.number().nullable(),
  error: z.string().nullable(),
});

export const healthReplySchema = z.object({
  service: z.string(),
  instance: z.string(),
  ok: z.boolean(),
  uptimeSec: z.number(),
  dependencies: z.array(dependencyStatusSchema),
});
export type HealthReply = z.infer<typeof healthReplySchema>;
export type DependencyStatus = z.infer<typeof dependencyStatusSchema>;
