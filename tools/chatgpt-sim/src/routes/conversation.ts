// POST /backend-api/conversation and /backend-api/f/conversation.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Caller } from '../auth.js';
import type { SimContext } from '../context.js';
import type { Failure } from '../behaviours.js';
import { LegacyEncoder } from '../encoders/legacy.js';
import { V1Encoder } from '../encoders/v1.js';
import { isHttpFailKind, sendFailure, sendModelNotFound } from '../failures.js';
import { HttpError, readJsonObject, sendJson } from '../http.js';
import { uuid } from '../ids.js';
import { modelAvailable, resolvedSlug } from '../models.js';
import { planReply } from '../reply.js';
import { StreamRun, type MidStreamFailure } from '../stream.js';
import type { Turn } from '../turn.js';

const DEFAULT_AFTER = 2;

interface InputMessage {
  id?: unknown;
  author?: { role?: unknown };
  create_time?: unknown;
  content?: { content_type?: unknown; parts?: unknown };
  metadata?: unknown;
}

function asMessage(value: unknown): InputMessage {
  return value && typeof value === 'object' ? (value as InputMessage) : {};
}

function textOf(message: InputMessage): string {
  const parts = message.content?.parts;
  if (!Array.isArray(parts)) return '';
  // Image pointers and other objects are not text.
  return parts.filter((p): p is string => typeof p === 'string').join('\n');
}

/** The request's messages and the answer join the conversation's tree (a temporary chat keeps nothing). */
function remember(ctx: SimContext, turn: Turn, accountId: string, messages: InputMessage[], last: InputMessage, isNew: boolean, now: number): void {
  const conversation = isNew ? ctx.conversations.create(turn.conversationId, accountId, turn.title, now) : ctx.conversations.get(turn.conversationId)!;
  const stored = messages.map((m) => ({
    // The prompt keeps the id the encoders announce for it.
    id: m === last ? (turn.userMessage.id as string) : typeof m.id === 'string' ? m.id : uuid(),
    author: { role: typeof m.author?.role === 'string' ? m.author.role : 'user', name: null, metadata: {} },
    create_time: typeof m.create_time === 'number' ? m.create_time : now,
    content: m.content ?? { content_type: 'text', parts: [textOf(m)] },
    status: 'finished_successfully',
    metadata: m.metadata && typeof m.metadata === 'object' ? m.metadata : {},
    recipient: 'all',
  }));
  const answer = {
    id: turn.answerId,
    author: { role: 'assistant', name: null, metadata: {} },
    create_time: now,
    content: { content_type: 'text', parts: [turn.reply.text] },
    status: 'finished_successfully',
    end_turn: true,
    metadata: { model_slug: turn.modelSlug, parent_id: stored[stored.length - 1]?.id ?? turn.parentMessageId },
    recipient: 'all',
  };
  ctx.conversations.append(conversation, turn.parentMessageId, [...stored, answer], now);
}

export function titleOf(stripped: string): string {
  const words = stripped.split(/\s+/).filter(Boolean).slice(0, 6).join(' ');
  return words === '' ? 'New chat' : words.slice(0, 60);
}

export async function conversationRoute(
  ctx: SimContext,
  req: IncomingMessage,
  res: ServerResponse,
  caller: Caller,
): Promise<void> {
  const body = await readJsonObject(req);
  const messages = Array.isArray(body.messages) ? body.messages.map(asMessage) : [];
  if (messages.length === 0) throw new HttpError(400, { detail: 'messages must be a non-empty list' });
  // The prompt is the newest user message; a turn of only assistant text (TTS) uses the newest one.
  const last = messages.findLast((m) => m.author?.role === 'user') ?? messages[messages.length - 1];
  const prompt = textOf(last);
  const model = typeof body.model === 'string' && body.model !== '' ? body.model : 'auto';
  const { account } = caller;

  ctx.stats.conversationRequest(account.accountId, caller.workspace);
  ctx.stats.conversationBody({
    messages: messages.length,
    conversationId: typeof body.conversation_id === 'string' ? body.conversation_id : null,
    parentMessageId: typeof body.parent_message_id === 'string' ? body.parent_message_id : null,
    historyDisabled: typeof body.history_and_training_disabled === 'boolean' ? body.history_and_training_disabled : null,
  }, messages.map((m) => ({ role: typeof m.author?.role === 'string' ? m.author.role : '', text: textOf(m) })));
  const reply = planReply(prompt, model);
  const d = reply.directives;

  // The account's state comes first; a directive only speaks for this one request.
  const failure: Failure | undefined =
    ctx.behaviours.take(account) ?? (d.fail ? { kind: d.fail, clearsIn: d.clearsIn } : undefined);
  if (failure && isHttpFailKind(failure.kind)) {
    sendFailure(res, failure.kind, { model, clearsIn: failure.clearsIn ?? d.clearsIn });
    return;
  }
  if (!modelAvailable(model, account.plan)) {
    sendModelNotFound(res, model);
    return;
  }

  const after = d.after ?? DEFAULT_AFTER;
  const midStream: MidStreamFailure | null =
    failure && (failure.kind === 'stall' || failure.kind === 'cut' || failure.kind === 'stream_error')
      ? { kind: failure.kind, after }
      : null;
  const requestedConversation =
    typeof body.conversation_id === 'string' && body.conversation_id !== '' ? body.conversation_id : undefined;
  const parentMessageId = typeof body.parent_message_id === 'string' ? body.parent_message_id : 'client-created-root';
  // A conversation lives on the account that created it; another account cannot continue it, and a
  // parent that is not in its tree is refused. An id the simulator never saw is taken as given
  // (conversations made before it started).
  const known = requestedConversation ? ctx.conversations.get(requestedConversation) : undefined;
  if (known && known.accountId !== account.accountId) {
    sendJson(res, 404, { detail: 'Conversation not found' });
    return;
  }
  if (known && !known.mapping.has(parentMessageId)) {
    sendJson(res, 400, { detail: 'Parent message not found in the conversation' });
    return;
  }
  const now = Date.now() / 1000;
  const turn: Turn = {
    conversationId: requestedConversation ?? uuid(),
    newConversation: requestedConversation === undefined,
    model,
    modelSlug: resolvedSlug(model),
    plan: account.plan,
    userMessage: {
      id: typeof last.id === 'string' ? last.id : uuid(),
      author: { role: 'user', name: null, metadata: {} },
      create_time: typeof last.create_time === 'number' ? last.create_time : now,
      update_time: null,
      content: last.content ?? { content_type: 'text', parts: [prompt] },
      status: 'finished_successfully',
      end_turn: null,
      weight: 1.0,
      metadata: {
        ...(last.metadata && typeof last.metadata === 'object' ? (last.metadata as object) : {}),
        timestamp_: 'absolute',
        message_source: null,
      },
      recipient: 'all',
      channel: null,
    },
    parentMessageId,
    answerId: uuid(),
    reply,
    moderationAfter: failure?.kind === 'moderation' ? after : null,
    midStreamFailure: midStream !== null,
    createTime: now,
    title: titleOf(reply.stripped),
  };

  if (body.history_and_training_disabled !== true) remember(ctx, turn, account.accountId, messages, last, known === undefined, now);

  const encodings = body.supported_encodings;
  const v1 = Array.isArray(encodings) && encodings.includes('v1');
  const run = new StreamRun(
    res,
    {
      encoder: v1 ? new V1Encoder(turn) : new LegacyEncoder(turn),
      delayMs: d.delay ?? 0,
      ttfbMs: d.ttfb ?? 0,
      failure: midStream,
    },
    (finished, outcome) => {
      ctx.streams.delete(finished);
      ctx.stats.streamEnded(outcome);
    },
  );
  ctx.streams.add(run);
  ctx.stats.streamStarted();
  run.start();
}
