// One saved conversation by id (reference §5): GET /backend-api/conversation/<id> reads it (history
// on), PATCH `{is_visible:false}` or `{title}` hides or renames it (how a client hides a
// conversation it made only to have a message read aloud). Only for the account that owns it.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Caller } from '../auth.js';
import type { SimContext } from '../context.js';
import { readJsonObject, sendJson } from '../http.js';

const CONVERSATION = /^\/backend-api\/conversation\/([^/]+)$/;

/** The id in /backend-api/conversation/<id>, or null for any other path. */
export function conversationOf(path: string): string | null {
  const m = CONVERSATION.exec(path);
  return m ? decodeURIComponent(m[1]) : null;
}

export function getConversationRoute(ctx: SimContext, res: ServerResponse, caller: Caller, conversationId: string): void {
  const conversation = ctx.conversations.view(conversationId, caller.account.accountId);
  if (!conversation) sendJson(res, 404, { detail: { code: 'conversation_not_found', message: 'Conversation not found' } });
  else sendJson(res, 200, conversation);
}

export async function patchConversationRoute(ctx: SimContext, req: IncomingMessage, res: ServerResponse, caller: Caller, conversationId: string): Promise<void> {
  const body = await readJsonObject(req);
  const conversation = ctx.conversations.find(conversationId, caller.account.accountId);
  if (!conversation) {
    sendJson(res, 404, { detail: 'Conversation not found' });
    return;
  }
  if (body.is_visible === false && conversation.visible) {
    conversation.visible = false;
    ctx.stats.conversationHidden();
  }
  if (typeof body.title === 'string') conversation.title = body.title;
  sendJson(res, 200, { success: true });
}
