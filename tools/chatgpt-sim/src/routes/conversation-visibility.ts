// PATCH /backend-api/conversation/<id> `{is_visible:false}` or `{title}` (reference §5): how a
// client hides a conversation it made only to have a message read aloud.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Caller } from '../auth.js';
import type { SimContext } from '../context.js';
import { readJsonObject, sendJson } from '../http.js';

export const CONVERSATION_PATH_PREFIX = '/backend-api/conversation/';

export async function patchConversationRoute(ctx: SimContext, req: IncomingMessage, res: ServerResponse, caller: Caller, path: string): Promise<void> {
  const id = decodeURIComponent(path.slice(CONVERSATION_PATH_PREFIX.length));
  const body = await readJsonObject(req);
  const conversation = ctx.conversations.find(id, caller.account.accountId);
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
