import { describe, expect, it } from '@jest/globals';
import { ChunkEncoder, chatCompletionObject, completionObject, toOpenAIUsage } from '../../src/openai/chat-completion-format.js';

const identity = { id: 'chatcmpl-x', created: 1700000000, model: 'gpt-4o' };
const usage = toOpenAIUsage({ prompt_tokens: 5, completion_tokens: 7, total_tokens: 12, reasoning_tokens: 2, estimated: true });
const parse = (frame: string) => {
  expect(frame.startsWith('data: ')).toBe(true);
  expect(frame.endsWith('\n\n')).toBe(true);
  return JSON.parse(frame.slice(6));
};

describe('ChunkEncoder', () => {
  it('writes chunks in OpenAI field order', () => {
    const enc = new ChunkEncoder(identity, false);
    const role = parse(enc.role());
    expect(Object.keys(role)).toEqual(['id', 'object', 'created', 'model', 'service_tier', 'system_fingerprint', 'choices']);
    expect(role.choices[0].delta).toEqual({ role: 'assistant', content: '', refusal: null });
    expect(parse(enc.delta('Hé "quoted"\n', undefined)).choices[0].delta).toEqual({ content: 'Hé "quoted"\n' });
    expect(parse(enc.delta(undefined, 'thinking')).choices[0].delta).toEqual({ reasoning_content: 'thinking' });
    expect(parse(enc.finish('length')).choices[0]).toEqual({ index: 0, delta: {}, logprobs: null, finish_reason: 'length' });
  });

  it('adds usage: null to every chunk and a final usage chunk when asked', () => {
    const enc = new ChunkEncoder(identity, true);
    expect(parse(enc.delta('x', undefined)).usage).toBeNull();
    const last = parse(enc.usage(usage));
    expect(last.choices).toEqual([]);
    expect(last.usage).toMatchObject({ prompt_tokens: 5, completion_tokens: 7, total_tokens: 12, completion_tokens_details: { reasoning_tokens: 2 } });
  });

  it('ends every chunk with the conversation ids once they are set, and only the known ones', () => {
    const enc = new ChunkEncoder(identity, true);
    expect(parse(enc.role())).not.toHaveProperty('conversation_id');
    enc.setIds({ conversationId: 'conv-1', messageId: null });
    const first = parse(enc.delta('x', undefined));
    expect(first.conversation_id).toBe('conv-1');
    expect(first).not.toHaveProperty('message_id');
    enc.setIds({ conversationId: 'conv-1', messageId: 'msg-"2"' });
    for (const chunk of [enc.delta('y', undefined), enc.finish('stop'), enc.usage(usage)]) {
      expect(parse(chunk)).toMatchObject({ conversation_id: 'conv-1', message_id: 'msg-"2"' });
    }
  });

  it('encodes errors and the end marker', () => {
    expect(parse(ChunkEncoder.error({ message: 'm', type: 't', param: null, code: 'c' }))).toEqual({ error: { message: 'm', type: 't', param: null, code: 'c' } });
    expect(ChunkEncoder.DONE).toBe('data: [DONE]\n\n');
  });
});

describe('completionObject', () => {
  it('carries the conversation ids only when given', () => {
    const withIds = completionObject(identity, 'hi', '', 'stop', usage, { conversationId: 'c', messageId: 'm' });
    expect(withIds).toMatchObject({ conversation_id: 'c', message_id: 'm' });
    expect(completionObject(identity, 'hi', '', 'stop', usage)).not.toHaveProperty('conversation_id');
  });

  it('is a chat.completion with one choice and usage', () => {
    const body = completionObject(identity, 'answer', 'why', 'stop', usage);
    expect(body).toMatchObject({ id: 'chatcmpl-x', object: 'chat.completion', model: 'gpt-4o', usage });
    expect(body.choices[0]).toEqual({
      index: 0,
      message: { role: 'assistant', content: 'answer', refusal: null, annotations: [], reasoning_content: 'why' },
      logprobs: null,
      finish_reason: 'stop',
    });
    expect(completionObject(identity, 'a', '', 'stop', usage).choices[0].message).not.toHaveProperty('reasoning_content');
  });
});

describe('ChunkEncoder bytes (a compatibility promise: field order included)', () => {
  const head = '{"id":"chatcmpl-x","object":"chat.completion.chunk","created":1700000000,"model":"gpt-4o","service_tier":"default","system_fingerprint":null,"choices":';

  it('writes the n=1 chunks exactly as before the tool-call additions', () => {
    const enc = new ChunkEncoder(identity, false);
    expect(enc.role()).toBe(`data: ${head}[{"index":0,"delta":{"role":"assistant","content":"","refusal":null},"logprobs":null,"finish_reason":null}]}\n\n`);
    expect(enc.delta('a', 'b')).toBe(`data: ${head}[{"index":0,"delta":{"reasoning_content":"b","content":"a"},"logprobs":null,"finish_reason":null}]}\n\n`);
    expect(enc.finish('stop')).toBe(`data: ${head}[{"index":0,"delta":{},"logprobs":null,"finish_reason":"stop"}]}\n\n`);
    const withUsage = new ChunkEncoder(identity, true);
    expect(withUsage.usage(usage)).toBe(
      `data: ${head}[],"usage":{"prompt_tokens":5,"completion_tokens":7,"total_tokens":12,"prompt_tokens_details":{"cached_tokens":0},"completion_tokens_details":{"reasoning_tokens":2}}}\n\n`,
    );
  });

  it('streams tool calls as OpenAI does: id, type and name once (with the role when first), then arguments by index', () => {
    const enc = new ChunkEncoder(identity, true);
    expect(enc.toolCallStart({ index: 0, id: 'call_abc', name: 'get_weather' }, { withRole: true })).toBe(
      `data: ${head}[{"index":0,"delta":{"role":"assistant","content":null,"tool_calls":[{"index":0,"id":"call_abc","type":"function","function":{"name":"get_weather","arguments":""}}],"refusal":null},"logprobs":null,"finish_reason":null}],"usage":null}\n\n`,
    );
    expect(enc.toolCallArguments(0, '{"city":"')).toBe(
      `data: ${head}[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\\"city\\":\\""}}]},"logprobs":null,"finish_reason":null}],"usage":null}\n\n`,
    );
    expect(enc.toolCallStart({ index: 1, id: 'call_def', name: 'get_time', arguments: '{}' })).toBe(
      `data: ${head}[{"index":0,"delta":{"tool_calls":[{"index":1,"id":"call_def","type":"function","function":{"name":"get_time","arguments":"{}"}}]},"logprobs":null,"finish_reason":null}],"usage":null}\n\n`,
    );
    expect(enc.finish('tool_calls')).toBe(`data: ${head}[{"index":0,"delta":{},"logprobs":null,"finish_reason":"tool_calls"}],"usage":null}\n\n`);
  });

  it('writes refusals in delta.refusal and any choice index', () => {
    const enc = new ChunkEncoder(identity, false);
    expect(parse(enc.refusal("I can't help with that.", 1)).choices).toEqual([{ index: 1, delta: { refusal: "I can't help with that." }, logprobs: null, finish_reason: null }]);
    expect(parse(enc.role(2)).choices[0].index).toBe(2);
    expect(parse(enc.delta('x', undefined, 3)).choices[0]).toMatchObject({ index: 3, delta: { content: 'x' } });
    expect(parse(enc.toolCallArguments(0, '{}', 1)).choices[0].index).toBe(1);
    expect(parse(enc.finish('length', 1)).choices[0]).toEqual({ index: 1, delta: {}, logprobs: null, finish_reason: 'length' });
  });
});

describe('toOpenAIUsage', () => {
  it('carries cached prompt tokens when the upstream counts them', () => {
    expect(toOpenAIUsage({ prompt_tokens: 120, completion_tokens: 48, total_tokens: 168, reasoning_tokens: 16, cached_tokens: 64 })).toEqual({
      prompt_tokens: 120,
      completion_tokens: 48,
      total_tokens: 168,
      prompt_tokens_details: { cached_tokens: 64 },
      completion_tokens_details: { reasoning_tokens: 16 },
    });
  });
});

describe('chatCompletionObject', () => {
  it('answers tool calls as OpenAI does: content null, tool_calls before refusal, finish_reason tool_calls', () => {
    const body = chatCompletionObject(identity, [{ content: null, toolCalls: [{ id: 'call_1', name: 'f', arguments: '{"a":1}' }], finishReason: 'tool_calls' }], usage);
    expect(JSON.stringify(body.choices[0])).toBe(
      '{"index":0,"message":{"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function","function":{"name":"f","arguments":"{\\"a\\":1}"}}],"refusal":null,"annotations":[]},"logprobs":null,"finish_reason":"tool_calls"}',
    );
  });

  it('numbers several choices and keeps the single-choice object of completionObject unchanged', () => {
    const body = chatCompletionObject(identity, [{ content: 'a', finishReason: 'stop' }, { content: 'b', refusal: 'no', finishReason: 'stop' }], usage);
    expect(body.choices.map((c) => [c.index, c.message.content, c.message.refusal])).toEqual([[0, 'a', null], [1, 'b', 'no']]);
    expect(JSON.stringify(completionObject(identity, 'hi', 'r', 'stop', usage))).toBe(
      `{"id":"chatcmpl-x","object":"chat.completion","created":1700000000,"model":"gpt-4o","choices":[{"index":0,"message":{"role":"assistant","content":"hi","refusal":null,"annotations":[],"reasoning_content":"r"},"logprobs":null,"finish_reason":"stop"}],"usage":${JSON.stringify(usage)},"service_tier":"default","system_fingerprint":null}`,
    );
  });
});
