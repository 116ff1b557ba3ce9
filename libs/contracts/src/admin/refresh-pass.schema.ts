import { z } from 'zod';

const isoTime = z.string().meta({ format: 'date-time' });

/** One refresh pass over the accounts: progress while running, the result once finished. */
export const refreshPassViewSchema = z.object({
  id: z.string(),
  /** Forced: every account with a refresh or session token; otherwise the ones about to expire. */
  forced: z.boolean(),
  /** What started it: `startup`, `schedule` or `admin`. */
  trigger: z.string(),
  status: z.enum(['running', 'finished']),
  total: z.number().int(),
  done: z.number().int(),
  failed: z.number().int(),
  /** Accounts still queued, running or waiting for a retry. */
  remaining: z.number().int(),
  startedAt: isoTime,
  finishedAt: isoTime.nullable(),
  /** For a scheduled forced pass: the REFRESH_TZ day it ran for. */
  scheduleDay: z.string().nullable(),
});
export type RefreshPassJson = z.infer<typeof refreshPassViewSchema>;

/** Passes `GET /admin/v1/refresh/passes` lists as history. */
export const REFRESH_PASS_HISTORY = 20;

/** `GET /admin/v1/refresh/passes`: the running pass, the most recent one, and the recent ones newest first. */
export const refreshPassesSchema = z.object({
  current: refreshPassViewSchema.nullable(),
  latest: refreshPassViewSchema.nullable(),
  history: z.array(refreshPassViewSchema).max(REFRESH_PASS_HISTORY).default([]),
});
export type RefreshPasses = z.infer<typeof refreshPassesSchema>;

/** `POST /admin/v1/refresh/passes`: forced (default) refreshes every refreshable account, not only those about to expire. */
export const startRefreshPassBodySchema = z.object({ forced: z.boolean().default(true) });

/** Not started: one pass runs at a time, and `pass` is the one running. */
export const startRefreshPassResultSchema = z.object({
  started: z.boolean(),
  reason: z.enum(['running', 'day_taken']).optional(),
  pass: refreshPassViewSchema.nullable(),
});
export type StartRefreshPassResult = z.infer<typeof startRefreshPassResultSchema>;
