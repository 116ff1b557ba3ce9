import { z } from 'zod';
import { upstreamCredentialSchema } from '../auth/auth.schemas.js';
import { busErrorSchema } from '../common/openai-error.js';
import { oneLine } from '../common/client-text.js';

/**
 * Who manages conversations: enough of the caller's principal for the conversation service to
 * scope the records (tenant, owner, isolation, allowed accounts) and, for a caller's own ChatGPT
 * token, to pass the call through to the upstream.
 */
export const conversationCallerSchema = z.object({
  tenantId: z.string(),
  userId: z.string().nullable(),
  credentialId: z.string(),
  isolatedSession: z.boolean(),
  upstream: upstreamCredentialSchema,
});
export type ConversationCaller = z.infer<typeof conversationCallerSchema>;

/** `PATCH …/conversation/{id}`: a new title, or `is_visible: false` (hide). */
export const conversationPatchSchema = z
  .object({
    title: oneLine(z.string().trim().min(1).max(1000)).optional(),
    is_visible: z.literal(false).optional(),
  })
  .refine((p) => p.title !== undefined || p.is_visible !== undefined, { message: 'Send `title` or `is_visible: false`.' });
export type ConversationPatch = z.infer<typeof conversationPatchSchema>;

export const messageRatingSchema = z.enum(['thumbsUp', 'thumbsDown']);

/** One management call; the gateway has validated the client's body into these shapes. */
export const conversationActionSchema = z.discriminatedUnion('op', [
  z.object({ op: z.literal('list'), offset: z.number().int().nonnegative(), limit: z.number().int().min(1).max(100) }),
  z.object({ op: z.literal('get'), conversationId: z.string().min(1) }),
  z.object({ op: z.literal('update'), conversationId: z.string().min(1), patch: z.object({ title: z.string().optional(), is_visible: z.literal(false).optional() }) }),
  z.object({ op: z.literal('hide_all') }),
  z.object({ op: z.literal('gen_title'), conversationId: z.string().min(1), messageId: z.string().min(1) }),
  z.object({ op: z.literal('feedback'), conversationId: z.string().min(1), messageId: z.string().min(1), rating: messageRatingSchema }),
]);
export type ConversationAction = z.infer<typeof conversationActionSchema>;

export const conversationManageRequestSchema = z.object({ caller: conversationCallerSchema, action: conversationActionSchema });
export type ConversationManageRequest = z.infer<typeof conversationManageRequestSchema>;

/** The upstream's answer (or the list built from the records) as the client gets it, or why not. */
export const conversationManageReplySchema = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), status: z.number().int(), body: z.unknown() }),
  z.object({ ok: z.literal(false), failure: busErrorSchema }),
]);
export type ConversationManageReply = z.infer<typeof conversationManageReplySchema>;

/**
 * A management reply travels as one or more parts on the reply inbox (NestJS streams an Observable's
 * values in order): a long conversation's mapping is several MiB, more than one NATS message may
 * carry (`max_payload`, 1 MiB by default). Success: the body's JSON text cut into `chunk`s; failure:
 * one part.
 */
export const conversationManageReplyPartSchema = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), status: z.number().int(), chunk: z.string() }),
  z.object({ ok: z.literal(false), failure: busErrorSchema }),
]);
export type ConversationManageReplyPart = z.infer<typeof conversationManageReplyPartSchema>;

/**
 * Characters of JSON text per part: escaped once more inside the transport's envelope, a character
 * takes at most 6 bytes (`\u` escapes), so a part stays well under 1 MiB.
 */
export const MANAGE_REPLY_CHUNK_CHARS = 64 * 1024;

export function manageReplyParts(reply: ConversationManageReply, chunkChars = MANAGE_REPLY_CHUNK_CHARS): ConversationManageReplyPart[] {
  if (!reply.ok) return [reply];
  // (A surrogate pair cut in two survives: the transport's JSON escapes a lone half and restores it.)
  const json = JSON.stringify(reply.body ?? null);
  const parts: ConversationManageReplyPart[] = [];
  for (let at = 0; at < json.length; at += chunkChars) parts.push({ ok: true, status: reply.status, chunk: json.slice(at, at + chunkChars) });
  return parts;
}

/** The reply the parts make together; throws when they are not one whole reply. */
export function joinManageReplyParts(raw: readonly unknown[]): ConversationManageReply {
  const parts = raw.map((p) => conversationManageReplyPartSchema.parse(p));
  const [first] = parts;
  if (!first) throw new Error('a management reply without parts');
  if (!first.ok) return first;
  const chunks = parts.map((p) => {
    if (!p.ok) throw new Error('a management reply mixing success and failure');
    return p.chunk;
  });
  return { ok: true, status: first.status, body: JSON.parse(chunks.join('')) as unknown };
}
