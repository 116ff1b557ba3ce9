import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import OpenAI from 'openai';
import { zodTextFormat } from 'openai/helpers/zod';
import { z } from 'zod';
import { platformTokens, replyFor, responsesInputTokens, startSimulator, type Simulator } from '../src/index.js';
import { parseResponsesEvents, PIXEL_PNG_DATA_URL, type Loose } from './support.js';

const WEATHER = {
  type: 'function' as const,
  name: 'get_weather',
  description: 'Weather for a city',
  strict: true,
  parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'], additionalProperties: false },
};

describe('platform Responses API (/v1/responses)', () => {
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
  const get = (path: string, apiKey = key) => fetch(`${sim.url}/v1${path}`, { headers: { authorization: `Bearer ${apiKey}` } });

  it('creates a response (not streamed) with the deterministic answer and usage, and stores it by default', async () => {
    const response = await client.responses.create({ model: 'gpt-4o', input: 'Hello there', instructions: 'Be kind.' });
    expect(response).toMatchObject({ object: 'response', status: 'completed', model: 'gpt-4o', store: true, instructions: 'Be kind.', previous_response_id: null, error: null });
    expect(response.id).toMatch(/^resp_/);
    expect(response.output_text).toBe(replyFor('Hello there').text);
    const input = responsesInputTokens('Hello there', 'Be kind.');
    expect(response.usage).toEqual({ input_tokens: input, input_tokens_details: { cached_tokens: 0 }, output_tokens: platformTokens(replyFor('Hello there').text), output_tokens_details: { reasoning_tokens: 0 }, total_tokens: input + platformTokens(replyFor('Hello there').text) });
    const stored = await client.responses.retrieve(response.id);
    expect(stored.output).toEqual(response.output);
    const items = await client.responses.inputItems.list(response.id);
    expect(items.data).toHaveLength(1);
    expect(items.data[0]).toMatchObject({ type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Hello there' }] });
    expect(items.data[0].id).toMatch(/^msg_/);
    expect(sim.storedResponses(key)).toContain(response.id);
  });

  it('streams with sequence_number in the SDK helper order; responses.stream().finalResponse() accepts it', async () => {
    const raw = await post('/responses', { model: 'gpt-4o', input: 'stream me please', stream: true });
    expect(raw.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const text = await raw.text();
    expect(text).not.toContain('[DONE]');
    const events = parseResponsesEvents(text);
    expect(events[0].data.type).toBe('response.created');
    expect(events.map((e) => e.data.sequence_number)).toEqual(events.map((_, i) => i));
    expect(events.at(-1)!.data.type).toBe('response.completed');
    expect(events.at(-1)!.data.response.output).toHaveLength(1);

    const seen: string[] = [];
    const stream = client.responses.stream({ model: 'gpt-4o', input: 'stream me please' });
    stream.on('event', (e) => seen.push(e.type));
    let snapshot = '';
    stream.on('response.output_text.delta', (e) => (snapshot = e.snapshot));
    const final = await stream.finalResponse();
    expect(final.output_text).toBe(replyFor('stream me please').text);
    expect(snapshot).toBe(replyFor('stream me please').text);
    expect(seen.slice(0, 4)).toEqual(['response.created', 'response.in_progress', 'response.output_item.added', 'response.content_part.added']);
    expect(seen.at(-1)).toBe('response.completed');
    // The stored response completes when the stream does.
    expect((await client.responses.retrieve(final.id)).status).toBe('completed');
  });

  it('runs a function-tool loop with function_call_output, over previous_response_id and over full items', async () => {
    const first = await client.responses.create({ model: 'gpt-4o', input: 'Oslo', tools: [WEATHER] });
    const call = first.output[0];
    expect(call.type).toBe('function_call');
    if (call.type !== 'function_call') throw new Error('no call');
    expect(JSON.parse(call.arguments)).toEqual({ city: 'Oslo' });
    const second = await client.responses.create({ model: 'gpt-4o', previous_response_id: first.id, tools: [WEATHER], input: [{ type: 'function_call_output', call_id: call.call_id, output: '{"temp":-3}' }] });
    expect(second.output_text).toBe('The tool get_weather returned: {"temp":-3}');
    expect(second.previous_response_id).toBe(first.id);
    // Read from the stored history: cached.
    expect(second.usage?.input_tokens_details.cached_tokens).toBe(responsesInputTokens([{ role: 'user', content: 'Oslo' }, { type: 'function_call', name: call.name, arguments: call.arguments, call_id: call.call_id }]));

    // Streamed, stateless, with the items sent back (as the Agents SDK does without previous_response_id).
    const streamed = await client.responses.stream({ model: 'gpt-4o', input: 'Bergen', tools: [WEATHER], store: false }).finalResponse();
    const streamedCall = streamed.output[0];
    if (streamedCall.type !== 'function_call') throw new Error('no call');
    const answer = await client.responses
      .stream({ model: 'gpt-4o', store: false, tools: [WEATHER], input: [{ role: 'user', content: 'Bergen' }, streamedCall, { type: 'function_call_output', call_id: streamedCall.call_id, output: 'rain' }] })
      .finalResponse();
    expect(answer.output_text).toBe('The tool get_weather returned: rain');
  });

  it('answers text.format json_schema, so responses.parse with a zod schema parses', async () => {
    const Event = z.object({ name: z.string(), attendees: z.array(z.string()), day: z.number().int().min(1).max(31), remote: z.boolean(), note: z.string().nullable() });
    const parsed = await client.responses.parse({ model: 'gpt-4o', input: 'Team lunch', text: { format: zodTextFormat(Event, 'event') } });
    expect(parsed.output_parsed).toEqual({ name: 'Team lunch', attendees: ['Team lunch'], day: 1, remote: true, note: 'Team lunch' });
    const refused = await post('/responses', { model: 'gpt-4o', input: 'x', text: { format: { type: 'json_schema', schema: {} } } });
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as Loose).error.param).toBe('text.format.name');
  });

  it('continues over three turns with previous_response_id; an unknown id is a 404', async () => {
    const one = await client.responses.create({ model: 'gpt-4o', input: 'first' });
    const two = await client.responses.create({ model: 'gpt-4o', input: 'second', previous_response_id: one.id });
    const three = await client.responses.create({ model: 'gpt-4o', input: 'third', previous_response_id: two.id });
    expect(three.output_text).toBe(replyFor('third').text);
    const history = [
      { role: 'user', content: 'first' },
      { role: 'assistant', content: replyFor('first').text },
      { role: 'user', content: 'second' },
      { role: 'assistant', content: replyFor('second').text },
    ];
    expect(three.usage?.input_tokens).toBe(responsesInputTokens([...history, { role: 'user', content: 'third' }]));
    expect(three.usage?.input_tokens_details.cached_tokens).toBe(responsesInputTokens(history));
    const unknown = await post('/responses', { model: 'gpt-4o', input: 'x', previous_response_id: 'resp_nope' });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({ error: { message: "Previous response with id 'resp_nope' not found.", type: 'invalid_request_error', param: 'previous_response_id', code: 'previous_response_not_found' } });
  });

  it('holds responses per key: another key gets 404 for the id, as a follow-up and on GET', async () => {
    const mine = await client.responses.create({ model: 'gpt-4o', input: 'private' });
    const other = sim.issueApiKey();
    const got = await get(`/responses/${mine.id}`, other);
    expect(got.status).toBe(404);
    expect(await got.json()).toEqual({ error: { message: `Response with id '${mine.id}' not found.`, type: 'invalid_request_error', param: null, code: null } });
    expect((await post('/responses', { model: 'gpt-4o', input: 'x', previous_response_id: mine.id }, other)).status).toBe(404);
    expect((await get(`/responses/${mine.id}/input_items`, other)).status).toBe(404);
    expect(sim.storedResponses(other)).toEqual([]);
  });

  it('deletes, keeps nothing with store: false, pages input items', async () => {
    const gone = await client.responses.create({ model: 'gpt-4o', input: 'delete me' });
    const deleted = await fetch(`${sim.url}/v1/responses/${gone.id}`, { method: 'DELETE', headers: { authorization: `Bearer ${key}` } });
    expect(await deleted.json()).toEqual({ id: gone.id, object: 'response', deleted: true });
    expect((await get(`/responses/${gone.id}`)).status).toBe(404);
    await expect(client.responses.delete(gone.id)).rejects.toMatchObject({ status: 404 });

    const unstored = await client.responses.create({ model: 'gpt-4o', input: 'ephemeral', store: false });
    expect((unstored as Loose).store).toBe(false);
    expect((await get(`/responses/${unstored.id}`)).status).toBe(404);

    const many = await client.responses.create({ model: 'gpt-4o', input: [{ role: 'user', content: 'a' }, { role: 'assistant', content: 'b' }, { role: 'user', content: 'c' }] });
    const page = (await (await get(`/responses/${many.id}/input_items?limit=2&order=asc`)).json()) as Loose;
    expect(page.data.map((i: Loose) => i.content[0].text)).toEqual(['a', 'b']);
    expect(page.has_more).toBe(true);
    const rest = (await (await get(`/responses/${many.id}/input_items?order=asc&after=${page.last_id}`)).json()) as Loose;
    expect(rest.data.map((i: Loose) => i.content[0].text)).toEqual(['c']);
    const newestFirst = await client.responses.inputItems.list(many.id);
    expect(newestFirst.data.map((i) => (i.type === 'message' ? (i.content[0] as Loose).text : ''))).toEqual(['c', 'b', 'a']);
  });

  it('runs background responses that cancel can stop; cancelling anything else is a 400', async () => {
    const queued = await client.responses.create({ model: 'gpt-4o', input: 'slow [[sim ttfb=5000]]', background: true });
    expect(queued.status).toBe('queued');
    const cancelled = await client.responses.cancel(queued.id);
    expect(cancelled.status).toBe('cancelled');
    expect((await client.responses.retrieve(queued.id)).status).toBe('cancelled');
    const quick = await client.responses.create({ model: 'gpt-4o', input: 'quick', background: true });
    await new Promise((r) => setTimeout(r, 20));
    const done = await client.responses.retrieve(quick.id);
    expect(done.status).toBe('completed');
    expect(done.output_text).toBe(replyFor('quick').text);
    await expect(client.responses.cancel(quick.id)).rejects.toMatchObject({ status: 400 });
    const plain = await client.responses.create({ model: 'gpt-4o', input: 'plain' });
    await expect(client.responses.cancel(plain.id)).rejects.toMatchObject({ status: 400 });
  });

  it('compacts and counts input tokens', async () => {
    const compacted = await client.responses.compact({ model: 'gpt-4o', input: [{ role: 'user', content: 'one' }, { role: 'assistant', content: 'two' }, { role: 'user', content: 'three' }] });
    expect(compacted.object).toBe('response.compaction');
    expect(compacted.output.map((i) => i.type)).toEqual(['message', 'message', 'compaction']);
    const next = await client.responses.create({ model: 'gpt-4o', input: [...(compacted.output as Loose[]), { role: 'user', content: 'four' }] });
    expect(next.output_text).toBe(replyFor('four').text);
    const counted = await client.responses.inputTokens.count({ model: 'gpt-4o', input: 'count these words', instructions: 'sys' });
    expect(counted).toEqual({ object: 'response.input_tokens', input_tokens: responsesInputTokens('count these words', 'sys') });
  });

  it('reasons when asked (summary streamed, encrypted content when included) and cuts at max_output_tokens', async () => {
    const final = await client.responses
      .stream({ model: 'gpt-4o', input: 'think', reasoning: { effort: 'low', summary: 'auto' }, include: ['reasoning.encrypted_content'], store: false })
      .finalResponse();
    const [reasoning] = final.output;
    if (reasoning.type !== 'reasoning') throw new Error('no reasoning');
    expect(reasoning.summary).toHaveLength(2);
    expect(reasoning.encrypted_content).toMatch(/^gAAAAA/);
    expect(final.usage?.output_tokens_details.reasoning_tokens).toBeGreaterThan(0);
    expect(final.output_text).toBe(replyFor('think').text);

    const cut = await client.responses.create({ model: 'gpt-4o', input: 'long [[sim words=200]]', max_output_tokens: 16 });
    expect(cut.status).toBe('incomplete');
    expect(cut.incomplete_details).toEqual({ reason: 'max_output_tokens' });
    expect(cut.usage?.output_tokens).toBe(16);
    expect(replyFor('long [[sim words=200]]').text.startsWith(cut.output_text)).toBe(true);
    const streamedCut = parseResponsesEvents(await (await post('/responses', { model: 'gpt-4o', input: 'long [[sim words=200]]', max_output_tokens: 16, stream: true })).text());
    expect(streamedCut.at(-1)!.data.type).toBe('response.incomplete');
    const tooSmall = await post('/responses', { model: 'gpt-4o', input: 'x', max_output_tokens: 5 });
    expect(tooSmall.status).toBe(400);
    expect(((await tooSmall.json()) as Loose).error.code).toBe('integer_below_min_value');
  });

  it('acknowledges images in the answer', async () => {
    const response = await client.responses.create({ model: 'gpt-4o', input: [{ role: 'user', content: [{ type: 'input_text', text: 'Look' }, { type: 'input_image', image_url: PIXEL_PNG_DATA_URL, detail: 'auto' }] }] });
    expect(response.output_text).toBe(`${replyFor('Look').text} [image 1: image/png, 70 bytes, 1x1]`);
  });

  it('fails a stream with response.failed; the stream helper reports the failed response', async () => {
    const final = await client.responses.stream({ model: 'gpt-4o', input: 'a b c d [[sim fail=stream_error after=1]]', store: false }).finalResponse();
    expect(final.status).toBe('failed');
    expect(final.error).toMatchObject({ code: 'server_error' });
  });

  it('injects 401/429/500 per key and counts requests per key and path', async () => {
    const k = sim.issueApiKey();
    const body = { model: 'gpt-4o', input: 'x' };
    sim.setApiKeyBehaviour(k, { fail: '429', times: 1, retryAfter: 3 });
    const limited = await post('/responses', body, k);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('3');
    expect(((await limited.json()) as Loose).error.code).toBe('rate_limit_exceeded');
    const created = (await (await post('/responses', body, k)).json()) as Loose;
    sim.setApiKeyBehaviour(k, { fail: '500', times: 1 });
    expect((await get(`/responses/${created.id}`, k)).status).toBe(500);
    sim.setApiKeyBehaviour(k, { fail: '401', times: 1 });
    expect((await post(`/responses/${created.id}/cancel`, {}, k)).status).toBe(401);
    expect((await get(`/responses/${created.id}`, k)).status).toBe(200);
    expect(sim.stats().platform.byKey[k]).toEqual({ '/v1/responses': 2, '/v1/responses/{id}': 2, '/v1/responses/{id}/cancel': 1 });
    const noModel = await post('/responses', { input: 'x' }, k);
    expect(noModel.status).toBe(400);
    const wrongMethod = await fetch(`${sim.url}/v1/responses/${created.id}/cancel`, { headers: { authorization: `Bearer ${k}` } });
    expect(wrongMethod.status).toBe(405);
    expect(((await wrongMethod.json()) as Loose).error.message).toBe(`Method GET not allowed on /v1/responses/${created.id}/cancel.`);
  });

  it('checks the items: an unpaired tool output and bad input types are 400s', async () => {
    const orphan = await post('/responses', { model: 'gpt-4o', input: [{ type: 'function_call_output', call_id: 'call_x', output: '1' }] });
    expect(orphan.status).toBe(400);
    expect(((await orphan.json()) as Loose).error.message).toBe('No tool call found for function call output with call_id call_x.');
    expect((await post('/responses', { model: 'gpt-4o', input: { not: 'valid' } })).status).toBe(400);
    expect((await post('/responses', { model: 'gpt-4o' })).status).toBe(400);
  });
});
