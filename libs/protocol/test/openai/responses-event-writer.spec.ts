import { describe, expect, it } from '@jest/globals';
import type { ResponseIdFactory } from '../../src/openai/response-ids.js';
import { randomResponseIds } from '../../src/openai/response-ids.js';
import { responseEndOf, ResponsesEventWriter } from '../../src/openai/responses-event-writer.js';
import { ResponsesEventReader } from '../../src/openai/responses-stream.js';

/** Deterministic ids: kind and a counter. */
function countingIds(): ResponseIdFactory {
  let n = 0;
  return { response: () => 'resp_test', message: () => `msg_${++n}`, reasoning: () => `rs_${++n}`, functionCall: () => `fc_${++n}`, callId: () => `call_${++n}` };
}

function events(sse: string) {
  const reader = new ResponsesEventReader();
  return [...reader.push(sse), ...reader.end()];
}

const usage = { input_tokens: 11, input_tokens_details: { cached_tokens: 0 }, output_tokens: 7, output_tokens_details: { reasoning_tokens: 3 }, total_tokens: 18 };

describe('ResponsesEventWriter', () => {
  it('writes reasoning then text in the order the SDK helpers require (golden event list)', () => {
    const writer = new ResponsesEventWriter({ model: 'gpt-4o', createdAt: 1767225600, ids: countingIds(), request: { model: 'gpt-4o', input: 'hi', metadata: { t: '1' } } });
    const sse = writer.start() + writer.reasoning('Let me ') + writer.reasoning('think.') + writer.text('Hel') + writer.text('lo') + writer.end({ status: 'completed', usage });
    const list = events(sse);
    expect(list.map((e) => e.type)).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.reasoning_summary_part.added',
      'response.reasoning_summary_text.delta',
      'response.reasoning_summary_text.delta',
      'response.reasoning_summary_text.done',
      'response.reasoning_summary_part.done',
      'response.output_item.done',
      'response.output_item.added',
      'response.content_part.added',
      'response.output_text.delta',
      'response.output_text.delta',
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.completed',
    ]);
    expect(list.map((e) => e.sequence_number)).toEqual(list.map((_, i) => i));
    expect(sse.split('\n\n').filter(Boolean).every((frame, i) => frame.startsWith(`event: ${list[i].type}\ndata: {"type":"${list[i].type}","sequence_number":${i},`))).toBe(true);
    expect(sse).not.toContain('[DONE]');
    expect(list[11]).toEqual({ type: 'response.output_text.delta', sequence_number: 11, item_id: 'msg_2', output_index: 1, content_index: 0, delta: 'Hel', logprobs: [] });
    expect(list[0].response).toMatchObject({ id: 'resp_test', object: 'response', created_at: 1767225600, status: 'in_progress', model: 'gpt-4o', output: [], usage: null, metadata: { t: '1' } });
    const completed = list.at(-1)!.response as Record<string, unknown>;
    expect(completed).toMatchObject({ status: 'completed', usage });
    expect(completed.output).toEqual([
      { id: 'rs_1', type: 'reasoning', summary: [{ type: 'summary_text', text: 'Let me think.' }] },
      { id: 'msg_2', type: 'message', status: 'completed', content: [{ type: 'output_text', annotations: [], logprobs: [], text: 'Hello' }], role: 'assistant' },
    ]);
    expect(writer.response()).toEqual(completed);
  });

  it('writes a function call: added with empty arguments, deltas, arguments.done, item done', () => {
    const writer = new ResponsesEventWriter({ model: 'm', ids: countingIds() });
    const sse = writer.functionCallStart({ name: 'get_weather' }) + writer.functionCallArguments('{"city":') + writer.functionCallArguments('"Paris"}') + writer.functionCallDone() + writer.end({ status: 'completed', usage: null });
    const list = events(sse);
    expect(list.map((e) => e.type)).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.function_call_arguments.delta',
      'response.function_call_arguments.delta',
      'response.function_call_arguments.done',
      'response.output_item.done',
      'response.completed',
    ]);
    expect(list[2].item).toEqual({ id: 'fc_1', type: 'function_call', status: 'in_progress', arguments: '', call_id: 'call_2', name: 'get_weather' });
    expect(list[5]).toMatchObject({ item_id: 'fc_1', output_index: 0, name: 'get_weather', arguments: '{"city":"Paris"}' });
    expect((list.at(-1)!.response as { output: unknown[] }).output).toEqual([{ id: 'fc_1', type: 'function_call', status: 'completed', arguments: '{"city":"Paris"}', call_id: 'call_2', name: 'get_weather' }]);
  });

  it("takes the final arguments when given, and the caller's call id", () => {
    const writer = new ResponsesEventWriter({ model: 'm', ids: countingIds() });
    writer.functionCallStart({ name: 'f', callId: 'call_mine' });
    expect(writer.callId()).toBe('call_mine');
    writer.functionCallArguments('{"a"');
    writer.functionCallDone('{"a":1}');
    writer.end({ status: 'completed', usage: null });
    expect(writer.response().output[0]).toMatchObject({ call_id: 'call_mine', arguments: '{"a":1}' });
  });

  it('ends incomplete with the reason, leaving the open item incomplete', () => {
    const writer = new ResponsesEventWriter({ model: 'm', ids: countingIds() });
    const list = events(writer.text('Once upon') + writer.end({ status: 'incomplete', usage, incompleteReason: 'max_output_tokens' }));
    expect(list.at(-1)!.type).toBe('response.incomplete');
    expect(list.at(-1)!.response).toMatchObject({ status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' }, output: [{ status: 'incomplete' }] });
  });

  it('fails with an error event (both shapes) then response.failed, and writes nothing after', () => {
    const writer = new ResponsesEventWriter({ model: 'm', ids: countingIds() });
    const list = events(writer.text('Partial') + writer.fail({ code: 'upstream_error', message: 'The upstream failed.' }));
    expect(list.slice(-2).map((e) => e.type)).toEqual(['error', 'response.failed']);
    expect(list.at(-2)).toMatchObject({ code: 'upstream_error', message: 'The upstream failed.', param: null, error: { type: 'server_error', code: 'upstream_error', message: 'The upstream failed.', param: null } });
    expect(list.at(-1)!.response).toMatchObject({ status: 'failed', error: { code: 'upstream_error', message: 'The upstream failed.' }, output: [{ type: 'message', content: [{ text: 'Partial' }] }] });
    expect(writer.ended).toBe(true);
    expect(writer.text('more') + writer.end({ status: 'completed', usage: null }) + writer.fail({ code: 'x', message: 'y' })).toBe('');
  });

  it('starts by itself, and a text after reasoning after text opens new items', () => {
    const writer = new ResponsesEventWriter({ model: 'm', ids: countingIds() });
    const list = events(writer.text('a') + writer.reasoning('b') + writer.text('c') + writer.end({ status: 'completed', usage: null }));
    expect(list[0].type).toBe('response.created');
    expect((list.at(-1)!.response as { output: { type: string }[] }).output.map((i) => i.type)).toEqual(['message', 'reasoning', 'message']);
  });

  it("echoes the client's settings with OpenAI's defaults for the rest", () => {
    const bare = new ResponsesEventWriter({ model: 'm', ids: countingIds() }).response();
    expect(Object.keys(bare)).toEqual([
      'id', 'object', 'created_at', 'status', 'background', 'error', 'incomplete_details', 'instructions', 'max_output_tokens', 'max_tool_calls', 'model', 'output',
      'parallel_tool_calls', 'previous_response_id', 'prompt_cache_key', 'reasoning', 'safety_identifier', 'service_tier', 'store', 'temperature', 'text', 'tool_choice',
      'tools', 'top_logprobs', 'top_p', 'truncation', 'usage', 'user', 'metadata',
    ]);
    expect(bare).toMatchObject({ instructions: null, store: true, temperature: 1, top_p: 1, text: { format: { type: 'text' }, verbosity: 'medium' }, tool_choice: 'auto', tools: [], metadata: {} });
    const echoed = new ResponsesEventWriter({
      model: 'm',
      request: { instructions: 'Be kind', store: false, previous_response_id: 'resp_prev', max_output_tokens: 9, reasoning: { effort: 'low' }, text: { format: { type: 'json_object' } }, user: 'u' },
    }).response();
    expect(echoed).toMatchObject({ instructions: 'Be kind', store: false, previous_response_id: 'resp_prev', max_output_tokens: 9, reasoning: { effort: 'low', summary: null }, text: { format: { type: 'json_object' } }, user: 'u' });
  });
});

describe('responseEndOf', () => {
  it("maps a chat job's finish reason and usage", () => {
    const chat = { prompt_tokens: 5, completion_tokens: 7, total_tokens: 12, reasoning_tokens: 2, estimated: true };
    expect(responseEndOf('stop', chat)).toEqual({ status: 'completed', usage: { input_tokens: 5, input_tokens_details: { cached_tokens: 0 }, output_tokens: 7, output_tokens_details: { reasoning_tokens: 2 }, total_tokens: 12 } });
    expect(responseEndOf('length', null)).toEqual({ status: 'incomplete', usage: null, incompleteReason: 'max_output_tokens' });
    expect(responseEndOf('content_filter', null)).toMatchObject({ incompleteReason: 'content_filter' });
  });
});

describe('randomResponseIds', () => {
  it('has the shapes OpenAI uses', () => {
    expect(randomResponseIds.response()).toMatch(/^resp_[0-9a-f]{48}$/);
    expect(randomResponseIds.message()).toMatch(/^msg_[0-9a-f]{48}$/);
    expect(randomResponseIds.reasoning()).toMatch(/^rs_[0-9a-f]{48}$/);
    expect(randomResponseIds.functionCall()).toMatch(/^fc_[0-9a-f]{48}$/);
    expect(randomResponseIds.callId()).toMatch(/^call_[A-Za-z0-9_-]{24}$/);
    expect(randomResponseIds.response()).not.toBe(randomResponseIds.response());
  });
});
