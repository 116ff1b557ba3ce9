import { z } from 'zod';

/** OpenAI's error body: `{"error": {message, type, param, code}}`. Every failure a client sees has this shape. */
export const openAIErrorSchema = z.object({
  message: z.string(),
  type: z.string(),
  param: z.string().nullable(),
  code: z.string().nullable(),
});
export type OpenAIError = z.infer<typeof openAIErrorSchema>;

/** An error as it travels on the bus: the HTTP status the gateway should answer with, and the body. */
export const busErrorSchema = z.object({
  status: z.number().int().min(400).max(599),
  error: openAIErrorSchema,
  /** Seconds until retrying can succeed (a rate limit's window); becomes the `retry-after` header. */
  retryAfterSec: z.number().int().nonnegative().optional(),
});
export type BusError = z.infer<typeof busErrorSchema>;
