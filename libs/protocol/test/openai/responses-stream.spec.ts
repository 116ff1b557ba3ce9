import { describe, expect, it } from '@jest/globals';
import { ResponseAccumulator, ResponsesEventReader, ResponsesStreamError, usageOf } from '../../src/openai/responses-stream.js';
import { bytes } from '../helpers.js';
import {
  CODEX_FIXTURE_STYLE,
  ERROR_EVENT,
  FAILED_RATE_LIMIT,
  INCOMPLETE_MAX_TOKENS,
  MESSAGE_ID,
  PARALLEL_TOOL_CALLS,
  REASONING_ID,
  TEXT_WITH_REASONING,
  sseOf,
} from './responses-fixtures.js';

function accumulate(events: Record<string, unknown>[]) {
  const acc = new ResponseAccumulator();
  for (const event of events) acc.push(event as { type: string });
  return acc.result();
}

describe('ResponsesEventReader', () => {
  it('gives the same events whatever the chunking, byte by byte included', () => {
    const body = bytes(sseOf(TEXT_WITH_REASONING) + 'data: [DONE]\n\n');
    const whole = new ResponsesEventReader();
    const expected = [...whole.push(body), ...whole.end()];
    expect(expected).toEqual(TEXT_WITH_REASONING);
    for (const size of [1, 7, 64]) {
      const reader = new ResponsesEventReader();
      const events = [];
      for (let i = 0; i < body.length; i += size) events.push(...reader.push(body.subarray(i, i + size)));
      events.push(...reader.end());
      expect(events).toEqual(expected);
    }
  });

  it('takes the type from the event line when the JSON has none', () => {
    const reader = new ResponsesEventReader();
    expect(reader.push('event: response.created\ndata: {"response":{"id":"r"}}\n\n')).toEqual([{ type: 'response.created', response: { id: 'r' } }]);
  });

  it('refuses what is not a Responses event', () => {
    expect(() => new ResponsesEventReader().push('data: {oops\n\n')).toThrow(ResponsesStreamError);
    expect(() => new ResponsesEventReader().push('data: [1,2]\n\n')).toThrow(ResponsesStreamError);
    expect(() => new ResponsesEventReader().push('data: {"a":1}\n\n')).toThrow('without a type');
  });
});

describe('ResponseAccumulator', () => {
  it('rebuilds the output from the finished items when response.completed carries none', () => {
    const result = accumulate(TEXT_WITH_REASONING);
    expect(result.status).toBe('completed');
    expect(result.output.map((item) => (item as { id: string }).id)).toEqual([REASONING_ID, MESSAGE_ID]);
    expect(result.output[0]).toMatchObject({ type: 'reasoning', encrypted_content: 'gAAAAABo-encrypted-reasoning==' });
    expect(result.response).toMatchObject({ id: 'resp_up_1', status: 'completed', output: result.output });
    expect(result.usage).toEqual({ input_tokens: 37, input_tokens_details: { cached_tokens: 12 }, output_tokens: 64, output_tokens_details: { reasoning_tokens: 40 }, total_tokens: 101 });
    expect(result.error).toBeNull();
  });

  it("keeps the terminal response's own output when it has one", () => {
    const own = [{ type: 'message', id: 'msg_own', role: 'assistant', content: [{ type: 'output_text', text: 'own', annotations: [] }] }];
    const events = TEXT_WITH_REASONING.map((e) => (e.type === 'response.completed' ? { ...e, response: { ...(e.response as object), output: own } } : e));
    expect(accumulate(events).output).toEqual(own);
  });

  it('takes function call arguments from output_item.done, in output_index order', () => {
    const result = accumulate(PARALLEL_TOOL_CALLS);
    expect(result.output.map((i) => (i as { type: string }).type)).toEqual(['message', 'function_call', 'function_call']);
    expect(result.output[2]).toMatchObject({ call_id: 'call_tokyo', arguments: '{"city":"Tokyo"}', status: 'completed' });
  });

  it('orders items by output_index even when they finish out of order', () => {
    const shuffled = [PARALLEL_TOOL_CALLS[0], ...PARALLEL_TOOL_CALLS.filter((e) => e.type === 'response.output_item.done').reverse(), PARALLEL_TOOL_CALLS.at(-1)!];
    expect(accumulate(shuffled).output.map((i) => (i as { id: string }).id)).toEqual(['msg_pre', 'fc_68a0b7f2c9d08190a1b2c3d4e5f6a7b80011223344556677', 'fc_68a0b7f2c9d08190a1b2c3d4e5f6a7b80011223344556688']);
  });

  it('reads the sparse events of Codex fixtures: arrival order, null usage details as zeros', () => {
    const result = accumulate(CODEX_FIXTURE_STYLE);
    expect(result.output.map((i) => (i as { type: string }).type)).toEqual(['reasoning', 'message', 'function_call']);
    expect(result.usage).toEqual({ input_tokens: 10, input_tokens_details: { cached_tokens: 0 }, output_tokens: 5, output_tokens_details: { reasoning_tokens: 0 }, total_tokens: 15 });
  });

  it('keeps the streamed text of an item that never finished (incomplete), with the reason', () => {
    const result = accumulate(INCOMPLETE_MAX_TOKENS);
    expect(result.status).toBe('incomplete');
    expect(result.incompleteReason).toBe('max_output_tokens');
    expect(result.output).toEqual([{ id: 'msg_cut', type: 'message', status: 'in_progress', role: 'assistant', content: [{ type: 'output_text', annotations: [], text: 'Once upon a' }] }]);
  });

  it('reports response.failed and error events with their code and message', () => {
    expect(accumulate(FAILED_RATE_LIMIT)).toMatchObject({ status: 'failed', error: { code: 'rate_limit_exceeded', message: 'Rate limit reached. Please try again in 11.054s.' } });
    expect(accumulate(ERROR_EVENT)).toMatchObject({ status: 'error', error: { code: 'usage_not_included', message: 'Your plan does not include this model.' } });
    // The documented flat shape of the error event.
    expect(accumulate([{ type: 'error', code: 'server_error', message: 'boom', param: null }])).toMatchObject({ status: 'error', error: { code: 'server_error', message: 'boom' } });
  });

  it('calls a stream that stops before any terminal event truncated, keeping what came', () => {
    const result = accumulate(TEXT_WITH_REASONING.slice(0, 16));
    expect(result.status).toBe('truncated');
    expect(result.error?.code).toBe('stream_truncated');
    expect(result.output).toHaveLength(2);
    expect(result.output[1]).toMatchObject({ type: 'message', content: [{ text: 'Hello! ' }] });
  });

  it('ignores events after the terminal one', () => {
    const acc = new ResponseAccumulator();
    for (const event of TEXT_WITH_REASONING) acc.push(event);
    expect(acc.finished).toBe(true);
    acc.push({ type: 'response.output_item.done', output_index: 5, item: { type: 'message', id: 'late' } });
    expect(acc.result().output).toHaveLength(2);
  });
});

describe('usageOf', () => {
  it('totals input and output when total_tokens is missing; non-objects are null', () => {
    expect(usageOf({ input_tokens: 3, output_tokens: 4 })).toMatchObject({ total_tokens: 7, input_tokens_details: { cached_tokens: 0 } });
    expect(usageOf(null)).toBeNull();
  });
});
