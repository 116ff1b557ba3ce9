import { z } from 'zod';
import { busErrorSchema } from '../common/openai-error.js';
import { upstreamKindSchema } from '../routing/upstream-kind.js';

/**
 * Request/reply, queue group `conversation` (NestJS transport): the responses chatgate keeps (the
 * `responses` table of the conversation service). The gateway reads a stored response, its input
 * items, deletes it, learns which upstream holds it (an API key's response is read from that key),
 * reads the chain a ChatGPT-account `previous_response_id` continues, and saves a ChatGPT-account
 * response it translated itself. Codex and API-key responses are saved by the worker that ran them.
 */
export const CONVERSATION_RESPONSES = 'chatgate.conversation.responses.v1' as const;

/** Whose responses: a response belongs to its user (all their keys), else to the one credential that made it, in one tenant. */
export const responseOwnerSchema = z.object({
  tenantId: z.string().min(1),
  userId: z.string().nullable(),
  credentialId: z.string().min(1),
});
export type ResponseOwner = z.infer<typeof responseOwnerSchema>;

export const inputItemsQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  order: z.enum(['asc', 'desc']).default('desc'),
  after: z.string().min(1).optional(),
});
export type InputItemsQuery = z.infer<typeof inputItemsQuerySchema>;

/** A response chatgate made itself (Codex or ChatGPT accounts), as it is stored. */
export const storedResponseSchema = z.object({
  id: z.string().min(1),
  upstream: upstreamKindSchema,
  model: z.string(),
  /** The pool account that answered (null for a caller's own ChatGPT token). */
  accountId: z.string().nullable(),
  /** The whole Response object as the client got it (null for an API key's, which the key keeps). */
  response: z.record(z.string(), z.unknown()).nullable(),
  /** Every input item, the previous responses' chain expanded (null for an API key's). */
  input: z.array(z.record(z.string(), z.unknown())).nullable(),
  /** ChatGPT accounts: the upstream conversation and answer a `previous_response_id` continues. */
  conversationId: z.string().nullable().default(null),
  messageId: z.string().nullable().default(null),
});
export type StoredResponse = z.infer<typeof storedResponseSchema>;

export const responsesStoreRequestSchema = z.discriminatedUnion('op', [
  /** The stored response (`view: response`), its input items, its deletion, or a cancel (404 unless an API key holds it). */
  z.object({ op: z.literal('read'), owner: responseOwnerSchema, id: z.string().min(1), view: z.enum(['response', 'input_items', 'delete', 'cancel']), query: z.record(z.string(), z.string()).default({}) }),
  /** The chain a new response continues (`previous_response_id`). */
  z.object({ op: z.literal('previous'), owner: responseOwnerSchema, id: z.string().min(1) }),
  z.object({ op: z.literal('save'), owner: responseOwnerSchema, response: storedResponseSchema }),
]);
export type ResponsesStoreRequest = z.infer<typeof responsesStoreRequestSchema>;

export const responsesStoreReplySchema = z.union([
  z.object({ ok: z.literal(false), failure: busErrorSchema }),
  /** An API key holds it: the gateway relays the call to the platform target, which sends it to that key. */
  z.object({ ok: z.literal(true), upstream: z.literal('platform') }),
  /** The answer's JSON body (a Response, an input items page, a deletion), or for `previous` and `save` what they return. */
  z.object({ ok: z.literal(true), upstream: upstreamKindSchema, body: z.unknown() }),
]);
export type ResponsesStoreReply = z.infer<typeof responsesStoreReplySchema>;

/** What `previous` answers in `body`: the stored response's chain. */
export const previousResponseSchema = z.object({
  upstream: upstreamKindSchema,
  accountId: z.string().nullable(),
  input: z.array(z.record(z.string(), z.unknown())),
  output: z.array(z.record(z.string(), z.unknown())),
  conversationId: z.string().nullable(),
  messageId: z.string().nullable(),
});
export type PreviousResponse = z.infer<typeof previousResponseSchema>;
