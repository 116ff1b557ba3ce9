import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import OpenAI from 'openai';
import { chatPromptTokens, platformTokens, replyFor, startSimulator, type Simulator } from '../src/index.js';

/** Raw SSE `data:` payloads of a response, `[DONE]` included. */
async function sseData(res: Response): Promise<string[]> {
  const text = await res.text();
  return text
    .split('\n\n')
    .filter((f) => f.startsWith('data: '))
    .map((f) => f.slice('data: '.length));
}

describe('platform API (/v1)', () => {
  let sim: Simulator;
  let key: string;
  let client: OpenAI;

  beforeAll(async () => {
    sim = await startSimulator();
    key = sim.issueApiKey();
    client = new OpenAI({ apiKey: key, baseURL: `${sim.url}/v1`, maxRetries: 0 });
  });
  afterAll(() => sim.close());

  const post = (path: string, body: unknown, apiKey = key) =>
    fetch(`${sim.url}/v1${path}`, { method: 'POST', headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });

  it('answers a chat completion with deterministic text and token counts', async () => {
    const messages = [{ role: 'user' as const, content: 'Hello there' }];
    const answer = await client.chat.completions.create({ model: 'gpt-4o', messages });
    const text = replyFor('Hello there').text;
    expect(answer.choices[0].message.content).toBe(text);
    expect(answer.usage).toMatchObject({ prompt_tokens: chatPromptTokens(messages), completion_tokens: platformTokens(text) });
  });

  it('calls the named tool with its required arguments, and answers n choices', async () => {
    const answer = await client.chat.completions.create({
      model: 'gpt-4o',
      n: 2,
      messages: [{ role: 'user', content: 'weather?' }],
      tools: [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } } }],
    });
    expect(answer.choices).toHaveLength(2);
    expect(answer.choices[0].finish_reason).toBe('tool_calls');
    const call = answer.choices[0].message.tool_calls?.[0];
    expect(call?.type === 'function' && call.function.name).toBe('get_weather');
    expect(call?.type === 'function' && JSON.parse(call.function.arguments)).toEqual({ city: 'alpha' });
  });

  it('answers JSON for response_format json_object', async () => {
    const answer = await client.chat.completions.create({ model: 'gpt-4o', response_format: { type: 'json_object' }, messages: [{ role: 'user', content: 'json please' }] });
    expect(JSON.parse(answer.choices[0].message.content ?? '')).toEqual({ answer: replyFor('json please').text });
  });

  it('streams with the usage chunk only when include_usage is asked, as OpenAI does', async () => {
    const body = { model: 'gpt-4o', stream: true, messages: [{ role: 'user', content: 'stream me' }] };
    const plain = await sseData(await post('/chat/completions', body));
    expect(plain.at(-1)).toBe('[DONE]');
    expect(plain.some((d) => d.includes('"usage"'))).toBe(false);

    const withUsage = await sseData(await post('/chat/completions', { ...body, stream_options: { include_usage: true } }));
    const chunks = withUsage.slice(0, -1).map((d) => JSON.parse(d) as { choices: unknown[]; usage: unknown });
    expect(chunks.slice(0, -1).every((c) => c.usage === null && c.choices.length === 1)).toBe(true);
    const last = chunks.at(-1)!;
    expect(last.choices).toEqual([]);
    expect(last.usage).toMatchObject({ prompt_tokens: chatPromptTokens(body.messages), completion_tokens: platformTokens(replyFor('stream me').text) });
  });

  it('serves completions, embeddings (base64 by default in the client), images, speech and models', async () => {
    const completion = await client.completions.create({ model: 'gpt-3.5-turbo-instruct', prompt: 'Say hi' });
    expect(completion.choices[0].text).toBe(replyFor('Say hi').text);

    const embedding = await client.embeddings.create({ model: 'text-embedding-3-small', input: ['one', 'two'], dimensions: 8 });
    expect(embedding.data).toHaveLength(2);
    expect(embedding.data[0].embedding).toHaveLength(8);
    expect(embedding.usage).toEqual({ prompt_tokens: platformTokens('one') + platformTokens('two'), total_tokens: platformTokens('one') + platformTokens('two') });
    const floats = await client.embeddings.create({ model: 'text-embedding-3-small', input: 'one', dimensions: 8, encoding_format: 'float' });
    expect(floats.data[0].embedding).toEqual(embedding.data[0].embedding);

    const image = await client.images.generate({ model: 'gpt-image-1', prompt: 'a cat' });
    expect(image.data?.[0].b64_json).toBeTruthy();
    expect(image.usage?.input_tokens).toBe(platformTokens('a cat'));

    const speech = await client.audio.speech.create({ model: 'tts-1', voice: 'alloy', input: 'hello' });
    expect(speech.headers.get('content-type')).toBe('audio/mpeg');
    expect(Buffer.from(await speech.arrayBuffer()).subarray(0, 8).toString()).toBe('SIMAUDIO');

    const models = await client.models.list();
    expect(models.data.map((m) => m.id)).toContain('text-embedding-3-small');
  });

  it('refuses unknown keys, unknown models and bad bodies in OpenAI error envelopes', async () => {
    const unknown = await post('/chat/completions', { model: 'gpt-4o', messages: [{ role: 'user', content: 'x' }] }, 'sk-unknown-key-000000');
    expect(unknown.status).toBe(401);
    expect(await unknown.json()).toMatchObject({ error: { code: 'invalid_api_key', type: 'invalid_request_error' } });
    const limited = sim.issueApiKey({ models: ['gpt-4o'] });
    const notAllowed = await post('/embeddings', { model: 'text-embedding-3-small', input: 'x' }, limited);
    expect(notAllowed.status).toBe(404);
    expect(await notAllowed.json()).toMatchObject({ error: { code: 'model_not_found' } });
    const noMessages = await post('/chat/completions', { model: 'gpt-4o', messages: [] });
    expect(noMessages.status).toBe(400);
  });

  it('injects 401, 429 with retry-after (seconds, date or none) and 500 per key, counted down, and counts requests per key', async () => {
    const k = sim.issueApiKey();
    const body = { model: 'gpt-4o', messages: [{ role: 'user', content: 'x' }] };
    sim.setApiKeyBehaviour(k, { fail: '429', times: 1, retryAfter: 7 });
    const limited = await post('/chat/completions', body, k);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('7');
    expect(await limited.json()).toMatchObject({ error: { code: 'rate_limit_exceeded' } });
    expect((await post('/chat/completions', body, k)).status).toBe(200);

    const date = new Date(Date.now() + 30_000).toUTCString();
    sim.setApiKeyBehaviour(k, { fail: '429', times: 1, retryAfter: date });
    expect((await post('/chat/completions', body, k)).headers.get('retry-after')).toBe(date);
    sim.setApiKeyBehaviour(k, { fail: '429', times: 1, retryAfter: null });
    expect((await post('/chat/completions', body, k)).headers.get('retry-after')).toBeNull();

    sim.setApiKeyBehaviour(k, { fail: '500', times: 1 });
    expect((await post('/chat/completions', body, k)).status).toBe(500);
    sim.setApiKeyBehaviour(k, { fail: '401' });
    expect((await post('/chat/completions', body, k)).status).toBe(401);
    expect((await post('/chat/completions', body, k)).status).toBe(401);
    expect(sim.stats().platform.byKey[k]).toEqual({ '/v1/chat/completions': 7 });
  });

  it('accepts the key in an api-key header and records api-version (Azure style)', async () => {
    const res = await fetch(`${sim.url}/v1/chat/completions?api-version=2024-10-21`, { method: 'POST', headers: { 'api-key': key, 'content-type': 'application/json' }, body: JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'x' }] }) });
    expect(res.status).toBe(200);
    expect(sim.stats().platform.lastRequest).toMatchObject({ azure: true, apiVersion: '2024-10-21' });
  });
});
