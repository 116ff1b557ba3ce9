import { applyPatchOrOperation, isRecord, parsePointer, type DocumentHolder, type JsonObject } from './document-patcher.js';
import { classifyMessage } from './message-classifier.js';
import { newTextCursor, takeNewText, type TextCursor } from './message-text.js';
import { newToolTrafficState, takeToolEvents, type ToolTrafficState } from './tool-traffic.js';
import { SseParser } from './sse-parser.js';
import type { DecoderOptions, FinishReason, LimitProgress, SseEvent, StreamEncoding, TextChannel, UpstreamEvent } from './types.js';

/** Per-message bookkeeping: emitted text, and the once-only events. */
interface TrackedMessage {
  readonly text: TextCursor;
  finished: boolean;
  /** Reached finished_successfully + end_turn without finish_details: decided later. */
  finishPending: boolean;
  errorReported: boolean;
  messageId: string;
  /** Tool traffic emitted so far (decoders with `tools` only). */
  tool: ToolTrafficState | null;
}

function newTracked(): TrackedMessage {
  return { text: newTextCursor(), finished: false, finishPending: false, errorReported: false, messageId: '', tool: null };
}

function finishReason(type: unknown): FinishReason {
  if (type === 'max_tokens') return 'length';
  if (type === 'interrupted') return 'interrupted';
  return 'stop';
}

/** Separates text from successive messages of the same channel (two reasoning docs, say). */
const MESSAGE_SEPARATOR = '\n\n';

/**
 * Decodes the conversation reply stream, either encoding, into UpstreamEvents.
 *
 * Legacy frames carry whole messages with cumulative text and are tracked per message
 * id. v1 frames are JSON-pointer operations on the newest document (one document per
 * message: `{message, conversation_id, error, error_code}`); only the newest document
 * is kept. In both, after each frame the touched message's new text is emitted.
 *
 * Odd input never throws: unparsable JSON is counted in `malformedFrames` and skipped,
 * operations that cannot apply are counted in `failedOperations`, unknown ops and typed
 * events are ignored.
 */
export class ConversationStreamDecoder {
  private readonly sse = new SseParser();
  private readonly tools: boolean;
  private _encoding: StreamEncoding | null = null;
  private _answerMessageId: string | null = null;
  private _conversationId: string | null = null;
  private _malformedFrames = 0;
  private _failedOperations = 0;

  // v1 state: the newest document and the sticky cursor.
  private doc: DocumentHolder | null = null;
  private docTrack: TrackedMessage = newTracked();
  private cursorPointer: string | null = null;
  private cursorPath: string[] | null = null;
  private cursorOp: string | null = null;

  // legacy state: messages by id.
  private readonly legacyMessages = new Map<string, TrackedMessage>();
  private lastLegacyError: string | null = null;

  private pendingFinish: TrackedMessage | null = null;
  private readonly channelHasText: Record<TextChannel, boolean> = { answer: false, reasoning: false };

  constructor(options: DecoderOptions = {}) {
    this.tools = options.tools === true;
  }

  get encoding(): StreamEncoding | null {
    return this._encoding;
  }
  /** Id of the last answer message seen (parent_message_id for a continuation). */
  get answerMessageId(): string | null {
    return this._answerMessageId;
  }
  get conversationId(): string | null {
    return this._conversationId;
  }
  /** `data:` payloads that were not JSON (skipped). */
  get malformedFrames(): number {
    return this._malformedFrames;
  }
  /** v1 operations that could not apply to the document (skipped). */
  get failedOperations(): number {
    return this._failedOperations;
  }

  push(chunk: Uint8Array | string): UpstreamEvent[] {
    return this.handleAll(this.sse.push(chunk), false);
  }

  end(): UpstreamEvent[] {
    return this.handleAll(this.sse.end(), true);
  }

  private handleAll(events: SseEvent[], atEnd: boolean): UpstreamEvent[] {
    const out: UpstreamEvent[] = [];
    for (let i = 0; i < events.length; i++) {
      try {
        this.handleEvent(events[i], out);
      } catch {
        // Defensive only: a bug or a shape nobody foresaw must cost one frame, not the stream.
        this._malformedFrames++;
      }
    }
    if (atEnd) this.flushPendingFinish(null, out);
    return out;
  }

  private handleEvent(event: SseEvent, out: UpstreamEvent[]): void {
    const data = event.data;
    if (data.length === 0) return;
    if (data === '[DONE]') {
      this.flushPendingFinish(null, out);
      out.push({ type: 'done' });
      return;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(data);
    } catch {
      this._malformedFrames++;
      return;
    }
    if (event.event === 'delta_encoding' || typeof parsed === 'string') {
      // `event: delta_encoding` / `data: "v1"` announces the encoding.
      if (parsed === 'v1') this._encoding = 'v1';
      return;
    }
    if (!isRecord(parsed)) return;
    const isOperation = 'o' in parsed || 'v' in parsed || 'p' in parsed;
    if (!isOperation && typeof parsed.type === 'string') this.handleTyped(parsed, out);
    else if (isOperation) this.handleDelta(parsed, out);
    else this.handleLegacyFrame(parsed, out);
  }

  // ---- typed events (both encodings) ------------------------------------------------

  private handleTyped(frame: JsonObject, out: UpstreamEvent[]): void {
    this.flushPendingFinish(null, out);
    this.noteConversationId(frame.conversation_id, out);
    switch (frame.type) {
      case 'message_stream_complete':
        out.push({ type: 'complete' });
        return;
      case 'title_generation':
        if (typeof frame.title === 'string') out.push({ type: 'title', title: frame.title });
        return;
      case 'moderation': {
        const response = isRecord(frame.moderation_response) ? frame.moderation_response : {};
        const message =
          typeof response.message === 'string' ? response.message : typeof frame.message === 'string' ? frame.message : null;
        out.push({ type: 'moderation', blocked: response.blocked === true, message });
        return;
      }
      case 'conversation_detail_metadata': {
        const limits = readLimits(frame.limits_progress ?? (isRecord(frame.metadata) ? frame.metadata.limits_progress : undefined));
        if (limits !== null) out.push({ type: 'limits', limits });
        return;
      }
      case 'stream_handoff':
        out.push({ type: 'handoff' });
        return;
      default:
        // input_message, message_marker, server_ste_metadata, resume_conversation_token,
        // url_moderation and anything new: nothing the client shows.
        return;
    }
  }

  // ---- legacy frames ----------------------------------------------------------------

  private handleLegacyFrame(frame: JsonObject, out: UpstreamEvent[]): void {
    const message = frame.message;
    let tracked: TrackedMessage | null = null;
    if (isRecord(message)) {
      if (this._encoding === null) this._encoding = 'legacy';
      const id = typeof message.id === 'string' ? message.id : '';
      tracked = this.legacyMessages.get(id) ?? null;
      if (tracked === null) {
        tracked = newTracked();
        this.legacyMessages.set(id, tracked);
      }
    }
    this.flushPendingFinish(tracked, out);
    this.noteConversationId(frame.conversation_id, out);
    if (tracked !== null) this.afterMessageUpdate(tracked, message as JsonObject, out, null);

    const error = frame.error;
    const code = typeof frame.error_code === 'string' ? frame.error_code : null;
    if ((error !== undefined && error !== null) || code !== null) {
      const event = errorEvent(error, code);
      // Legacy streams may repeat the error frame; report it once.
      const key = `${event.message}\u0000${event.code ?? ''}`;
      if (key !== this.lastLegacyError) {
        this.lastLegacyError = key;
        out.push(event);
      }
    }
  }

  // ---- v1 delta frames --------------------------------------------------------------

  private handleDelta(frame: JsonObject, out: UpstreamEvent[]): void {
    if (this._encoding === null) this._encoding = 'v1';
    const hasP = typeof frame.p === 'string';
    const hasO = typeof frame.o === 'string';
    const p = hasP ? (frame.p as string) : null;
    const o = hasO ? (frame.o as string) : null;

    // A new document: `add` at "" or, in later streams, `{"v": {...}, "c": N}` with no p.
    const startsDocument =
      (o === 'add' && p === '') || (typeof frame.c === 'number' && (p === null || p === '') && (o === null || o === 'add'));
    if (startsDocument) {
      this.flushPendingFinish(null, out);
      this.doc = { value: frame.v };
      this.docTrack = newTracked();
      this.cursorPointer = null;
      this.cursorPath = null;
      this.cursorOp = null;
      this.afterDocumentUpdate(out, null);
      return;
    }

    // Sticky cursor: missing p/o reuse the previous ones. A bare patch has absolute
    // sub-paths, so its missing p means the root, not the previous pointer.
    const op = o ?? this.cursorOp;
    const pointer = p ?? (o === 'patch' ? '' : this.cursorPointer);
    if (op === null || pointer === null) {
      this._failedOperations++;
      return;
    }
    let path: string[] | null;
    if (pointer === this.cursorPointer && this.cursorPath !== null) path = this.cursorPath;
    else path = parsePointer(pointer);
    this.cursorOp = op;
    this.cursorPointer = pointer;
    this.cursorPath = path;
    if (path === null) {
      this._failedOperations++;
      return;
    }

    if (this.doc === null) {
      // Operations before any document (a root error, say) still need somewhere to land.
      this.doc = { value: {} };
      this.docTrack = newTracked();
    }
    this.flushPendingFinish(this.docTrack, out);
    const failed = applyPatchOrOperation(this.doc, pointer, path, op, frame.v);
    this._failedOperations += failed;
    const appended = failed === 0 && op === 'append' && typeof frame.v === 'string' ? frame.v : null;
    this.afterDocumentUpdate(out, appended);
  }

  /** `appended`: the string this frame's single append added (fast path for the text delta). */
  private afterDocumentUpdate(out: UpstreamEvent[], appended: string | null): void {
    const root = this.doc?.value;
    if (!isRecord(root)) return;
    this.noteConversationId(root.conversation_id, out);
    const message = root.message;
    const tracked = this.docTrack;
    if (isRecord(message)) this.afterMessageUpdate(tracked, message, out, appended);
    if (!tracked.errorReported) {
      const code = typeof root.error_code === 'string' ? root.error_code : null;
      const error = root.error;
      if ((error !== undefined && error !== null) || code !== null) {
        tracked.errorReported = true;
        out.push(errorEvent(error, code));
      }
    }
  }

  // ---- shared -----------------------------------------------------------------------

  private afterMessageUpdate(tracked: TrackedMessage, message: JsonObject, out: UpstreamEvent[], appended: string | null): void {
    const category = classifyMessage(message);
    if (this.tools && (category === 'tool' || category === 'answer')) {
      // Sources first: a citation marker arriving in this frame's text can then be resolved at once.
      tracked.tool ??= newToolTrafficState();
      takeToolEvents(message, tracked.tool, out, appended, category === 'answer');
    }
    if (category !== 'answer' && category !== 'reasoning') return;
    const messageId = typeof message.id === 'string' ? message.id : '';
    tracked.messageId = messageId;
    if (category === 'answer' && messageId.length > 0) this._answerMessageId = messageId;

    const startedBefore = tracked.text.emitted;
    let delta = takeNewText(message, tracked.text, appended);
    if (delta.length > 0) {
      if (!startedBefore) {
        if (this.channelHasText[category]) delta = MESSAGE_SEPARATOR + delta;
        this.channelHasText[category] = true;
      }
      out.push({ type: 'text', channel: category, delta, messageId });
    }
    if (category === 'answer') this.checkFinished(tracked, message, out);
  }

  /**
   * finish_details decides at once. Status finished_successfully with end_turn true but
   * no finish_details yet waits for the next frame: finish_details (with the real
   * reason, e.g. max_tokens) usually lands in the same patch, but may follow in its own.
   * finish_details 'stop' on a message with end_turn false is an intermediate message.
   */
  private checkFinished(tracked: TrackedMessage, message: JsonObject, out: UpstreamEvent[]): void {
    if (tracked.finished) return;
    const metadata = message.metadata;
    const details = isRecord(metadata) ? metadata.finish_details : undefined;
    if (isRecord(details)) {
      const reason = finishReason(details.type);
      if (reason === 'stop' && message.end_turn === false) return;
      this.emitFinished(tracked, reason, out);
      return;
    }
    if (message.status === 'finished_successfully' && message.end_turn === true && !tracked.finishPending) {
      tracked.finishPending = true;
      this.pendingFinish = tracked;
    }
  }

  private emitFinished(tracked: TrackedMessage, reason: FinishReason, out: UpstreamEvent[]): void {
    tracked.finished = true;
    tracked.finishPending = false;
    if (this.pendingFinish === tracked) this.pendingFinish = null;
    out.push({ type: 'answer_finished', messageId: tracked.messageId, reason });
  }

  /** Settles a deferred finish unless the coming frame targets that same message. */
  private flushPendingFinish(next: TrackedMessage | null, out: UpstreamEvent[]): void {
    const pending = this.pendingFinish;
    if (pending === null || pending === next) return;
    this.pendingFinish = null;
    if (!pending.finished) this.emitFinished(pending, 'stop', out);
  }

  private noteConversationId(id: unknown, out: UpstreamEvent[]): void {
    if (typeof id === 'string' && id.length > 0 && id !== this._conversationId) {
      this._conversationId = id;
      out.push({ type: 'conversation', conversationId: id });
    }
  }
}

type ErrorEvent = Extract<UpstreamEvent, { type: 'error' }>;

function errorEvent(error: unknown, code: string | null): ErrorEvent {
  let message: string | null = null;
  if (typeof error === 'string') message = error;
  else if (isRecord(error)) {
    if (typeof error.message === 'string') message = error.message;
    if (code === null && typeof error.code === 'string') code = error.code;
  }
  return { type: 'error', message: message ?? code ?? 'upstream error', code };
}

function readLimits(value: unknown): LimitProgress[] | null {
  if (!Array.isArray(value)) return null;
  const limits: LimitProgress[] = [];
  for (const item of value) {
    if (!isRecord(item)) continue;
    const feature = typeof item.feature_name === 'string' ? item.feature_name : typeof item.feature === 'string' ? item.feature : null;
    if (feature === null) continue;
    limits.push({
      feature,
      remaining: typeof item.remaining === 'number' ? item.remaining : null,
      resetAfter: typeof item.reset_after === 'string' ? item.reset_after : null,
    });
  }
  return limits;
}
