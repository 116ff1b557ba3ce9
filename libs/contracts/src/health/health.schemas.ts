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
  /** Process memory in MB: resident, V8 heap in use and reserved, and memory outside the heap. */
  memoryMb: z.object({ rss: z.number(), heapUsed: z.number(), heapTotal: z.number(), external: z.number() }),
});
export type HealthReply = z.infer<typeof healthReplySchema>;
export type DependencyStatus = z.infer<typeof dependencyStatusSchema>;
