import { z } from 'zod';
import { upstreamKindSchema } from '../billing/budget.schema.js';
import { imageOrderSchema } from '../billing/image-order.js';
import { text } from '../common/client-text.js';

/** Every string of an event is a column: storable text (no NUL, no unpaired surrogate), or the row would fail. */
const column = () => text(z.string());

/** `completion`, `embedding`, `image`: platform (API-key) requests of those endpoints. */
export const usageKindSchema = z.enum(['chat', 'speech', 'voice', 'completion', 'embedding', 'image']);
export type UsageKind = z.infer<typeof usageKindSchema>;
/**
 * `worker_lost`: the worker died mid-answer; the gateway recorded what it had delivered (estimated).
 * Like `error`, it gives the request's limit slot back and counts among a rollup's errors.
 */
export const usageOutcomeSchema = z.enum(['ok', 'error', 'cancelled', 'worker_lost']);
export type UsageOutcome = z.infer<typeof usageOutcomeSchema>;

/**
 * One per request whatever happened, published by whoever knew the account and the outcome: the
 * worker, or the gateway for a job whose worker was lost (the first per request id is stored).
 */
export const usageEventSchema = z.object({
  requestId: column().min(1),
  tenantId: column(),
  userId: column().nullable(),
  /** The user's name when the event was made (names → ids needs auth's users; usage keeps its own copy). */
  userName: column().nullable(),
  credentialId: column(),
  /** The leased pool account, or null for a caller's own token. */
  accountId: column().nullable(),
  /** The account's email (or id), as auth labels it: what ChatGPT-Mirror's `chatgpt_list` names. */
  accountLabel: column().nullable(),
  /** The model as the client named it. */
  model: column(),
  /**
   * The upstream model the request reached when the mapping table decided it (a chat on a ChatGPT
   * account: `xo1` → `gpt-4o`); absent: `model` itself. Limits count and budgets price this one
   * (`limitModelOf(model, resolvedModel)`), the same as the gateway did.
   */
  resolvedModel: column().optional(),
  kind: usageKindSchema,
  promptTokens: z.number().int().nonnegative(),
  completionTokens: z.number().int().nonnegative(),
  /** Which kind of upstream served it (prices differ); absent: a ChatGPT account. */
  upstream: upstreamKindSchema.optional(),
  /** Speech (kind `speech`): characters of input text, priced per thousand; tokens stay 0. */
  characters: z.number().int().nonnegative().optional(),
  /** Image generation (kind `image`): the images the answer held, with the size and quality asked (priced per image). */
  images: imageOrderSchema.optional(),
  /** Counted with a tokenizer because the upstream gave no counts. */
  estimated: z.boolean(),
  outcome: usageOutcomeSchema,
  /** HTTP status the client got (499 for a client that went away). */
  status: z.number().int(),
  latencyMs: z.number().nonnegative(),
  /** Epoch ms when the request ended. */
  at: z.number().int(),
});
export type UsageEvent = z.infer<typeof usageEventSchema>;

/**
 * A message of the usage stream holds one event (as above) or several: `{ "events": [...] }`. A
 * publisher sends the events that gathered while its previous message waited for JetStream's
 * acknowledgement in one message, so under load the stream, the bus and the usage service handle a
 * message per batch instead of one per request, and no event waits longer than it would have anyway.
 * The usage service reads each event of a batch on its own (a bad one is dead-lettered alone).
 */
export const USAGE_BATCH_MAX = 100;
export interface UsageEventBatch {
  events: unknown[];
}

/** Whether a decoded stream message is a batch (an event always has a `requestId`, a batch never). */
export function isUsageEventBatch(payload: unknown): payload is UsageEventBatch {
  return typeof payload === 'object' && payload !== null && Array.isArray((payload as { events?: unknown }).events) && !('requestId' in payload);
}
