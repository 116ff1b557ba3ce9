import type { ChatFinishReason } from '@chatgate/contracts';
import type { ChatUsageCounts } from './chat-completion-format.js';
import { errorEventFields, responseEchoOf, responseEventFrame, responseObject, type ResponseObjectInit } from './response-object.js';
import { randomResponseIds, type ResponseIdFactory } from './response-ids.js';
import type { ItemStatus, JsonObject, ResponseError, ResponseItem, ResponseObject, ResponseStatus, ResponseUsage } from './responses-types.js';

/**
 * Public Responses API events from normalised deltas (text, reasoning summary, function calls, an end
 * or a failure), for upstreams that do not speak Responses themselves (the ChatGPT web backend).
 *
 * The order is the one the SDK stream helpers require (reference §6.3; openai-node's
 * ResponseAccumulator throws otherwise): `response.created` first, then `response.in_progress`; an
 * item's `output_item.added` before anything about it; a message's `content_part.added` before its
 * text deltas; each item closed (`.done` events, `output_item.done`) before the next opens; then
 * `response.completed` (or `response.incomplete`) carrying the whole output and usage. Every event has
 * a `sequence_number` from 0; there is no `[DONE]`. A failure is an `error` event then `response.failed`.
 *
 * Each method returns the SSE text to write ('' when there is none); `response()` is the Response
 * object at any point, the whole answer for a non-streamed request.
 */

export interface ResponsesEventWriterInit {
  model: string;
  /** The client's request: the Response object repeats its settings. */
  request?: JsonObject;
  id?: string;
  /** Unix seconds; now by default. */
  createdAt?: number;
  ids?: ResponseIdFactory;
}

export interface ResponseEnd {
  status: 'completed' | 'incomplete';
  usage: ResponseUsage | null;
  /** For `incomplete`: `max_output_tokens` or `content_filter`. */
  incompleteReason?: string;
}

type OpenItem =
  | { kind: 'message'; index: number; id: string; text: string }
  | { kind: 'reasoning'; index: number; id: string; text: string }
  | { kind: 'function_call'; index: number; id: string; callId: string; name: string; arguments: string };

export class ResponsesEventWriter {
  private readonly init: ResponseObjectInit;
  private readonly ids: ResponseIdFactory;
  private sequence = 0;
  private started = false;
  private status: ResponseStatus = 'in_progress';
  private readonly output: ResponseItem[] = [];
  private open: OpenItem | null = null;
  private usage: ResponseUsage | null = null;
  private error: ResponseError | null = null;
  private incompleteReason: string | null = null;

  constructor(init: ResponsesEventWriterInit) {
    this.ids = init.ids ?? randomResponseIds;
    this.init = {
      id: init.id ?? this.ids.response(),
      model: init.model,
      createdAt: init.createdAt ?? Math.floor(Date.now() / 1000),
      echo: responseEchoOf(init.request ?? {}),
    };
  }

  get id(): string {
    return this.init.id;
  }

  /** The stream has ended (completed, incomplete or failed): later calls write nothing. */
  get ended(): boolean {
    return this.status !== 'in_progress';
  }

  /** `response.created` and `response.in_progress` (written by the first delta if not called). */
  start(): string {
    if (this.started) return '';
    this.started = true;
    const response = this.response();
    return this.frame('response.created', { response }) + this.frame('response.in_progress', { response });
  }

  /** Answer text. */
  text(delta: string): string {
    if (this.ended || delta === '') return '';
    let out = this.start();
    if (this.open?.kind !== 'message') {
      out += this.closeOpen('completed');
      const item = { kind: 'message' as const, index: this.output.length, id: this.ids.message(), text: '' };
      this.open = item;
      this.output.push(this.messageItem(item, 'in_progress', false));
      out += this.frame('response.output_item.added', { output_index: item.index, item: this.messageItem(item, 'in_progress', false) });
      out += this.frame('response.content_part.added', { item_id: item.id, output_index: item.index, content_index: 0, part: textPart('') });
    }
    const item = this.open as Extract<OpenItem, { kind: 'message' }>;
    item.text += delta;
    return out + this.frame('response.output_text.delta', { item_id: item.id, output_index: item.index, content_index: 0, delta, logprobs: [] });
  }

  /** Reasoning, as the summary of a reasoning item (what clients show as "thinking"). */
  reasoning(delta: string): string {
    if (this.ended || delta === '') return '';
    let out = this.start();
    if (this.open?.kind !== 'reasoning') {
      out += this.closeOpen('completed');
      const item = { kind: 'reasoning' as const, index: this.output.length, id: this.ids.reasoning(), text: '' };
      this.open = item;
      this.output.push({ id: item.id, type: 'reasoning', summary: [] });
      out += this.frame('response.output_item.added', { output_index: item.index, item: { id: item.id, type: 'reasoning', summary: [] } });
      out += this.frame('response.reasoning_summary_part.added', { item_id: item.id, output_index: item.index, summary_index: 0, part: { type: 'summary_text', text: '' } });
    }
    const item = this.open as Extract<OpenItem, { kind: 'reasoning' }>;
    item.text += delta;
    return out + this.frame('response.reasoning_summary_text.delta', { item_id: item.id, output_index: item.index, summary_index: 0, delta });
  }

  /** A function call begins (its arguments follow with `functionCallArguments`). Returns the frames; the call id is `callId()`'s. */
  functionCallStart(call: { name: string; callId?: string }): string {
    if (this.ended) return '';
    let out = this.start() + this.closeOpen('completed');
    const item = { kind: 'function_call' as const, index: this.output.length, id: this.ids.functionCall(), callId: call.callId ?? this.ids.callId(), name: call.name, arguments: '' };
    this.open = item;
    this.output.push(this.functionCallItem(item, 'in_progress'));
    out += this.frame('response.output_item.added', { output_index: item.index, item: this.functionCallItem(item, 'in_progress') });
    return out;
  }

  /** The call id of the function call being written (for the caller's records). */
  callId(): string | null {
    return this.open?.kind === 'function_call' ? this.open.callId : null;
  }

  functionCallArguments(delta: string): string {
    if (this.ended || this.open?.kind !== 'function_call' || delta === '') return '';
    this.open.arguments += delta;
    return this.frame('response.function_call_arguments.delta', { item_id: this.open.id, output_index: this.open.index, delta });
  }

  /** Closes the function call; `finalArguments`, when given, is authoritative (what the model finished with). */
  functionCallDone(finalArguments?: string): string {
    if (this.ended || this.open?.kind !== 'function_call') return '';
    if (finalArguments !== undefined) this.open.arguments = finalArguments;
    return this.closeOpen('completed');
  }

  /** The answer is over: closes what is open, then `response.completed` or `response.incomplete` with the whole output. */
  end(end: ResponseEnd): string {
    if (this.ended) return '';
    let out = this.start() + this.closeOpen(end.status === 'completed' ? 'completed' : 'incomplete');
    this.status = end.status;
    this.usage = end.usage;
    this.incompleteReason = end.status === 'incomplete' ? (end.incompleteReason ?? 'max_output_tokens') : null;
    out += this.frame(end.status === 'completed' ? 'response.completed' : 'response.incomplete', { response: this.response() });
    return out;
  }

  /** A failure after the stream began: an `error` event, then `response.failed` with what was written so far. */
  fail(error: { code: string; message: string; type?: string; param?: string | null }): string {
    if (this.ended) return '';
    let out = this.start() + this.closeOpen('incomplete');
    this.status = 'failed';
    this.error = { code: error.code, message: error.message };
    out += this.frame('error', errorEventFields(error));
    out += this.frame('response.failed', { response: this.response() });
    return out;
  }

  /** The Response object as it stands (after `end`, the whole non-streamed answer). */
  response(): ResponseObject {
    return responseObject(this.init, {
      status: this.status,
      output: structuredClone(this.output),
      usage: this.usage,
      error: this.error,
      incompleteReason: this.incompleteReason,
    });
  }

  private frame(type: string, fields: JsonObject): string {
    return responseEventFrame(type, this.sequence++, fields);
  }

  /** The `.done` events of the open item, which then takes its final place in the output. */
  private closeOpen(status: ItemStatus): string {
    const item = this.open;
    if (!item) return '';
    this.open = null;
    let out = '';
    let done: ResponseItem;
    switch (item.kind) {
      case 'message':
        out += this.frame('response.output_text.done', { item_id: item.id, output_index: item.index, content_index: 0, text: item.text, logprobs: [] });
        out += this.frame('response.content_part.done', { item_id: item.id, output_index: item.index, content_index: 0, part: textPart(item.text) });
        done = this.messageItem(item, status, true);
        break;
      case 'reasoning': {
        const part = { type: 'summary_text' as const, text: item.text };
        out += this.frame('response.reasoning_summary_text.done', { item_id: item.id, output_index: item.index, summary_index: 0, text: item.text });
        out += this.frame('response.reasoning_summary_part.done', { item_id: item.id, output_index: item.index, summary_index: 0, part });
        done = { id: item.id, type: 'reasoning', summary: [part] };
        break;
      }
      case 'function_call':
        out += this.frame('response.function_call_arguments.done', { item_id: item.id, output_index: item.index, name: item.name, arguments: item.arguments });
        done = this.functionCallItem(item, status);
        break;
    }
    this.output[item.index] = done;
    return out + this.frame('response.output_item.done', { output_index: item.index, item: done });
  }

  private messageItem(item: Extract<OpenItem, { kind: 'message' }>, status: ItemStatus, withContent: boolean): ResponseItem {
    return { id: item.id, type: 'message', status, content: withContent ? [textPart(item.text)] : [], role: 'assistant' } as ResponseItem;
  }

  private functionCallItem(item: Extract<OpenItem, { kind: 'function_call' }>, status: ItemStatus): ResponseItem {
    return { id: item.id, type: 'function_call', status, arguments: item.arguments, call_id: item.callId, name: item.name };
  }
}

function textPart(text: string) {
  return { type: 'output_text' as const, annotations: [], logprobs: [], text };
}

/** A chat job's end (ChatGPT web backend) in Responses terms: length → incomplete max_output_tokens, content_filter → incomplete content_filter. */
export function responseEndOf(finishReason: ChatFinishReason, usage: ChatUsageCounts | null): ResponseEnd {
  const responseUsage = usage ? responseUsageOf(usage) : null;
  if (finishReason === 'length') return { status: 'incomplete', usage: responseUsage, incompleteReason: 'max_output_tokens' };
  if (finishReason === 'content_filter') return { status: 'incomplete', usage: responseUsage, incompleteReason: 'content_filter' };
  return { status: 'completed', usage: responseUsage };
}

export function responseUsageOf(usage: ChatUsageCounts): ResponseUsage {
  return {
    input_tokens: usage.prompt_tokens,
    input_tokens_details: { cached_tokens: usage.cached_tokens ?? 0 },
    output_tokens: usage.completion_tokens,
    output_tokens_details: { reasoning_tokens: usage.reasoning_tokens },
    total_tokens: usage.total_tokens,
  };
}
