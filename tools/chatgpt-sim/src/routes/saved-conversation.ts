// GET /backend-api/conversation/<id> (reference §5): a conversation saved with history on.
import type { ServerResponse } from 'node:http';
import type { Caller } from '../auth.js';
import type { SimContext } from '../context.js';
import { sendJson } from '../http.js';

const CONVERSATION = /^\/backend-api\/conversation\/([0-9a-f-]{36})$/;

/** GET /backend-api/conversation/<id>: a saved conversation, only for the account that owns it. */
export function conversationOf(path: string): string | null {
  const m = CONVERSATION.exec(path);
  return m ? m[1] : null;
}

export function getConversationRoute(ctx: SimContext, res: ServerResponse, caller: Caller, conversationId: string): void {
  const conversation = ctx.conversations.get(conversationId, caller.account.accountId);
  if (!conversation) sendJson(res, 404, { detail: { code: 'conversation_not_found', message: 'Conversation not found' } });
  else sendJson(res, 200, conversation);
}
