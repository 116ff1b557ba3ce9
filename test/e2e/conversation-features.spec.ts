import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import OpenAI from 'openai';
import { countTokens } from 'gpt-tokenizer';
import { replyFor, type SimAccount } from '@chatgate/chatgpt-sim';
import { startStack, type Stack } from '../support/stack.js';

type Chunk = OpenAI.Chat.Completions.ChatCompletionChunk;
type Completion = OpenAI.Chat.Completions.ChatCompletion;
/** chat2api's extra top-level fields (history on). */
type Ids = { conversation_id?: string; message_id?: string };
/** chatgate's extra request fields, passed through by the client as they are. */
type Extra = { conversation_id?: string; parent_message_id?: string; hatd?: boolean; history_disabled?: boolean; max_completion_tokens?: number };
type Message = { role: 'user' | 'assistant'; content: string };

interface Streamed {
  chunks: (Chunk & Ids)[];
  content: string;
  reasoning: string;
  finish: string | null | undefined;
}

/** The delta or message with chatgate's reasoning field. */
type WithReasoning = { reasoning_content?: string };

async function collect(stream: AsyncIterable<Chunk>): Promise<Streamed> {
  const chunks: (Chunk & Ids)[] = [];
  for await (const chunk of stream) chunks.push(chunk as Chunk & Ids);
  const content = chunks.map((c) => c.choices[0]?.delta.content ?? '').join('');
  const reasoning = chunks.map((c) => (c.choices[0]?.delta as WithReasoning | undefined)?.reasoning_content ?? '').join('');
  const finish = chunks.findLast((c) => c.choices[0]?.finish_reason)?.choices[0].finish_reason;
  return { chunks, content, reasoning, finish };
}

/** Waits until `check` holds (the simulator sees a dropped connection a moment after the worker drops it). */
async function eventually(check: () => boolean, ms = 3000): Promise<boolean> {
  for (const until = Date.now() + ms; Date.now() < until; await new Promise((r) => setTimeout(r, 20))) if (check()) return true;
  return check();
}

describe.each([
  { encoding: 'v1', v1: true },
  { encoding: 'legacy', v1: false },
])('conversation features ($encoding upstream encoding)', ({ v1 }) => {
  let stack: Stack;
  let account: SimAccount;
  let client: OpenAI;

  beforeAll(async () => {
    stack = await startStack({ conversation: { UPSTREAM_V1_ENCODING: v1 } });
    account = stack.sim.issueAccount({ plan: 'plus' });
    client = stack.client(account.accessToken);
  });
  afterAll(() => stack?.close());

  const ask = (messages: Message[], extra: Extra & { max_tokens?: number } = {}) =>
    client.chat.completions.create({ model: 'gpt-4o', messages, ...extra } as never) as Promise<Completion & Ids>;
  const askStream = async (messages: Message[], extra: Extra & { max_tokens?: number; stream_options?: { include_usage: boolean } } = {}) =>
    collect((await client.chat.completions.create({ model: 'gpt-4o', messages, stream: true, ...extra } as never)) as unknown as AsyncIterable<Chunk>);

  describe('max_tokens', () => {
    const prompt = 'Long one [[sim words=300 delay=2]]';

    it('cuts a stream at exactly max_tokens, reports length and aborts the upstream request', async () => {
      const aborted = stack.sim.stats().abortedStreams;
      const res = await askStream([{ role: 'user', content: prompt }], { max_tokens: 23, stream_options: { include_usage: true } });
      expect(replyFor(prompt).text.startsWith(res.content)).toBe(true);
      // gpt-4o does not reason: the limit is its answer's, whatever the upstream shows as reasoning, and so is its usage.
      expect(countTokens(res.content)).toBe(23);
      expect(res.finish).toBe('length');
      expect(res.chunks[res.chunks.length - 1].usage!.completion_tokens).toBe(23);
      expect(await eventually(() => stack.sim.stats().abortedStreams > aborted)).toBe(true);
    });

    it('cuts a non-streamed reply the same way (max_completion_tokens)', async () => {
      const completion = await ask([{ role: 'user', content: prompt }], { max_completion_tokens: 9 });
      const content = completion.choices[0].message.content!;
      expect(replyFor(prompt).text.startsWith(content)).toBe(true);
      expect(countTokens(content)).toBe(9);
      expect(completion.choices[0].finish_reason).toBe('length');
      expect(completion.usage!.completion_tokens).toBe(9);
    });

    it('leaves a reply under the limit alone', async () => {
      const completion = await ask([{ role: 'user', content: 'short one' }], { max_tokens: 500 });
      expect(completion.choices[0].message.content).toBe(replyFor('short one').text);
      expect(completion.choices[0].finish_reason).toBe('stop');
    });
  });

  describe('moderation', () => {
    const prompt = 'Flag me [[sim words=40 fail=moderation after=3]]';

    it('ends a stream with content_filter and what the upstream said', async () => {
      const res = await askStream([{ role: 'user', content: prompt }]);
      expect(res.finish).toBe('content_filter');
      expect(res.content.length).toBeGreaterThan(0);
      expect(replyFor(prompt).text.startsWith(res.content)).toBe(true);
      expect(res.content).not.toBe(replyFor(prompt).text);
    });

    it('answers content_filter when not streamed', async () => {
      const completion = await ask([{ role: 'user', content: prompt }]);
      expect(completion.choices[0].finish_reason).toBe('content_filter');
      expect(replyFor(prompt).text.startsWith(completion.choices[0].message.content!)).toBe(true);
    });
  });

  it('ends a stream with an error event when the upstream reports an error inside it', async () => {
    const stream = await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'oops [[sim words=40 delay=2 fail=stream_error after=3]]' }], stream: true });
    let received = '';
    const err = await (async () => {
      for await (const chunk of stream) received += chunk.choices[0]?.delta.content ?? '';
    })().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.APIError);
    expect((err as Error).message).toMatch(/The upstream reported an error: Something went wrong/);
    expect(received.length).toBeGreaterThan(0);
    expect(replyFor('oops [[sim words=40 delay=2 fail=stream_error after=3]]').text.startsWith(received)).toBe(true);
  });

  describe('conversation ids', () => {
    it('carries the ids on every chunk and on a non-streamed answer with history on', async () => {
      const res = await askStream([{ role: 'user', content: 'ids please [[sim words=12]]' }], { stream_options: { include_usage: true } });
      const { conversation_id, message_id } = res.chunks[0];
      expect(conversation_id).toMatch(/\S/);
      expect(message_id).toMatch(/\S/);
      expect(res.chunks.every((c) => c.conversation_id === conversation_id && c.message_id === message_id)).toBe(true);
      expect(stack.sim.stats().lastConversation!.historyDisabled).toBe(false);

      const completion = await ask([{ role: 'user', content: 'ids please' }]);
      expect(completion.conversation_id).toMatch(/\S/);
      expect(completion.message_id).toMatch(/\S/);
      expect(completion.conversation_id).not.toBe(conversation_id);
    });

    it.each([{ hatd: true }, { history_disabled: true }])('leaves them out of a temporary chat (%o)', async (extra) => {
      const res = await askStream([{ role: 'user', content: 'forget me [[sim words=8]]' }], extra);
      expect(res.content).toBe(replyFor('forget me [[sim words=8]]').text);
      expect(res.chunks.some((c) => 'conversation_id' in c || 'message_id' in c)).toBe(false);
      expect(stack.sim.stats().lastConversation!.historyDisabled).toBe(true);

      const completion = await ask([{ role: 'user', content: 'forget me' }], extra);
      expect('conversation_id' in completion || 'message_id' in completion).toBe(false);
    });

    it('continues a conversation over three turns, sending only the new message upstream', async () => {
      const history: Message[] = [{ role: 'user', content: 'first turn' }];
      const first = await ask(history);
      expect(stack.sim.stats().lastConversation).toMatchObject({ messages: 1, conversationId: null, parentMessageId: 'client-created-root', historyDisabled: false });
      history.push({ role: 'assistant', content: first.choices[0].message.content! }, { role: 'user', content: 'second turn' });

      const second = await askStream(history, { conversation_id: first.conversation_id, parent_message_id: first.message_id });
      expect(second.content).toBe(replyFor('second turn').text);
      expect(stack.sim.stats().lastConversation).toMatchObject({ messages: 1, conversationId: first.conversation_id, parentMessageId: first.message_id, historyDisabled: false });
      const ids = second.chunks[0];
      expect(ids.conversation_id).toBe(first.conversation_id);
      expect(ids.message_id).not.toBe(first.message_id);
      history.push({ role: 'assistant', content: second.content }, { role: 'user', content: 'third turn' });

      const third = await ask(history, { conversation_id: ids.conversation_id, parent_message_id: ids.message_id });
      expect(third.choices[0].message.content).toBe(replyFor('third turn').text);
      expect(stack.sim.stats().lastConversation).toMatchObject({ messages: 1, conversationId: first.conversation_id, parentMessageId: ids.message_id, historyDisabled: false });
      expect(third.conversation_id).toBe(first.conversation_id);
    });
  });
});

describe('temporary chat by default (API_HATD=true)', () => {
  let stack: Stack;
  let client: OpenAI;

  beforeAll(async () => {
    stack = await startStack({ gateway: { API_HATD: true } });
    client = stack.client(stack.sim.issueAccount({ plan: 'plus' }).accessToken);
  });
  afterAll(() => stack?.close());

  it('sends history_and_training_disabled and answers without ids', async () => {
    const completion = (await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'temporary' }] })) as Completion & Ids;
    expect(completion.choices[0].message.content).toBe(replyFor('temporary').text);
    expect('conversation_id' in completion || 'message_id' in completion).toBe(false);
    expect(stack.sim.stats().lastConversation!.historyDisabled).toBe(true);
  });

  it('lets a request turn history back on (hatd=false)', async () => {
    const stream = await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'keep me' }], stream: true, hatd: false } as never);
    const res = await collect(stream as unknown as AsyncIterable<Chunk>);
    expect(res.chunks.every((c) => typeof c.conversation_id === 'string' && typeof c.message_id === 'string')).toBe(true);
    expect(stack.sim.stats().lastConversation!.historyDisabled).toBe(false);
  });
});
