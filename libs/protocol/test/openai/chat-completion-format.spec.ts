import { describe, expect, it } from '@jest/globals';
import { ChunkEncoder, completionObject, toOpenAIUsage } from '../../src/openai/chat-completion-format.js';

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
