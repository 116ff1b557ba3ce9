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

/** One service as the gateway reached it over the bus: its own report, or why it did not answer. */
export const serviceReportSchema = z.object({
  service: z.string(),
  reachable: z.boolean(),
  report: healthReplySchema.optional(),
  error: z.string().optional(),
});

/** `GET /admin/v1/health/services` (the operator): every service's report, hosts, pids and dependency errors included. */
export const systemHealthSchema = z.object({ ok: z.boolean(), services: z.array(serviceReportSchema) });
export type SystemHealth = z.infer<typeof systemHealthSchema>;

/** `GET /health/services` (anyone): up or not, per service, and nothing that names a host, a process or an error. */
export const systemHealthSummarySchema = z.object({ ok: z.boolean(), services: z.array(z.object({ service: z.string(), ok: z.boolean() })) });
export type SystemHealthSummary = z.infer<typeof systemHealthSummarySchema>;
