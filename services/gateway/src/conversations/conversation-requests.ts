import { z } from 'zod';
import { clientIdSchema, conversationPatchSchema, messageRatingSchema, type ConversationAction } from '@chatgate/contracts';
import { ApiError } from '../shared/errors/api-error.js';

/** What the clients send, in the upstream's field names (reference §5). */
const listQuerySchema = z.object({
  offset: z.coerce.number().int().nonnegative().default(0),
  limit: z.coerce.number().int().min(1).max(100).default(28),
});
const genTitleBodySchema = z.object({ message_id: clientIdSchema });
const feedbackBodySchema = z.object({ message_id: clientIdSchema, conversation_id: clientIdSchema, rating: messageRatingSchema });
/** A conversation id from the path: looked up in the records, so one line of valid text like any client id. */
const pathIdSchema = z.object({ conversation_id: clientIdSchema });
const hideAllBodySchema = z.object({ is_visible: z.literal(false) });

/** A zod failure as OpenAI's 400, naming the first field at fault. */
function parse<T>(schema: z.ZodType<T>, value: unknown): T {
  const result = schema.safeParse(value ?? {});
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const param = issue?.path.length ? issue.path.join('.') : null;
  throw ApiError.invalidRequest(param ? `Invalid '${param}': ${issue.message}` : (issue?.message ?? 'Invalid request.'), param, 'invalid_value');
}

export function listAction(query: unknown): ConversationAction {
  const { offset, limit } = parse(listQuerySchema, query);
  return { op: 'list', offset, limit };
}

function conversationIdOf(id: string): string {
  return parse(pathIdSchema, { conversation_id: id }).conversation_id;
}

export function getAction(conversationId: string): ConversationAction {
  return { op: 'get', conversationId: conversationIdOf(conversationId) };
}

export function updateAction(id: string, body: unknown): ConversationAction {
  const conversationId = conversationIdOf(id);
  const patch = parse(conversationPatchSchema, body);
  return { op: 'update', conversationId, patch: patch.title !== undefined ? { title: patch.title } : { is_visible: false } };
}

export function hideAllAction(body: unknown): ConversationAction {
  parse(hideAllBodySchema, body);
  return { op: 'hide_all' };
}

export function genTitleAction(id: string, body: unknown): ConversationAction {
  return { op: 'gen_title', conversationId: conversationIdOf(id), messageId: parse(genTitleBodySchema, body).message_id };
}

export function feedbackAction(body: unknown): ConversationAction {
  const { message_id, conversation_id, rating } = parse(feedbackBodySchema, body);
  return { op: 'feedback', conversationId: conversation_id, messageId: message_id, rating };
}
