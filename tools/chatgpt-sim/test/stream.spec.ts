import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { startSimulator, replyFor, type Simulator, type SimAccount } from '../src/index.js';
import { decodeLegacy, decodeV1, parseSse, postConversation, type Loose } from './support.js';

describe('conversation streams', () => {
  let sim: Simulator;
  let account: SimAccount;

  beforeAll(async () => {
    sim = await startSimulator();
    account = sim.issueAccount({ plan: 'plus' });
  });
  afterAll(() => sim.close());

  async function stream(prompt: string, opts: { v1?: boolean; model?: string; conversationId?: string; path?: string } = {}) {
    const res = await postConversation(sim.url, { prompt, token: account.accessToken, ...opts });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    return parseSse(await res.text());
  }

  it.each([false, true])('records the sha256, length and account of the body it wrote (v1: %s)', async (v1) => {
    const res = await postConversation(sim.url, { prompt: 'digest me', token: account.accessToken, v1 });
    const body = Buffer.from(await res.arrayBuffer());
    const { createHash } = await import('node:crypto');
    const last = sim.stats().lastStream;
    expect(last).toEqual({ accountId: account.accountId, sha256: createHash('sha256').update(body).digest('hex'), bytes: body.length, outcome: 'completed' });
  });

  it('legacy: cumulative parts end with exactly replyFor(prompt).text', async () => {
    const prompt = 'Hello simulator, how are you?';
    const events = await stream(prompt);
    const legacy = decodeLegacy(events);
    expect(replyFor(prompt).text).toBe('You said: Hello simulator, how are you?');
    expect(legacy.answer).toBe(replyFor(prompt).text);
    expect(legacy.inProgressEvents).toBe(7); // one word per chunk
    expect(legacy.finalMessage).toMatchObject({
      status: 'finished_successfully',
      end_turn: true,
      metadata: { finish_details: { type: 'stop' } },
    });
    expect(legacy.typed.map((t) => t.type)).toEqual(['title_generation', 'message_stream_complete']);
    expect(events[events.length - 1].data).toBe('[DONE]');
    // Every cumulative event extends the previous one.
    const parts = events
      .filter((e) => e.data.startsWith('{"message"'))
      .map((e) => JSON.parse(e.data).message.content.parts[0] as string);
    for (let i = 1; i < parts.length; i++) expect(parts[i].startsWith(parts[i - 1])).toBe(true);
  });

  it('v1: documents counted 0,1,2..., sticky appends, answer equals replyFor text', async () => {
    const prompt = 'Tell me [[sim words=40]]';
    const events = await stream(prompt, { v1: true, path: '/backend-api/f/conversation' });
    expect(events[0]).toEqual({ event: 'delta_encoding', data: '"v1"' });
    const v1 = decodeV1(events);
    expect(v1.counters).toEqual(v1.counters.map((_, i) => i));
    expect(v1.counters.length).toBe(5); // hidden system, preamble, tool call, tool result, answer
    expect(v1.answer).toBe(replyFor(prompt).text);
    expect(replyFor(prompt).text.split(' ')).toHaveLength(40);
    expect(v1.stickyFrames).toBeGreaterThan(10);
    expect(v1.explicitAppends).toBeGreaterThanOrEqual(4); // answer every 10th chunk + the preamble's first
    const types = v1.typed.map((t) => t.type);
    for (const t of ['input_message', 'server_ste_metadata', 'conversation_detail_metadata', 'title_generation']) {
      expect(types).toContain(t);
    }
    expect(types[types.length - 1]).toBe('message_stream_complete');
    expect(v1.done).toBe(true);
    const answerDoc = v1.documents[v1.documents.length - 1].message as Loose;
    expect(answerDoc).toMatchObject({ status: 'finished_successfully', end_turn: true, channel: 'final' });
    expect(answerDoc.metadata.finish_details).toEqual({ type: 'stop', stop_tokens: [200002] });
    const hidden = v1.documents[0].message as Loose;
    expect(hidden.metadata.is_visually_hidden_from_conversation).toBe(true);
  });

  it('v1: reasoning models stream thoughts and a recap before the answer', async () => {
    const prompt = 'Why is the sky blue?';
    const events = await stream(prompt, { v1: true, model: 'o3' });
    const v1 = decodeV1(events);
    const expected = replyFor(prompt, 'o3');
    expect(expected.reasoning).not.toBeNull();
    expect(v1.reasoning).toBe(expected.reasoning);
    expect(v1.answer).toBe(expected.text);
    const contentTypes = v1.documents.map((d) => (d.message as Loose).content.content_type);
    expect(contentTypes.slice(0, 3)).toEqual(['text', 'thoughts', 'reasoning_recap']);
    const recap = v1.documents[2].message as Loose;
    expect(recap.content.content).toMatch(/^Thought for \d+ seconds?$/);
    expect(replyFor(prompt).reasoning).toBeNull();
    expect(replyFor(`${prompt} [[sim reasoning=1]]`).reasoning).not.toBeNull();
  });

  it('legacy: reasoning=1 directive adds a thoughts message the answer excludes', async () => {
    const prompt = 'Think first [[sim reasoning=1]]';
    const events = await stream(prompt);
    const legacy = decodeLegacy(events);
    expect(legacy.answer).toBe(replyFor(prompt).text);
    const thoughts = events
      .map((e) => (e.data.startsWith('{"message"') ? JSON.parse(e.data).message : null))
      .filter((m) => m?.content.content_type === 'thoughts');
    expect(thoughts[thoughts.length - 1].content.thoughts[0].content).toBe(replyFor(prompt).reasoning);
  });

  it('handles emoji and CJK text in both encodings', async () => {
    const prompt = '你好，世界 👋🏽 déjà vu 🧑‍💻 [[sim chunks=7]]';
    const expected = replyFor(prompt).text;
    expect(expected).toBe('You said: 你好，世界 👋🏽 déjà vu 🧑‍💻');
    expect(decodeLegacy(await stream(prompt)).answer).toBe(expected);
    expect(decodeV1(await stream(prompt, { v1: true })).answer).toBe(expected);
  });

  it('chunks=N splits the answer into exactly N pieces', async () => {
    const prompt = 'one two three four five six seven eight [[sim chunks=3]]';
    const legacy = decodeLegacy(await stream(prompt));
    expect(legacy.inProgressEvents).toBe(3);
    expect(legacy.answer).toBe(replyFor(prompt).text);
    const many = 'abc [[sim chunks=12]]'; // "You said: abc" has 13 code points, 3 words
    expect(decodeLegacy(await stream(many)).inProgressEvents).toBe(12);
  });

  it('words=N is deterministic per prompt and differs between prompts', () => {
    const a = replyFor('seed one [[sim words=25]]').text;
    expect(replyFor('[[sim words=25]] seed one').text).toBe(a);
    expect(replyFor('seed two [[sim words=25]]').text).not.toBe(a);
    expect(a.split(' ')).toHaveLength(25);
    expect(replyFor('x [[sim words=0]]').text).toBe('');
  });

  it('keeps the conversation id the request gave and omits the title then', async () => {
    const conversationId = '6c1f2e55-6a7e-4d1c-9f83-0f6d4c1a2b3c';
    const events = await stream('again', { conversationId });
    const legacy = decodeLegacy(events);
    expect(legacy.typed.map((t) => t.type)).toEqual(['message_stream_complete']);
    expect(legacy.typed[0].conversation_id).toBe(conversationId);
    const first = JSON.parse(events[0].data);
    expect(first.conversation_id).toBe(conversationId);
    expect(first.message.id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('delay=MS spaces the chunks out', async () => {
    const started = Date.now();
    await stream('a b c d e [[sim chunks=5 delay=30]]');
    expect(Date.now() - started).toBeGreaterThanOrEqual(4 * 30 - 5);
  });

  it('ttfb=MS holds the headers back', async () => {
    const started = Date.now();
    const res = await postConversation(sim.url, { prompt: 'slow start [[sim ttfb=120]]', token: account.accessToken });
    expect(Date.now() - started).toBeGreaterThanOrEqual(110);
    expect(decodeLegacy(parseSse(await res.text())).answer).toBe(replyFor('slow start [[sim ttfb=120]]').text);
  });
});
