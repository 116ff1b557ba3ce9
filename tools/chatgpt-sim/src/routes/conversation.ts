// POST /backend-api/conversation and /backend-api/f/conversation.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Caller } from '../auth.js';
import type { SimContext } from '../context.js';
import type { Failure } from '../behaviours.js';
import { LegacyEncoder } from '../encoders/legacy.js';
import { V1Encoder } from '../encoders/v1.js';
import { isHttpFailKind, sendFailure, sendModelNotFound } from '../failures.js';
import { HttpError, readJsonObject } from '../http.js';
import { uuid } from '../ids.js';
import { modelAvailable, resolvedSlug } from '../models.js';
import { planReply } from '../reply.js';
import { StreamRun, type MidStreamFailure } from '../stream.js';
import type { Turn } from '../turn.js';
import { scenarioFor } from '../scenarios.js';
import { message } from '../encoders/messages.js';

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

function titleOf(stripped: string): string {
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
  });
  const plan = planReply(prompt, model);
  const d = plan.directives;

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
  const now = Date.now() / 1000;
  const answerId = uuid();
  const conversationId = requestedConversation ?? uuid();
  const modelSlug = resolvedSlug(model);
  const scenario = d.tool ? scenarioFor(d.tool, { answerId, modelSlug, newId: uuid, reasoning: plan.reasoning !== null }) : null;
  const reply = scenario ? { ...plan, text: scenario.answer.join(''), chunks: scenario.answer } : plan;
  // A temporary chat is not saved, and neither are its files: nothing to download later.
  const history = body.history_and_training_disabled !== true;
  if (scenario && history) {
    for (const file of scenario.files) ctx.files.add({ ...file, accountId: account.accountId, conversationId });
  }
  const turn: Turn = {
    conversationId,
    newConversation: requestedConversation === undefined,
    model,
    modelSlug,
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
    parentMessageId: typeof body.parent_message_id === 'string' ? body.parent_message_id : 'client-created-root',
    answerId,
    reply,
    scenario,
    moderationAfter: failure?.kind === 'moderation' ? after : null,
    midStreamFailure: midStream !== null,
    createTime: now,
    title: titleOf(reply.stripped),
  };

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
      if (outcome === 'completed' && history) saveTurn(ctx, turn, account.accountId);
    },
  );
  ctx.streams.add(run);
  ctx.stats.streamStarted();
  run.start();
}

/** History on: the turn is saved; a late message (an asynchronous image) lands a moment after. */
function saveTurn(ctx: SimContext, turn: Turn, accountId: string): void {
  const answer = message({
    id: turn.answerId,
    role: 'assistant',
    content: { content_type: 'text', parts: [turn.reply.text] },
    status: 'finished_successfully',
    endTurn: true,
    channel: 'final',
    createTime: turn.createTime,
  });
  ctx.conversations.append(turn.conversationId, accountId, turn.title, [turn.userMessage, answer]);
  const late = turn.scenario?.late;
  if (!late) return;
  setTimeout(() => {
    for (const file of late.files) ctx.files.add({ ...file, accountId, conversationId: turn.conversationId });
    ctx.conversations.append(turn.conversationId, accountId, turn.title, [message({ ...late.fields, createTime: Date.now() / 1000 })]);
  }, late.afterMs).unref();
}
