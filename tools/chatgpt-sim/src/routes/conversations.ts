// Conversation management (reference §5): list, read, rename, hide, title and rate (and the hide a
// voice client sends for a conversation it made only to have a message read aloud). Each account
// sees only the conversations it created; another account's id is a 404, as upstream.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Caller } from '../auth.js';
import type { SimContext } from '../context.js';
import { textOfMessage, type SimConversation } from '../conversations.js';
import { sendFailure } from '../failures.js';
import { HttpError, readJsonObject, sendJson } from '../http.js';
import type { FailKind } from '../types.js';
import { titleOf } from './conversation.js';

const MAX_LIMIT = 100;

// An account set to fail meets these on every call; message caps (429), model and stream failures
// belong to sending messages only.
const ACCOUNT_FAILURES: ReadonlySet<FailKind> = new Set(['401', '403', '500', 'cloudflare']);

/** Answers the account's configured failure, if it has one for management calls; true when it did. */
function failedAccount(ctx: SimContext, res: ServerResponse, caller: Caller): boolean {
  const failure = ctx.behaviours.takeIf(caller.account, (kind) => ACCOUNT_FAILURES.has(kind));
  if (!failure) return false;
  sendFailure(res, failure.kind as '401' | '403' | '500' | 'cloudflare', { model: 'auto' });
  return true;
}

function notFound(id: string): HttpError {
  return new HttpError(404, { detail: `Can't load conversation ${id}` });
}

/** The caller's visible conversation, or a 404 (hidden counts as deleted). */
function visibleOwn(ctx: SimContext, id: string, caller: Caller): SimConversation {
  const c = ctx.conversations.owned(id, caller.account.accountId);
  if (!c || !c.visible) throw notFound(id);
  return c;
}

/** Hidden counts as deleted for every later call; the stats count each conversation hidden once. */
function hide(ctx: SimContext, c: SimConversation): void {
  if (!c.visible) return;
  c.visible = false;
  ctx.stats.conversationHidden();
}

function intParam(url: URL, name: string, fallback: number): number {
  const raw = url.searchParams.get(name);
  if (raw === null || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new HttpError(422, { detail: [{ loc: ['query', name], msg: 'value is not a valid integer', type: 'type_error.integer' }] });
  return value;
}

/** GET /backend-api/conversations?offset&limit&order */
export function listConversationsRoute(ctx: SimContext, req: IncomingMessage, res: ServerResponse, caller: Caller): void {
  if (failedAccount(ctx, res, caller)) return;
  const url = new URL(req.url ?? '/', 'http://sim');
  const offset = intParam(url, 'offset', 0);
  const limit = intParam(url, 'limit', 28);
  if (limit > MAX_LIMIT) throw new HttpError(422, { detail: [{ loc: ['query', 'limit'], msg: `ensure this value is less than or equal to ${MAX_LIMIT}`, type: 'value_error.number.not_le' }] });
  const all = ctx.conversations.listFor(caller.account.accountId);
  sendJson(res, 200, {
    items: all.slice(offset, offset + limit).map((c) => ({
      id: c.id,
      title: c.title,
      create_time: new Date(c.createTime * 1000).toISOString(),
      update_time: new Date(c.updateTime * 1000).toISOString(),
      mapping: null,
      current_node: null,
      is_archived: false,
    })),
    total: all.length,
    limit,
    offset,
    has_missing_conversations: false,
  });
}

/** GET /backend-api/conversation/<id> */
export function getConversationRoute(ctx: SimContext, id: string, res: ServerResponse, caller: Caller): void {
  if (failedAccount(ctx, res, caller)) return;
  const c = visibleOwn(ctx, id, caller);
  sendJson(res, 200, {
    title: c.title,
    create_time: c.createTime,
    update_time: c.updateTime,
    mapping: Object.fromEntries([...c.mapping.values()].map((n) => [n.id, { id: n.id, parent: n.parent, children: [...n.children], message: n.message }])),
    moderation_results: [],
    current_node: c.currentNode,
    conversation_id: c.id,
    is_archived: false,
  });
}

/** PATCH /backend-api/conversation/<id> with `{title}` or `{is_visible: false}`. */
export async function patchConversationRoute(ctx: SimContext, id: string, req: IncomingMessage, res: ServerResponse, caller: Caller): Promise<void> {
  const body = await readJsonObject(req);
  if (failedAccount(ctx, res, caller)) return;
  const c = visibleOwn(ctx, id, caller);
  const rename = typeof body.title === 'string';
  if (!rename && body.is_visible !== false) throw new HttpError(400, { detail: 'Send title or is_visible: false' });
  if (rename) c.title = body.title as string;
  if (body.is_visible === false) hide(ctx, c);
  sendJson(res, 200, { success: true });
}

/** PATCH /backend-api/conversations with `{is_visible: false}`: hides all of the account's conversations. */
export async function patchAllConversationsRoute(ctx: SimContext, req: IncomingMessage, res: ServerResponse, caller: Caller): Promise<void> {
  const body = await readJsonObject(req);
  if (failedAccount(ctx, res, caller)) return;
  if (body.is_visible !== false) throw new HttpError(400, { detail: 'Send is_visible: false' });
  for (const c of ctx.conversations.listFor(caller.account.accountId)) hide(ctx, c);
  sendJson(res, 200, { success: true });
}

/** POST /backend-api/conversation/gen_title/<id> with `{message_id}`: a title from the conversation's first user message. */
export async function genTitleRoute(ctx: SimContext, id: string, req: IncomingMessage, res: ServerResponse, caller: Caller): Promise<void> {
  const body = await readJsonObject(req);
  if (failedAccount(ctx, res, caller)) return;
  const c = visibleOwn(ctx, id, caller);
  if (typeof body.message_id !== 'string' || !c.mapping.has(body.message_id)) throw new HttpError(400, { detail: 'message_id is not a message of this conversation' });
  const firstUser = [...c.mapping.values()].find((n) => (n.message?.author as { role?: string } | undefined)?.role === 'user');
  c.title = `${titleOf(textOfMessage(firstUser?.message ?? null))} (titled)`;
  sendJson(res, 200, { title: c.title });
}

/** POST /backend-api/conversation/message_feedback with `{message_id, conversation_id, rating}`. */
export async function messageFeedbackRoute(ctx: SimContext, req: IncomingMessage, res: ServerResponse, caller: Caller): Promise<void> {
  const body = await readJsonObject(req);
  if (failedAccount(ctx, res, caller)) return;
  const { message_id: messageId, conversation_id: conversationId, rating } = body;
  if (typeof conversationId !== 'string' || typeof messageId !== 'string') throw new HttpError(422, { detail: 'message_id and conversation_id are required' });
  if (rating !== 'thumbsUp' && rating !== 'thumbsDown') throw new HttpError(422, { detail: 'rating must be thumbsUp or thumbsDown' });
  const c = visibleOwn(ctx, conversationId, caller);
  if (!c.mapping.has(messageId)) throw new HttpError(404, { detail: 'Message not found' });
  ctx.conversations.feedback.set(messageId, { conversationId, rating, accountId: caller.account.accountId });
  ctx.stats.feedback(messageId, rating);
  sendJson(res, 200, { message_id: messageId, conversation_id: conversationId, user_id: caller.account.userId, rating, content: '{}', create_time: new Date().toISOString() });
}
