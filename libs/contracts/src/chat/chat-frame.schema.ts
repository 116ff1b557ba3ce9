import { z } from 'zod';
import { busErrorSchema } from '../common/openai-error.js';

export const finishReasonSchema = z.enum(['stop', 'length', 'content_filter']);
export type ChatFinishReason = z.infer<typeof finishReasonSchema>;

export const chatUsageSchema = z.object({
  prompt_tokens: z.number().int().nonnegative(),
  completion_tokens: z.number().int().nonnegative(),
  total_tokens: z.number().int().nonnegative(),
  /** Part of completion_tokens spent on reasoning text. */
  reasoning_tokens: z.number().int().nonnegative(),
  /** True when the upstream gave no counts and the worker counted with a tokenizer. */
  estimated: z.boolean(),
});
export type ChatUsage = z.infer<typeof chatUsageSchema>;

/**
 * What a worker sends back on a job's reply inbox, in order:
 * `delta`s, then exactly one `end` or `error`. An `error` before any delta means nothing reached the client yet.
 * `hb` (heartbeat) is sent while the upstream is silent so the gateway can tell a slow upstream from a dead worker.
 */
export const chatFrameSchema = z.discriminatedUnion('t', [
  z.object({
    t: z.literal('delta'),
    content: z.string().optional(),
    reasoning: z.string().optional(),
    /** Set only on the delta where the upstream ids first appear or change (history on); the gateway repeats them on every chunk. */
    conversationId: z.string().nullable().optional(),
    messageId: z.string().nullable().optional(),
  }),
  z.object({
    t: z.literal('end'),
    finishReason: finishReasonSchema,
    usage: chatUsageSchema,
    conversationId: z.string().nullable(),
    messageId: z.string().nullable(),
  }),
  z.object({ t: z.literal('error'), ...busErrorSchema.shape }),
  z.object({ t: z.literal('hb') }),
]);
export type ChatFrame = z.infer<typeof chatFrameSchema>;
