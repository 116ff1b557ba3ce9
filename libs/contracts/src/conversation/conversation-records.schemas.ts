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
