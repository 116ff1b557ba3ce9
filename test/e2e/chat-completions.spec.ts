import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import OpenAI from 'openai';
import { replyFor, type SimAccount } from '@chatgate/chatgpt-sim';
import { jsonOf, readSseData } from '@chatgate/testing';
import { startStack, type Stack } from '../support/stack.js';

/** The same behaviour whichever stream encoding the upstream uses. */
describe.each([
  { encoding: 'v1', v1: true },
  { encoding: 'legacy', v1: false },
])('chat completions through the gateway ($encoding upstream encoding)', ({ v1 }) => {
  let stack: Stack;
  let account: SimAccount;
  let client: OpenAI;

  beforeAll(async () => {
    stack = await startStack({ conversation: { UPSTREAM_V1_ENCODING: v1 } });
    account = stack.sim.issueAccount({ plan: 'plus' });
    client = stack.client(account.accessToken);
  });
  afterAll(() => stack?.close());

  it('answers a non-streamed request with one chat.completion and usage', async () => {
    const prompt = 'Hello there, gateway';
    const completion = await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: prompt }] });
    expect(completion.object).toBe('chat.completion');
    expect(completion.id).toMatch(/^chatcmpl-/);
    expect(completion.model).toBe('gpt-4o');
    expect(completion.choices).toHaveLength(1);
    expect(completion.choices[0].message).toMatchObject({ role: 'assistant', content: replyFor(prompt).text });
    expect(completion.choices[0].finish_reason).toBe('stop');
    expect(completion.usage!.prompt_tokens).toBeGreaterThan(3);
    expect(completion.usage!.completion_tokens).toBeGreaterThan(0);
    expect(completion.usage!.total_tokens).toBe(completion.usage!.prompt_tokens + completion.usage!.completion_tokens);
  });

  it('streams chunks whose content joins to the exact reply', async () => {
    const prompt = 'Stream me [[sim words=40 delay=3]] please';
    const stream = await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: prompt }], stream: true });
    const chunks: OpenAI.Chat.Completions.ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);

    expect(chunks[0].choices[0].delta.role).toBe('assistant');
    expect(chunks.every((c) => c.object === 'chat.completion.chunk' && c.id === chunks[0].id)).toBe(true);
    const text = chunks.map((c) => c.choices[0]?.delta.content ?? '').join('');
    expect(text).toBe(replyFor(prompt).text);
    expect(chunks.length).toBeGreaterThan(10);
    const last = chunks[chunks.length - 1];
    expect(last.choices[0].finish_reason).toBe('stop');
    expect(last.choices[0].delta).toEqual({});
  });

  it('adds the usage chunk only when stream_options.include_usage asks for it', async () => {
    const stream = await client.chat.completions.create({
      model: 'gpt-4o',
      messages: [{ role: 'user', content: 'count me' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks: OpenAI.Chat.Completions.ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    const usageChunk = chunks[chunks.length - 1];
    expect(usageChunk.choices).toEqual([]);
    expect(usageChunk.usage!.completion_tokens).toBeGreaterThan(0);
    expect(chunks.slice(0, -1).every((c) => c.usage === null)).toBe(true);

    const plain = await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'count me' }], stream: true });
    for await (const chunk of plain) expect(chunk.usage).toBeUndefined();
  });

  it('sends reasoning to reasoning_content, never into content', async () => {
    const prompt = 'Think first [[sim reasoning=1]]';
    const expected = replyFor(prompt);
    expect(expected.reasoning).toBeTruthy();
    const stream = await client.chat.completions.create({ model: 'o3-mini', messages: [{ role: 'user', content: prompt }], stream: true });
    let content = '';
    let reasoning = '';
    for await (const chunk of stream) {
      const delta = chunk.choices[0]?.delta as { content?: string; reasoning_content?: string } | undefined;
      content += delta?.content ?? '';
      reasoning += delta?.reasoning_content ?? '';
    }
    expect(content).toBe(expected.text);
    if (v1) expect(reasoning).toContain(expected.reasoning!.slice(0, 20));
    expect(content).not.toContain(expected.reasoning!.slice(0, 20));

    const whole = await client.chat.completions.create({ model: 'o3-mini', messages: [{ role: 'user', content: prompt }] });
    expect(whole.choices[0].message.content).toBe(expected.text);
  });

  it('keeps multi-byte text intact across chunks', async () => {
    const prompt = 'Emoji 🎉 and 中文字符 and ü [[sim chunks=40]]';
    const stream = await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: prompt }], stream: true });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    expect(text).toBe(replyFor(prompt).text);
  });

  it('writes the wire format exactly as OpenAI does', async () => {
    const res = await fetch(`${stack.gatewayUrl}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${account.accessToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4o', stream: true, messages: [{ role: 'user', content: 'wire' }] }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    const data = await readSseData(res.body!);
    expect(data[data.length - 1]).toBe('[DONE]');
    const first = JSON.parse(data[0]);
    // OpenAI's fields in OpenAI's order; with history on, chat2api's ids follow them (absent for a temporary chat).
    expect(Object.keys(first)).toEqual(['id', 'object', 'created', 'model', 'service_tier', 'system_fingerprint', 'choices', 'conversation_id', 'message_id']);
    expect(first.choices[0]).toEqual({ index: 0, delta: { role: 'assistant', content: '', refusal: null }, logprobs: null, finish_reason: null });
  });
});

describe('models', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(() => stack?.close());

  it('lists the mapped models for a valid credential', async () => {
    const client = stack.client(stack.sim.issueAccount().accessToken);
    const ids: string[] = [];
    for await (const model of client.models.list()) ids.push(model.id);
    expect(ids).toEqual(expect.arrayContaining(['gpt-4o', 'gpt-4o-mini', 'o3-mini', 'gpt-3.5-turbo', 'auto']));
    const one = await client.models.retrieve('gpt-4o');
    expect(one).toMatchObject({ id: 'gpt-4o', object: 'model' });
    await expect(client.models.retrieve('no-such-model')).rejects.toMatchObject({ status: 404, code: 'model_not_found' });
  });

  it('refuses the list without a credential', async () => {
    const res = await fetch(`${stack.gatewayUrl}/v1/models`);
    expect(res.status).toBe(401);
    expect((await jsonOf(res)).error.code).toBe('missing_api_key');
  });
});
