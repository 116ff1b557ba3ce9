import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import OpenAI from 'openai';
import { replyFor, type SimAccount } from '@chatgate/chatgpt-sim';
import { startStack, type Stack } from '../support/stack.js';

/**
 * What real clients send that chatgate used to ignore or refuse wrongly (issue 14's trial): `stop`,
 * `logprobs`, every `reasoning_effort` OpenAI takes, `max_tokens` on a model that does not reason,
 * speech `instructions`, a ChatGPT token asking for a platform-only endpoint, and CORS.
 */
describe('client details on chat completions and speech (ChatGPT upstream)', () => {
  let stack: Stack;
  let account: SimAccount;
  let client: OpenAI;

  beforeAll(async () => {
    stack = await startStack();
    account = stack.sim.issueAccount({ plan: 'plus' });
    client = stack.client(account.accessToken);
  });
  afterAll(() => stack?.close());

  const ask = (content: string) => [{ role: 'user' as const, content }];

  describe('stop', () => {
    const prompt = 'alpha beta STOP gamma delta [[sim chunks=12]]';
    const full = replyFor(prompt).text;
    const cut = full.slice(0, full.indexOf('STOP'));

    it('cuts a non-streamed answer before the first stop sequence, which is not sent', async () => {
      expect(full).toContain('STOP');
      const completion = await client.chat.completions.create({ model: 'gpt-4o', messages: ask(prompt), stop: ['gamma', 'STOP'] });
      expect(completion.choices[0].message.content).toBe(cut);
      expect(completion.choices[0].finish_reason).toBe('stop');
    });

    it('cuts a stream the same way, a stop sequence split across chunks included', async () => {
      const stream = await client.chat.completions.create({ model: 'gpt-4o', messages: ask(prompt), stop: 'STOP', stream: true });
      let text = '';
      let finish: string | null = null;
      for await (const chunk of stream) {
        text += chunk.choices[0]?.delta.content ?? '';
        finish = chunk.choices[0]?.finish_reason ?? finish;
      }
      expect(text).toBe(cut);
      expect(finish).toBe('stop');
    });

    it('sends the whole answer when no stop sequence occurs, held-back text included', async () => {
      // The answer ends with "delt", the start of a stop sequence that never completes.
      const unmet = 'the end is delt';
      const stream = await client.chat.completions.create({ model: 'gpt-4o', messages: ask(unmet), stop: ['delta', 'zzz'], stream: true });
      let text = '';
      for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
      expect(text).toBe(replyFor(unmet).text);
      const whole = await client.chat.completions.create({ model: 'gpt-4o', messages: ask(unmet), stop: ['delta'] });
      expect(whole.choices[0].message.content).toBe(replyFor(unmet).text);
    });

    it('refuses more than 4 stop sequences with a 400 naming stop', async () => {
      await expect(client.chat.completions.create({ model: 'gpt-4o', messages: ask('x'), stop: ['a', 'b', 'c', 'd', 'e'] })).rejects.toMatchObject({ status: 400, param: 'stop' });
    });
  });

  it('refuses logprobs and top_logprobs with a 400 naming the parameter, before the upstream', async () => {
    const before = stack.sim.stats().conversationRequests;
    await expect(client.chat.completions.create({ model: 'gpt-4o', messages: ask('x'), logprobs: true })).rejects.toMatchObject({
      status: 400,
      param: 'logprobs',
      code: 'unsupported_parameter',
      message: expect.stringMatching(/log probabilities.*not supported by the ChatGPT upstream/i),
    });
    await expect(client.chat.completions.create({ model: 'gpt-4o', messages: ask('x'), logprobs: false, top_logprobs: 3 })).rejects.toMatchObject({ status: 400, param: 'top_logprobs' });
    // logprobs: false asks for nothing the upstream lacks.
    const plain = await client.chat.completions.create({ model: 'gpt-4o', messages: ask('no probabilities'), logprobs: false });
    expect(plain.choices[0].message.content).toBe(replyFor('no probabilities').text);
    expect(stack.sim.stats().conversationRequests).toBe(before + 1);
  });

  it.each(['none', 'minimal', 'low', 'medium', 'high', 'xhigh'] as const)('accepts reasoning_effort %s as OpenAI does', async (effort) => {
    const completion = await client.chat.completions.create({ model: 'o3-mini', messages: ask(`effort ${effort}`), reasoning_effort: effort as OpenAI.ReasoningEffort });
    expect(completion.choices[0].message.content).toBe(replyFor(`effort ${effort}`, 'o3-mini').text);
  });

  it('spends max_tokens on the answer of a model that does not reason, even when the upstream shows reasoning', async () => {
    const prompt = 'A reasoned answer [[sim reasoning=1 words=60]]';
    expect(replyFor(prompt).reasoning!.length).toBeGreaterThan(40);
    const completion = await client.chat.completions.create({ model: 'gpt-4o', messages: ask(prompt), max_tokens: 5 });
    const message = completion.choices[0].message as { content: string | null; reasoning_content?: string };
    expect(message.content).toBeTruthy();
    expect(replyFor(prompt).text.startsWith(message.content!)).toBe(true);
    expect(completion.choices[0].finish_reason).toBe('length');
    expect(message.reasoning_content).toContain(replyFor(prompt).reasoning);
    // A reasoning model's limit counts its reasoning too (OpenAI's max_completion_tokens): the answer may be empty.
    const reasoned = await client.chat.completions.create({ model: 'o3-mini', messages: ask(prompt), max_completion_tokens: 5 });
    expect(reasoned.choices[0].finish_reason).toBe('length');
    expect(reasoned.choices[0].message.content ?? '').toBe('');
  });

  it('refuses speech instructions on a ChatGPT account saying why and what would serve them', async () => {
    await expect(client.audio.speech.create({ model: 'gpt-4o-mini-tts', voice: 'alloy', input: 'Hello.', instructions: 'Speak softly.' })).rejects.toMatchObject({
      status: 400,
      param: 'instructions',
      code: 'unsupported_parameter',
      message: expect.stringMatching(/Voice instructions.*not supported by the ChatGPT upstream\. A ChatGPT token reaches its own ChatGPT account only/),
    });
  });

  it('tells a ChatGPT token that embeddings need a chatgate key, never to ask for a route it cannot use', async () => {
    for (const model of ['text-embedding-3-small', 'gpt-4o']) {
      const refused = await client.embeddings.create({ model, input: 'x' }).then(
        () => null,
        (err: unknown) => err,
      );
      expect(refused).toMatchObject({ status: 403, code: 'platform_unavailable' });
      expect((refused as Error).message).not.toMatch(/administrator/);
      expect((refused as Error).message).toMatch(/ChatGPT token reaches its own ChatGPT account only/);
    }
  });

  it('sends no CORS headers and answers no preflight by default', async () => {
    const preflight = await fetch(`${stack.gatewayUrl}/v1/chat/completions`, {
      method: 'OPTIONS',
      headers: { origin: 'https://app.example.com', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' },
    });
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
    expect(preflight.status).toBe(404);
  });
});

describe('CORS for browser clients (CORS_ORIGINS)', () => {
  let stack: Stack;
  let account: SimAccount;
  const allowed = 'https://app.example.com';

  beforeAll(async () => {
    stack = await startStack({ gateway: { CORS_ORIGINS: `${allowed}, http://localhost:3000` } });
    account = stack.sim.issueAccount({ plan: 'plus' });
  });
  afterAll(() => stack?.close());

  const preflight = (origin: string) =>
    fetch(`${stack.gatewayUrl}/v1/chat/completions`, {
      method: 'OPTIONS',
      headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type,x-stainless-os' },
    });

  it('answers a preflight from an allowed origin with the methods and the headers asked for', async () => {
    const res = await preflight(allowed);
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe(allowed);
    expect(res.headers.get('access-control-allow-methods')).toContain('POST');
    expect(res.headers.get('access-control-allow-headers')).toBe('authorization,content-type,x-stainless-os');
    expect(res.headers.get('access-control-allow-credentials')).toBeNull();
    expect(res.headers.get('access-control-max-age')).toBe('600');
  });

  it('gives no allow-origin to an origin not listed', async () => {
    const res = await preflight('https://evil.example.net');
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('lets the official client, called from an allowed origin, read the answer and its request id', async () => {
    const seen: Headers[] = [];
    const client = new OpenAI({
      baseURL: `${stack.gatewayUrl}/v1`,
      apiKey: account.accessToken,
      fetch: async (url, init) => {
        const headers = new Headers(init?.headers);
        headers.set('origin', allowed);
        const res = await fetch(url, { ...init, headers });
        seen.push(res.headers);
        return res;
      },
    });
    const completion = await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'from a browser' }] });
    expect(completion.choices[0].message.content).toBe(replyFor('from a browser').text);
    expect(seen[0].get('access-control-allow-origin')).toBe(allowed);
    expect(seen[0].get('access-control-expose-headers')).toContain('x-request-id');
  });
});
