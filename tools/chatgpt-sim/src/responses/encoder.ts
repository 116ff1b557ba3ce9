// The Responses event stream of one planned turn, in the order the SDK stream helpers require
// (response.created first; an item's output_item.added before its content events; a part's
// content_part.added before its deltas) and with a `sequence_number` on every event. Events go
// out as `event: <type>` + `data: <json>` frames, with no [DONE]. It plugs into StreamRun, so the
// delay / ttfb / stall / cut / stream_error directives work as on the web backend.
import { eventFrame } from '../sse.js';
import { answerChunk, answerEnd, meta, reasoningChunk, type Encoder, type Frame } from '../turn.js';
import type { Item } from './items.js';
import type { ResponseFields, ResponseObject } from './object.js';
import type { PlannedItem, PlannedTurn } from './plan.js';

export interface ResponsesEncoderOptions {
  /** Builds the Response object for a lifecycle event. */
  response: (fields: Pick<ResponseFields, 'status' | 'output' | 'usage' | 'error' | 'incompleteReason'>) => ResponseObject;
  /** The Codex backend's quirk: `response.completed` carries `output: []` although items were streamed. */
  emptyCompletedOutput: boolean;
  /** How a stream_error strikes: `response.failed` (default) or a bare `error` event. */
  errorEvent: boolean;
  error: { code: string; message: string };
}

export class ResponsesEncoder implements Encoder {
  private seq = 0;
  private struck = false;

  constructor(
    private readonly turn: PlannedTurn,
    private readonly opts: ResponsesEncoderOptions,
  ) {}

  /** A stream_error struck (the answer ended with response.failed or an error event). */
  failed(): boolean {
    return this.struck;
  }

  private event(type: string, fields: Record<string, unknown>): string {
    return eventFrame(type, JSON.stringify({ type, sequence_number: this.seq++, ...fields }));
  }

  *frames(): Generator<Frame> {
    const inProgress = this.opts.response({ status: 'in_progress', output: [], usage: null });
    yield meta(this.event('response.created', { response: inProgress }));
    yield meta(this.event('response.in_progress', { response: inProgress }));
    for (const [index, planned] of this.turn.items.entries()) yield* this.item(planned, index);
    const { turn } = this;
    const status = turn.status;
    const output = this.opts.emptyCompletedOutput ? [] : turn.items.map((p) => p.item);
    const response = this.opts.response({ status, output, usage: turn.usage, incompleteReason: turn.incompleteReason });
    yield answerEnd(this.event(status === 'completed' ? 'response.completed' : 'response.incomplete', { response }), false);
  }

  private *item(planned: PlannedItem, output_index: number): Generator<Frame> {
    const { item } = planned;
    const item_id = item.id;
    const done = () => meta(this.event('response.output_item.done', { output_index, item }));
    switch (planned.type) {
      case 'reasoning': {
        yield meta(this.event('response.output_item.added', { output_index, item: { id: item_id, type: 'reasoning', summary: [] } }));
        const texts = (item.summary as Item[]).map((s) => String(s.text));
        for (const [summary_index, chunks] of planned.summary.entries()) {
          const text = texts[summary_index];
          yield meta(this.event('response.reasoning_summary_part.added', { item_id, output_index, summary_index, part: { type: 'summary_text', text: '' } }));
          for (const delta of chunks) yield reasoningChunk(this.event('response.reasoning_summary_text.delta', { item_id, output_index, summary_index, delta }));
          yield meta(this.event('response.reasoning_summary_text.done', { item_id, output_index, summary_index, text }));
          yield meta(this.event('response.reasoning_summary_part.done', { item_id, output_index, summary_index, part: { type: 'summary_text', text } }));
        }
        yield done();
        return;
      }
      case 'message': {
        const part = (item.content as Item[])[0];
        yield meta(this.event('response.output_item.added', { output_index, item: { id: item_id, type: 'message', status: 'in_progress', role: 'assistant', content: [] } }));
        yield meta(this.event('response.content_part.added', { item_id, output_index, content_index: 0, part: { ...part, text: '' } }));
        for (const delta of planned.chunks) yield answerChunk(this.event('response.output_text.delta', { item_id, output_index, content_index: 0, delta, logprobs: [] }));
        yield meta(this.event('response.output_text.done', { item_id, output_index, content_index: 0, text: part.text, logprobs: [] }));
        yield meta(this.event('response.content_part.done', { item_id, output_index, content_index: 0, part }));
        yield done();
        return;
      }
      case 'function_call': {
        yield meta(this.event('response.output_item.added', { output_index, item: { ...item, status: 'in_progress', arguments: '' } }));
        for (const delta of planned.chunks) yield answerChunk(this.event('response.function_call_arguments.delta', { item_id, output_index, delta }));
        yield meta(this.event('response.function_call_arguments.done', { item_id, output_index, name: item.name, arguments: item.arguments }));
        yield done();
        return;
      }
      case 'custom_tool_call': {
        yield meta(this.event('response.output_item.added', { output_index, item: { ...item, status: 'in_progress', input: '' } }));
        for (const delta of planned.chunks) yield answerChunk(this.event('response.custom_tool_call_input.delta', { item_id, output_index, delta }));
        yield meta(this.event('response.custom_tool_call_input.done', { item_id, output_index, input: item.input }));
        yield done();
        return;
      }
      case 'compaction':
        yield meta(this.event('response.output_item.added', { output_index, item }));
        yield done();
        return;
    }
  }

  errorFrames(): string[] {
    this.struck = true;
    // The frame the failure struck before was generated but never written: its number is reused.
    this.seq = Math.max(0, this.seq - 1);
    const { error } = this.opts;
    if (this.opts.errorEvent) return [this.event('error', { code: error.code, message: error.message, param: null })];
    return [this.event('response.failed', { response: this.opts.response({ status: 'failed', output: [], usage: null, error }) })];
  }
}

const STREAM_ERRORS: Record<string, string> = {
  server_error: 'An error occurred while processing your request. You can retry your request, or contact us through our help center at help.openai.com if the error persists.',
  insufficient_quota: 'You exceeded your current quota, please check your plan and billing details.',
  usage_not_included: 'Your plan does not include usage of this model.',
  context_length_exceeded: 'Your input exceeds the context window of this model. Please adjust your input and try again.',
};

/** The in-stream error a stream_error directive produces: `code=` picks the code (default server_error). */
export function streamError(code: string | undefined, model: string, clearsIn: number | undefined): { code: string; message: string } {
  const which = code ?? 'server_error';
  if (which === 'rate_limit_exceeded') return { code: which, message: `Rate limit reached for ${model}. Please try again in ${clearsIn ?? 20}s.` };
  return { code: which, message: STREAM_ERRORS[which] ?? STREAM_ERRORS.server_error };
}
