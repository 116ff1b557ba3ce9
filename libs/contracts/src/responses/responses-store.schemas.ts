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

/** Parts one saved response may come in: 512 × 64 Ki characters, 32 Mi characters of JSON (a chain longer than that is not kept). */
export const RESPONSE_SAVE_MAX_PARTS = 512;

export const responsesStoreRequestSchema = z.discriminatedUnion('op', [
  /** The stored response (`view: response`), its input items, its deletion, or a cancel (404 unless an API key holds it). */
  z.object({ op: z.literal('read'), owner: responseOwnerSchema, id: z.string().min(1), view: z.enum(['response', 'input_items', 'delete', 'cancel']), query: z.record(z.string(), z.string()).default({}) }),
  /** The chain a new response continues (`previous_response_id`). */
  z.object({ op: z.literal('previous'), owner: responseOwnerSchema, id: z.string().min(1) }),
  z.object({ op: z.literal('save'), owner: responseOwnerSchema, response: storedResponseSchema }),
  /** A part of a response too large for one message (`responseSaveRequests`): its JSON text from `index` on, kept until the commit. */
  z.object({ op: z.literal('save_part'), owner: responseOwnerSchema, id: z.string().min(1), index: z.number().int().min(0).max(RESPONSE_SAVE_MAX_PARTS - 1), chunk: z.string() }),
  /** The parts 0…parts−1 make the response: it is stored as `save` stores it, and the parts are dropped. */
  z.object({ op: z.literal('save_commit'), owner: responseOwnerSchema, id: z.string().min(1), parts: z.number().int().min(1).max(RESPONSE_SAVE_MAX_PARTS) }),
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

/**
 * A reply travels as one or more parts on the reply inbox (NestJS streams an Observable's values in
 * order), as management replies do (`manageReplyParts`): a stored response's items (images as data
 * URLs, a long chain) may be more than one NATS message carries (`max_payload`, 1 MiB by default).
 * A body: its JSON text cut into `chunk`s of RESPONSES_REPLY_CHUNK_CHARS; anything else: one part.
 * The chunked form comes first: a part with a chunk is never read as the bodiless `platform` reply.
 */
export const responsesStoreReplyPartSchema = z.union([
  z.object({ ok: z.literal(true), upstream: upstreamKindSchema, chunk: z.string() }),
  z.object({ ok: z.literal(false), failure: busErrorSchema }),
  z.object({ ok: z.literal(true), upstream: z.literal('platform') }),
]);
export type ResponsesStoreReplyPart = z.infer<typeof responsesStoreReplyPartSchema>;

/** Characters of JSON text per part (a character takes at most 6 bytes escaped again in the envelope): well under 1 MiB. */
export const RESPONSES_REPLY_CHUNK_CHARS = 64 * 1024;

/**
 * JSON text cut into pieces of at most `chunkChars` characters, never between the two halves of a
 * surrogate pair: a piece is stored as UTF-8 text on the way (Postgres), where a lone half would
 * become U+FFFD. (`JSON.stringify` escapes lone halves, so its text has only whole pairs.)
 */
export function cutJsonText(json: string, chunkChars: number): string[] {
  const pieces: string[] = [];
  let at = 0;
  while (at < json.length) {
    let end = Math.min(at + chunkChars, json.length);
    const last = json.charCodeAt(end - 1);
    // A piece of one character that is a high half takes its low half along instead.
    if (end < json.length && last >= 0xd800 && last <= 0xdbff) end += end - at > 1 ? -1 : 1;
    pieces.push(json.slice(at, end));
    at = end;
  }
  return pieces;
}

export function responsesStoreReplyParts(reply: ResponsesStoreReply, chunkChars = RESPONSES_REPLY_CHUNK_CHARS): ResponsesStoreReplyPart[] {
  if (!reply.ok || !('body' in reply)) return [reply];
  return cutJsonText(JSON.stringify(reply.body ?? null), chunkChars).map((chunk) => ({ ok: true, upstream: reply.upstream, chunk }));
}

/** UTF-8 bytes of a response's JSON up to which it is saved in one message (the envelope adds little; NATS carries 1 MiB). */
export const RESPONSE_SAVE_ONE_MESSAGE_BYTES = 512 * 1024;

/**
 * The requests that save a response: one `save` when its JSON fits one message, else its JSON text in
 * `save_part`s then a `save_commit`, to be sent in order, each after the previous one's answer.
 */
export function responseSaveRequests(owner: ResponseOwner, response: StoredResponse, chunkChars = RESPONSES_REPLY_CHUNK_CHARS): ResponsesStoreRequest[] {
  const json = JSON.stringify(response);
  if (new TextEncoder().encode(json).length <= RESPONSE_SAVE_ONE_MESSAGE_BYTES) return [{ op: 'save', owner, response }];
  const chunks = cutJsonText(json, chunkChars);
  return [...chunks.map((chunk, index): ResponsesStoreRequest => ({ op: 'save_part', owner, id: response.id, index, chunk })), { op: 'save_commit', owner, id: response.id, parts: chunks.length }];
}

/** The reply the parts make together; throws when they are not one whole reply. */
export function joinResponsesStoreReplyParts(raw: readonly unknown[]): ResponsesStoreReply {
  const parts = raw.map((p) => responsesStoreReplyPartSchema.parse(p));
  const [first] = parts;
  if (!first) throw new Error('a stored-responses reply without parts');
  if (!first.ok || !('chunk' in first)) {
    if (parts.length > 1) throw new Error('a stored-responses reply with more than one bodiless part');
    return first;
  }
  const chunks = parts.map((p) => {
    if (!p.ok || !('chunk' in p)) throw new Error('a stored-responses reply mixing body parts and others');
    return p.chunk;
  });
  return { ok: true, upstream: first.upstream, body: JSON.parse(chunks.join('')) as unknown };
}
