import { SseParser } from '../sse-parser.js';
import type { SseEvent } from '../types.js';
import { isObject } from './json.js';
import type { JsonObject, ResponseError, ResponseItem, ResponseStreamEvent, ResponseUsage } from './responses-types.js';

/** The upstream's stream could not be read as Responses events (not JSON, no type). */
export class ResponsesStreamError extends Error {
  override readonly name = 'ResponsesStreamError';
}

/**
 * Responses API server-sent events, from bytes as they arrive (chunked anywhere) to parsed events.
 * The `type` comes from the JSON; an event without one takes the SSE `event:` name. `[DONE]` (which
 * some relays add) is skipped.
 */
export class ResponsesEventReader {
  private readonly sse = new SseParser();

  push(chunk: Uint8Array | string): ResponseStreamEvent[] {
    return this.parse(this.sse.push(chunk));
  }

  end(): ResponseStreamEvent[] {
    return this.parse(this.sse.end());
  }

  private parse(events: SseEvent[]): ResponseStreamEvent[] {
    const out: ResponseStreamEvent[] = [];
    for (const { event, data } of events) {
      if (data === '[DONE]') continue;
      let parsed: unknown;
      try {
        parsed = JSON.parse(data);
      } catch {
        throw new ResponsesStreamError(`The upstream sent an event that is not JSON (${event ?? 'no event name'}).`);
      }
      if (!isObject(parsed)) throw new ResponsesStreamError('The upstream sent an event that is not a JSON object.');
      const type = typeof parsed.type === 'string' ? parsed.type : event;
      if (!type) throw new ResponsesStreamError('The upstream sent an event without a type.');
      out.push({ ...parsed, type });
    }
    return out;
  }
}

/** How a Responses stream ended. `truncated`: the stream stopped before any terminal event. */
export type ResponsesEndStatus = 'completed' | 'incomplete' | 'failed' | 'error' | 'truncated';

export interface AccumulatedResponse {
  status: ResponsesEndStatus;
  /** The terminal event's response (the last lifecycle snapshot when truncated), `output` rebuilt; null if none came. */
  response: JsonObject | null;
  /** The output items in output order: the terminal response's own, or rebuilt from the streamed items. */
  output: ResponseItem[];
  usage: ResponseUsage | null;
  /** `response.failed`'s error, an `error` event's, or a note for a truncated stream. */
  error: (ResponseError & { param?: string | null }) | null;
  /** Why an incomplete response stopped (`max_output_tokens`, `content_filter`). */
  incompleteReason: string | null;
}

/** One output item being gathered: its place in the output, the item so far, whether `.done` came. */
export interface OutputSlot {
  index: number;
  item: JsonObject;
  done: boolean;
}

/**
 * Rebuilds the final Response from a Responses event stream (reference §4.1). `response.output_item.done`
 * is the authoritative item; the deltas only stand in for an item whose `.done` never came (a cut
 * stream). When the terminal event's `output` is empty (the Codex backend's store=false quirk), the
 * output is rebuilt from the items, ordered by `output_index`. Events without `output_index`/`item_id`
 * (seen in Codex's own test fixtures) go to the most recent item, in arrival order.
 */
export class ResponseAccumulator {
  private readonly slots: OutputSlot[] = [];
  private snapshot: JsonObject | null = null;
  private terminal: { status: Exclude<ResponsesEndStatus, 'truncated'>; response: JsonObject | null; error: AccumulatedResponse['error'] } | null = null;

  /** A terminal event (completed, incomplete, failed, error) has arrived. */
  get finished(): boolean {
    return this.terminal !== null;
  }

  /** Applies one event; returns the output item it concerned, if any. */
  push(event: ResponseStreamEvent): OutputSlot | undefined {
    if (this.terminal) return undefined;
    switch (event.type) {
      case 'response.created':
      case 'response.in_progress':
      case 'response.queued':
        if (isObject(event.response)) this.snapshot = event.response;
        return undefined;
      case 'response.completed':
        return this.end('completed', event);
      case 'response.incomplete':
        return this.end('incomplete', event);
      case 'response.failed': {
        const response = isObject(event.response) ? event.response : null;
        this.terminal = { status: 'failed', response, error: errorOf(response?.error) ?? { code: 'server_error', message: 'The upstream reported a failure without details.' } };
        return undefined;
      }
      case 'error':
        this.terminal = { status: 'error', response: this.snapshot, error: errorOf(isObject(event.error) ? event.error : event) ?? { code: 'server_error', message: 'The upstream reported an error without details.' } };
        return undefined;
      case 'response.output_item.added':
        return this.added(event);
      case 'response.output_item.done':
        return this.itemDone(event);
      default:
        return this.delta(event);
    }
  }

  /** The items seen so far (finished or not), in output order. */
  items(): ResponseItem[] {
    return [...this.slots].sort((a, b) => a.index - b.index).map((slot) => slot.item as ResponseItem);
  }

  /** The items begun but not finished (no `.done` yet), in output order: what a local cut must close. */
  openSlots(): OutputSlot[] {
    return this.slots.filter((slot) => !slot.done).sort((a, b) => a.index - b.index);
  }

  /** The item a content event refers to (by `output_index`, else `item_id`, else the latest). */
  private slotFor(event: ResponseStreamEvent): OutputSlot | undefined {
    if (typeof event.output_index === 'number') {
      const byIndex = this.slots.find((s) => s.index === event.output_index);
      if (byIndex) return byIndex;
    }
    if (typeof event.item_id === 'string') {
      const byId = this.slots.find((s) => s.item.id === event.item_id);
      if (byId) return byId;
    }
    return this.slots[this.slots.length - 1];
  }

  result(): AccumulatedResponse {
    const terminal = this.terminal ?? { status: 'truncated' as const, response: this.snapshot, error: { code: 'stream_truncated', message: 'The upstream stream ended before the response was complete.' } };
    const own = terminal.response?.output;
    const output = Array.isArray(own) && own.length > 0 ? (own as ResponseItem[]) : this.items();
    const response = terminal.response ? { ...terminal.response, output } : null;
    const incomplete = terminal.response?.incomplete_details;
    return {
      status: terminal.status,
      response,
      output,
      usage: usageOf(terminal.response?.usage),
      error: terminal.error,
      incompleteReason: isObject(incomplete) && typeof incomplete.reason === 'string' ? incomplete.reason : null,
    };
  }

  private end(status: 'completed' | 'incomplete', event: ResponseStreamEvent): undefined {
    this.terminal = { status, response: isObject(event.response) ? event.response : this.snapshot, error: null };
    return undefined;
  }

  private nextIndex(): number {
    return this.slots.reduce((max, s) => Math.max(max, s.index + 1), 0);
  }

  private added(event: ResponseStreamEvent): OutputSlot | undefined {
    if (!isObject(event.item)) return undefined;
    const index = typeof event.output_index === 'number' ? event.output_index : this.nextIndex();
    const existing = this.slots.find((s) => s.index === index);
    const slot = { index, item: structuredClone(event.item), done: false };
    if (existing) return Object.assign(existing, slot);
    this.slots.push(slot);
    return slot;
  }

  private itemDone(event: ResponseStreamEvent): OutputSlot | undefined {
    if (!isObject(event.item)) return undefined;
    const item = structuredClone(event.item);
    const slot =
      (typeof event.output_index === 'number' ? this.slots.find((s) => s.index === event.output_index) : undefined) ??
      (typeof item.id === 'string' ? this.slots.find((s) => s.item.id === item.id && !s.done) : undefined) ??
      (typeof event.output_index !== 'number' && typeof item.id !== 'string' ? this.slots.find((s) => !s.done && s.item.type === item.type) : undefined);
    if (slot) {
      slot.item = item;
      slot.done = true;
      return slot;
    }
    const fresh = { index: typeof event.output_index === 'number' ? event.output_index : this.nextIndex(), item, done: true };
    this.slots.push(fresh);
    return fresh;
  }

  /** Content events: applied to an unfinished item only (the `.done` item is authoritative). */
  private delta(event: ResponseStreamEvent): OutputSlot | undefined {
    const slot = this.slotFor(event);
    if (!slot || slot.done) return slot;
    const item = slot.item;
    const contentIndex = typeof event.content_index === 'number' ? event.content_index : 0;
    const summaryIndex = typeof event.summary_index === 'number' ? event.summary_index : 0;
    const text = (value: unknown) => (typeof value === 'string' ? value : '');
    switch (event.type) {
      case 'response.content_part.added':
        if (isObject(event.part)) listOf(item, 'content')[contentIndex] = structuredClone(event.part);
        return slot;
      case 'response.output_text.delta': {
        const part = partAt(item, 'content', contentIndex, { type: 'output_text', text: '', annotations: [] });
        part.text = text(part.text) + text(event.delta);
        return slot;
      }
      case 'response.output_text.done':
        partAt(item, 'content', contentIndex, { type: 'output_text', text: '', annotations: [] }).text = text(event.text);
        return slot;
      case 'response.refusal.delta': {
        const part = partAt(item, 'content', contentIndex, { type: 'refusal', refusal: '' });
        part.refusal = text(part.refusal) + text(event.delta);
        return slot;
      }
      case 'response.function_call_arguments.delta':
        item.arguments = text(item.arguments) + text(event.delta);
        return slot;
      case 'response.function_call_arguments.done':
        item.arguments = text(event.arguments);
        return slot;
      case 'response.custom_tool_call_input.delta':
        item.input = text(item.input) + text(event.delta);
        return slot;
      case 'response.reasoning_summary_part.added':
        if (isObject(event.part)) listOf(item, 'summary')[summaryIndex] = structuredClone(event.part);
        return slot;
      case 'response.reasoning_summary_text.delta': {
        const part = partAt(item, 'summary', summaryIndex, { type: 'summary_text', text: '' });
        part.text = text(part.text) + text(event.delta);
        return slot;
      }
      case 'response.reasoning_text.delta': {
        const part = partAt(item, 'content', contentIndex, { type: 'reasoning_text', text: '' });
        part.text = text(part.text) + text(event.delta);
        return slot;
      }
      default:
        return slot;
    }
  }
}

function listOf(item: JsonObject, key: string): JsonObject[] {
  if (!Array.isArray(item[key])) item[key] = [];
  return item[key] as JsonObject[];
}

function partAt(item: JsonObject, key: string, index: number, fresh: JsonObject): JsonObject {
  const list = listOf(item, key);
  if (!isObject(list[index])) list[index] = fresh;
  return list[index];
}

function errorOf(value: unknown): AccumulatedResponse['error'] {
  if (!isObject(value)) return null;
  const message = typeof value.message === 'string' ? value.message : null;
  // The nested form (`{error: {type, code, message}}`) may have only a type; the top-level `error` event's type is 'error'.
  const code = typeof value.code === 'string' ? value.code : typeof value.type === 'string' && value.type !== 'error' ? value.type : null;
  if (message === null && code === null) return null;
  return { code: code ?? 'server_error', message: message ?? code ?? '', ...(typeof value.param === 'string' ? { param: value.param } : {}) };
}

/** The upstream's usage with absent or null details as zeros (Codex sends `input_tokens_details: null`). */
export function usageOf(value: unknown): ResponseUsage | null {
  if (!isObject(value)) return null;
  const count = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
  const input = count(value.input_tokens);
  const output = count(value.output_tokens);
  const inputDetails = isObject(value.input_tokens_details) ? value.input_tokens_details : {};
  const outputDetails = isObject(value.output_tokens_details) ? value.output_tokens_details : {};
  return {
    input_tokens: input,
    input_tokens_details: { cached_tokens: count(inputDetails.cached_tokens) },
    output_tokens: output,
    output_tokens_details: { reasoning_tokens: count(outputDetails.reasoning_tokens) },
    total_tokens: typeof value.total_tokens === 'number' ? value.total_tokens : input + output,
  };
}
