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
import { scenarioFor } from '../scenarios.js';
import { message } from '../encoders/messages.js';
import type { MessageFilesRecord } from '../types.js';

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

const FILE_SERVICE = 'file-service://';

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** The newest user message's image pointers and attachments, as the stats report them. */
function filesRecord(message: InputMessage): MessageFilesRecord {
  const parts = Array.isArray(message.content?.parts) ? (message.content.parts as unknown[]) : [];
  const metadata = isObject(message.metadata) ? message.metadata : {};
  return {
    contentType: typeof message.content?.content_type === 'string' ? message.content.content_type : null,
    text: textOf(message),
    assetPointers: parts.filter(isObject).map((p) => ({ asset_pointer: String(p.asset_pointer), size_bytes: p.size_bytes, width: p.width, height: p.height })),
    attachments: Array.isArray(metadata.attachments) ? metadata.attachments.filter(isObject) : [],
  };
}

/**
 * Every file a message points at (image_asset_pointer parts and metadata.attachments) must be one the
 * caller's account uploaded and marked uploaded; pointers must say the file's real size and, for
 * images, its dimensions. A file of another account does not exist for this one.
 */
function checkFiles(ctx: SimContext, messages: InputMessage[], accountId: string): void {
  for (const message of messages) {
    const parts = Array.isArray(message.content?.parts) ? (message.content.parts as unknown[]) : [];
    for (const part of parts.filter(isObject)) {
      if (part.content_type !== 'image_asset_pointer') throw new HttpError(400, { detail: `Unknown content part type ${JSON.stringify(part.content_type)}` });
      const pointer = typeof part.asset_pointer === 'string' ? part.asset_pointer : '';
      if (!pointer.startsWith(FILE_SERVICE)) throw new HttpError(400, { detail: 'image_asset_pointer needs a file-service:// asset_pointer' });
      const file = ctx.files.usableBy(pointer.slice(FILE_SERVICE.length), accountId);
      if (!file) throw new HttpError(404, { detail: { code: 'file_not_found', message: `File ${pointer} not found` } });
      if (part.size_bytes !== file.blob!.bytes.length || typeof part.width !== 'number' || typeof part.height !== 'number') {
        throw new HttpError(400, { detail: `image_asset_pointer ${pointer} needs size_bytes (${file.blob!.bytes.length}), width and height` });
      }
    }
    const metadata = isObject(message.metadata) ? message.metadata : {};
    const attachments = Array.isArray(metadata.attachments) ? metadata.attachments : [];
    for (const attachment of attachments) {
      const id = isObject(attachment) && typeof attachment.id === 'string' ? attachment.id : '';
      if (!ctx.files.usableBy(id, accountId)) throw new HttpError(404, { detail: { code: 'file_not_found', message: `Attachment ${id || '(no id)'} not found` } });
    }
  }
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
    model: typeof body.model === 'string' ? body.model : null,
    conversationMode: conversationModeOf(body.conversation_mode),
  }, messages.map((m) => ({ role: typeof m.author?.role === 'string' ? m.author.role : '', text: textOf(m) })));
  ctx.stats.userMessage(filesRecord(last));
  checkFiles(ctx, messages, account.accountId);
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
      // Echoed in the role it was sent with (an assistant message posted to be read aloud stays one).
      author: { role: typeof last.author?.role === 'string' ? last.author.role : 'user', name: null, metadata: {} },
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
    answerId,
    reply,
    scenario,
    moderationAfter: failure?.kind === 'moderation' ? after : null,
    midStreamFailure: midStream !== null,
    createTime: now,
    title: titleOf(reply.stripped),
  };

  // History on: the conversation is saved upstream with every posted message at once (they can be
  // read aloud, hidden or read back while the answer streams); the answer joins when it completes.
  if (history) {
    const posted = messages.map((m) => (m === last ? turn.userMessage : savedMessage(m, now)));
    ctx.conversations.append(turn.conversationId, account.accountId, turn.title, posted, turn.parentMessageId);
  }

  const encodings = body.supported_encodings;
  const v1 = Array.isArray(encodings) && encodings.includes('v1');
  const run = new StreamRun(
    res,
    {
      encoder: v1 ? new V1Encoder(turn) : new LegacyEncoder(turn),
      delayMs: d.delay ?? 0,
      ttfbMs: d.ttfb ?? 0,
      failure: midStream,
      onWrite: (bytes, mustWait) => ctx.stats.streamWrote(bytes, mustWait),
    },
    (finished, outcome) => {
      ctx.streams.delete(finished);
      ctx.stats.streamEnded(outcome, { accountId: account.accountId, ...finished.written() });
      if (outcome === 'completed' && history) saveAnswer(ctx, turn, account.accountId);
    },
  );
  ctx.streams.add(run);
  ctx.stats.streamStarted();
  run.start();
}

/** A posted message other than the prompt (which is echoed as `turn.userMessage`), as upstream keeps it. */
function savedMessage(m: InputMessage, now: number): Record<string, unknown> {
  return message({
    id: typeof m.id === 'string' ? m.id : uuid(),
    role: m.author?.role === 'assistant' || m.author?.role === 'system' || m.author?.role === 'tool' ? m.author.role : 'user',
    content: m.content && typeof m.content === 'object' ? (m.content as Record<string, unknown>) : { content_type: 'text', parts: [textOf(m)] },
    status: 'finished_successfully',
    endTurn: null,
    metadata: isObject(m.metadata) ? m.metadata : {},
    createTime: typeof m.create_time === 'number' ? m.create_time : now,
  });
}

/** History on, the stream completed: the answer is saved below the posted message; a late message (an asynchronous image) lands a moment after. */
function saveAnswer(ctx: SimContext, turn: Turn, accountId: string): void {
  const answer = message({
    id: turn.answerId,
    role: 'assistant',
    content: { content_type: 'text', parts: [turn.reply.text] },
    status: 'finished_successfully',
    endTurn: true,
    channel: 'final',
    createTime: turn.createTime,
  });
  ctx.conversations.append(turn.conversationId, accountId, turn.title, [answer], String(turn.userMessage.id));
  const late = turn.scenario?.late;
  if (!late) return;
  setTimeout(() => {
    for (const file of late.files) ctx.files.add({ ...file, accountId, conversationId: turn.conversationId });
    ctx.conversations.append(turn.conversationId, accountId, turn.title, [message({ ...late.fields, createTime: Date.now() / 1000 })], turn.answerId);
  }, late.afterMs).unref();
}

/** `conversation_mode` as sent: `{kind}` and, for GPTs, `gizmo_id`. */
function conversationModeOf(raw: unknown): { kind: string; gizmoId: string | null } | null {
  if (!raw || typeof raw !== 'object') return null;
  const mode = raw as { kind?: unknown; gizmo_id?: unknown };
  if (typeof mode.kind !== 'string') return null;
  return { kind: mode.kind, gizmoId: typeof mode.gizmo_id === 'string' ? mode.gizmo_id : null };
}
