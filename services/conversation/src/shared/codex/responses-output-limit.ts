import { ResponseAccumulator, type JsonObject, type OutputSlot, type ResponseStreamEvent, type TextChannel } from '@chatgate/protocol';
import { TokenBudget } from '../text/token-budget.js';

/** The deltas that spend the limit, and on which channel (reasoning counts: every Codex model reasons). */
const SPENDING: Record<string, TextChannel> = {
  'response.output_text.delta': 'answer',
  'response.refusal.delta': 'answer',
  'response.reasoning_summary_text.delta': 'reasoning',
  'response.reasoning_text.delta': 'reasoning',
};

const TERMINAL = new Set(['response.completed', 'response.incomplete', 'response.failed', 'error']);

/**
 * `max_output_tokens` on the Codex backend, which refuses the field: the upstream's Responses events
 * pass until answer and reasoning together hold the limit's tokens (counted as chat's `max_tokens`
 * on Codex is, TokenBudget, o200k), the delta that crosses it is cut to what fits, and every item
 * then open is closed (its text `.done`, its part `.done`, `output_item.done` with `status:
 * incomplete`), so the client has the whole cut answer at once. Nothing more of the upstream goes
 * out; it is read to its end all the same, so that its terminal event, turned into
 * `response.incomplete` (`incomplete_details: {reason: 'max_output_tokens'}`), carries the upstream's
 * own usage. A stream that breaks after the cut still ends incomplete (`finish()`), without usage.
 */
export class ResponsesOutputLimit {
  private readonly budget: TokenBudget;
  private readonly items = new ResponseAccumulator();
  private snapshot: JsonObject | null = null;
  private ended = false;
  /** The limit was reached: the answer was cut. */
  cut = false;

  constructor(limit: number) {
    this.budget = new TokenBudget(limit);
  }

  /** The events to relay for one upstream event (none, it, or it cut and the closing of what is open). */
  push(event: ResponseStreamEvent): ResponseStreamEvent[] {
    if (this.ended) return [];
    if (isObject(event.response) && !TERMINAL.has(event.type)) this.snapshot = event.response;
    if (this.cut) {
      if (!TERMINAL.has(event.type)) return [];
      // The upstream's end, whatever it was: the cut answer is complete up to the limit.
      return [this.incomplete(isObject(event.response) && event.type !== 'response.failed' ? event.response : null)];
    }
    const channel = SPENDING[event.type];
    if (!channel || typeof event.delta !== 'string') {
      if (TERMINAL.has(event.type)) this.ended = true;
      this.items.push(event);
      return [event];
    }
    const kept = this.budget.take(channel, event.delta);
    if (!this.budget.exhausted) {
      this.items.push(event);
      return [event];
    }
    this.cut = true;
    const out: ResponseStreamEvent[] = [];
    if (kept !== '') {
      const shortened = { ...event, delta: kept };
      this.items.push(shortened);
      out.push(shortened);
    }
    for (const slot of this.items.openSlots()) out.push(...closing(slot));
    return out;
  }

  /** The upstream stream ended (or broke) after the cut without a terminal event: `response.incomplete` without usage. */
  finish(): ResponseStreamEvent[] {
    if (!this.cut || this.ended) return [];
    return [this.incomplete(null)];
  }

  private incomplete(upstream: JsonObject | null): ResponseStreamEvent {
    this.ended = true;
    const response: JsonObject = { ...(this.snapshot ?? {}), ...(upstream ?? {}) };
    if (!upstream) delete response.usage;
    // Empty: the output is rebuilt from the items that went out (the cut ones), not the upstream's whole answer.
    return { type: 'response.incomplete', response: { ...response, status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' }, output: [], error: null } };
  }
}

/** The events that finish an item the cut left open, with what it holds so far. */
function closing(slot: OutputSlot): ResponseStreamEvent[] {
  const item = structuredClone(slot.item);
  const base = { output_index: slot.index, ...(typeof item.id === 'string' ? { item_id: item.id } : {}) };
  const out: ResponseStreamEvent[] = [];
  if (item.type === 'message' && Array.isArray(item.content)) {
    item.content.forEach((part, content_index) => {
      if (!isObject(part)) return;
      if (part.type === 'output_text') out.push({ type: 'response.output_text.done', ...base, content_index, text: typeof part.text === 'string' ? part.text : '', logprobs: [] });
      if (part.type === 'refusal') out.push({ type: 'response.refusal.done', ...base, content_index, refusal: typeof part.refusal === 'string' ? part.refusal : '' });
      out.push({ type: 'response.content_part.done', ...base, content_index, part });
    });
  }
  if (item.type === 'reasoning' && Array.isArray(item.summary)) {
    item.summary.forEach((part, summary_index) => {
      if (!isObject(part)) return;
      out.push({ type: 'response.reasoning_summary_text.done', ...base, summary_index, text: typeof part.text === 'string' ? part.text : '' });
      out.push({ type: 'response.reasoning_summary_part.done', ...base, summary_index, part });
    });
  }
  if (item.type !== 'reasoning') item.status = 'incomplete';
  out.push({ type: 'response.output_item.done', output_index: slot.index, item });
  return out;
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
