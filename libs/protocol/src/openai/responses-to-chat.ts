import {
  chatCompletionObject,
  toOpenAIUsage,
  type ChatCompletionFinishReason,
  type ChatUsageCounts,
  type ChunkEncoder,
  type CompletedToolCall,
  type CompletionChoice,
  type CompletionIdentity,
} from './chat-completion-format.js';
import { isObject } from './json.js';
import { ResponseAccumulator, type AccumulatedResponse } from './responses-stream.js';
import type { JsonObject, ResponseError, ResponseItem, ResponseStreamEvent, ResponseUsage } from './responses-types.js';

/**
 * A Responses answer in chat completions terms (the way back of `chatToResponsesRequest`; reference
 * §4.2, CLIProxyAPI's mapping):
 * - output_text deltas → `delta.content`; refusal deltas → `delta.refusal`;
 * - reasoning summary (and raw reasoning) deltas → `delta.reasoning_content`, summary parts joined by a blank line;
 * - a function_call item → a `tool_calls` chunk with id (= call_id), type and name, then its argument deltas;
 * - the end → `finish_reason`: tool_calls when the answer called a tool, length for an incomplete
 *   `max_output_tokens` answer, content_filter for a filtered one, else stop.
 * Items whose deltas never came (only `.done`, as Codex's own fixtures send them) are still said whole
 * when they finish; `.done` is authoritative, so arguments or text it adds are sent as a last delta.
 */

export type ChatStreamOutcome =
  | { kind: 'finished'; finishReason: ChatCompletionFinishReason; usage: ChatUsageCounts | null }
  | { kind: 'failed'; error: ResponseError };

interface ToolCallState {
  index: number;
  sentArguments: string;
}

/** One choice of a streamed chat completion, from one Responses stream. Several share one encoder for n > 1. */
export class ResponsesToChatStream {
  private readonly accumulator = new ResponseAccumulator();
  private roleSent = false;
  private readonly toolCalls = new Map<number, ToolCallState>();
  /** Text already sent per message item (by output index), to send only what `.done` adds. */
  private readonly textSent = new Map<number, string>();
  private readonly reasoningSeen = new Set<number>();
  private lastReasoningPart: string | null = null;
  private finalOutcome: ChatStreamOutcome | null = null;

  constructor(
    private readonly encoder: ChunkEncoder,
    private readonly choice = 0,
  ) {}

  /** Set once the stream ended (a terminal event, or `end()`). */
  get outcome(): ChatStreamOutcome | null {
    return this.finalOutcome;
  }

  /** The answer as gathered so far (output rebuilt from the items). */
  result(): AccumulatedResponse {
    return this.accumulator.result();
  }

  /** The chunk frames this event produces ('' for none). After the terminal event, nothing. */
  push(event: ResponseStreamEvent): string {
    if (this.finalOutcome) return '';
    const slot = this.accumulator.push(event);
    switch (event.type) {
      case 'response.output_item.added':
        return isObject(event.item) && event.item.type === 'function_call' && slot ? this.toolCallStarted(slot.index, event.item) : '';
      case 'response.output_text.delta':
        if (!slot || typeof event.delta !== 'string' || event.delta === '') return '';
        this.textSent.set(slot.index, (this.textSent.get(slot.index) ?? '') + event.delta);
        return this.role() + this.encoder.delta(event.delta, undefined, this.choice);
      case 'response.refusal.delta':
        return typeof event.delta === 'string' && event.delta !== '' ? this.role() + this.encoder.refusal(event.delta, this.choice) : '';
      case 'response.reasoning_summary_text.delta':
      case 'response.reasoning_text.delta': {
        if (!slot || typeof event.delta !== 'string' || event.delta === '') return '';
        const part = `${slot.index}:${event.type}:${String(event.summary_index ?? event.content_index ?? 0)}`;
        return this.reasoning(slot.index, part, event.delta);
      }
      case 'response.function_call_arguments.delta': {
        const call = slot ? this.toolCalls.get(slot.index) : undefined;
        if (!call || typeof event.delta !== 'string' || event.delta === '') return '';
        call.sentArguments += event.delta;
        return this.encoder.toolCallArguments(call.index, event.delta, this.choice);
      }
      case 'response.output_item.done':
        return slot && isObject(event.item) ? this.itemDone(slot.index, event.item) : '';
      case 'response.completed':
      case 'response.incomplete':
      case 'response.failed':
      case 'error':
        return this.finish();
      default:
        return '';
    }
  }

  /** The upstream stream ended: without a terminal event that is a failure (the caller sends the error chunk). */
  end(): string {
    if (this.finalOutcome) return '';
    return this.finish();
  }

  private role(): string {
    if (this.roleSent) return '';
    this.roleSent = true;
    return this.encoder.role(this.choice);
  }

  private toolCallStarted(outputIndex: number, item: JsonObject): string {
    const index = this.toolCalls.size;
    const args = typeof item.arguments === 'string' ? item.arguments : '';
    this.toolCalls.set(outputIndex, { index, sentArguments: args });
    const withRole = !this.roleSent;
    this.roleSent = true;
    return this.encoder.toolCallStart({ index, id: String(item.call_id ?? item.id ?? ''), name: String(item.name ?? ''), arguments: args }, { choice: this.choice, withRole });
  }

  private reasoning(outputIndex: number, part: string, delta: string): string {
    const separator = this.lastReasoningPart !== null && this.lastReasoningPart !== part ? '\n\n' : '';
    this.lastReasoningPart = part;
    this.reasoningSeen.add(outputIndex);
    return this.role() + this.encoder.delta(undefined, separator + delta, this.choice);
  }

  /** What the finished item says that its deltas did not (all of it, when no delta came). */
  private itemDone(outputIndex: number, item: JsonObject): string {
    switch (item.type) {
      case 'function_call': {
        const call = this.toolCalls.get(outputIndex);
        if (!call) return this.toolCallStarted(outputIndex, item);
        const final = typeof item.arguments === 'string' ? item.arguments : '';
        if (final.length <= call.sentArguments.length || !final.startsWith(call.sentArguments)) return '';
        const rest = final.slice(call.sentArguments.length);
        call.sentArguments = final;
        return this.encoder.toolCallArguments(call.index, rest, this.choice);
      }
      case 'message': {
        const final = messageText(item);
        const sent = this.textSent.get(outputIndex) ?? '';
        if (final.length <= sent.length || !final.startsWith(sent)) return '';
        this.textSent.set(outputIndex, final);
        return this.role() + this.encoder.delta(final.slice(sent.length), undefined, this.choice);
      }
      case 'reasoning': {
        if (this.reasoningSeen.has(outputIndex)) return '';
        const text = reasoningText(item);
        return text ? this.reasoning(outputIndex, `${outputIndex}:done`, text) : '';
      }
      default:
        return '';
    }
  }

  private finish(): string {
    const result = this.accumulator.result();
    if (result.status === 'completed' || result.status === 'incomplete') {
      const finishReason = finishReasonOf(result, this.toolCalls.size > 0);
      this.finalOutcome = { kind: 'finished', finishReason, usage: result.usage ? chatUsageOf(result.usage) : null };
      return this.role() + this.encoder.finish(finishReason, this.choice);
    }
    this.finalOutcome = { kind: 'failed', error: result.error ?? { code: 'server_error', message: 'The upstream failed.' } };
    return '';
  }
}

export function finishReasonOf(result: Pick<AccumulatedResponse, 'status' | 'incompleteReason'>, calledTools: boolean): ChatCompletionFinishReason {
  if (result.status === 'incomplete') return result.incompleteReason === 'content_filter' ? 'content_filter' : 'length';
  return calledTools ? 'tool_calls' : 'stop';
}

export function chatUsageOf(usage: ResponseUsage): ChatUsageCounts {
  return {
    prompt_tokens: usage.input_tokens,
    completion_tokens: usage.output_tokens,
    total_tokens: usage.total_tokens,
    reasoning_tokens: usage.output_tokens_details.reasoning_tokens,
    cached_tokens: usage.input_tokens_details.cached_tokens,
  };
}

/** Usage of n parallel requests as one (what OpenAI reports for n > 1). */
export function sumChatUsage(usages: (ChatUsageCounts | null)[]): ChatUsageCounts {
  const total: Required<Omit<ChatUsageCounts, 'estimated'>> = { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0, reasoning_tokens: 0, cached_tokens: 0 };
  for (const usage of usages) {
    if (!usage) continue;
    total.prompt_tokens += usage.prompt_tokens;
    total.completion_tokens += usage.completion_tokens;
    total.total_tokens += usage.total_tokens;
    total.reasoning_tokens += usage.reasoning_tokens;
    total.cached_tokens += usage.cached_tokens ?? 0;
  }
  return total;
}

/** One finished Responses answer as a chat choice (content null when it only called tools, as OpenAI answers). */
export function responseToChatChoice(result: AccumulatedResponse): CompletionChoice {
  const messages = result.output.filter((item): item is ResponseItem & JsonObject => isObject(item) && item.type === 'message');
  const text = messages.map(messageText).join('');
  const refusal = messages.map(refusalText).join('');
  const reasoning = result.output
    .filter((item) => isObject(item) && item.type === 'reasoning')
    .map((item) => reasoningText(item as JsonObject))
    .filter(Boolean)
    .join('\n\n');
  const toolCalls: CompletedToolCall[] = result.output
    .filter((item) => isObject(item) && item.type === 'function_call')
    .map((item) => {
      const call = item as JsonObject;
      return { id: String(call.call_id ?? call.id ?? ''), name: String(call.name ?? ''), arguments: typeof call.arguments === 'string' ? call.arguments : '' };
    });
  return {
    content: text !== '' ? text : toolCalls.length > 0 || refusal !== '' ? null : '',
    reasoning,
    refusal: refusal !== '' ? refusal : null,
    toolCalls,
    finishReason: finishReasonOf(result, toolCalls.length > 0),
  };
}

/** The non-streamed `chat.completion` of n finished answers (choice i = answer i; usage summed). */
export function chatCompletionFromResponses(identity: CompletionIdentity, results: AccumulatedResponse[]) {
  const usage = sumChatUsage(results.map((r) => (r.usage ? chatUsageOf(r.usage) : null)));
  return chatCompletionObject(identity, results.map(responseToChatChoice), toOpenAIUsage(usage));
}

function contentParts(item: JsonObject): JsonObject[] {
  return Array.isArray(item.content) ? item.content.filter(isObject) : [];
}

function messageText(item: JsonObject): string {
  return contentParts(item)
    .filter((part) => part.type === 'output_text' && typeof part.text === 'string')
    .map((part) => part.text as string)
    .join('');
}

function refusalText(item: JsonObject): string {
  return contentParts(item)
    .filter((part) => part.type === 'refusal' && typeof part.refusal === 'string')
    .map((part) => part.refusal as string)
    .join('');
}

/** A reasoning item's summaries (joined by a blank line), or its raw reasoning text when it has no summary. */
function reasoningText(item: JsonObject): string {
  const summaries = Array.isArray(item.summary) ? item.summary.filter(isObject).map((s) => (typeof s.text === 'string' ? s.text : '')).filter(Boolean) : [];
  if (summaries.length > 0) return summaries.join('\n\n');
  return contentParts(item)
    .filter((part) => part.type === 'reasoning_text' && typeof part.text === 'string')
    .map((part) => part.text as string)
    .join('\n\n');
}
