import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import OpenAI, { APIError } from 'openai';
import { zodTextFormat } from 'openai/helpers/zod';
import { z } from 'zod';
import { responsesCreateRequestSchema } from '@chatgate/contracts';
import { ChunkEncoder } from '../../src/openai/chat-completion-format.js';
import { chatToResponsesRequest } from '../../src/openai/chat-to-responses.js';
import { codexRequestRules } from '../../src/openai/codex-request-rules.js';
import { ResponsesEventWriter } from '../../src/openai/responses-event-writer.js';
import { ResponsesRelay } from '../../src/openai/responses-relay.js';
import { ResponseAccumulator, ResponsesEventReader } from '../../src/openai/responses-stream.js';
import { chatCompletionFromResponses, ResponsesToChatStream, sumChatUsage } from '../../src/openai/responses-to-chat.js';
import { toOpenAIUsage } from '../../src/openai/chat-completion-format.js';
import { PARALLEL_TOOL_CALLS, TEXT_WITH_REASONING, sseOf } from './responses-fixtures.js';

/**
 * The official `openai` client against this library's output, served by a tiny local HTTP server:
 * what the SDK's stream helpers accept (event order, snapshots, final objects) is the test. The
 * "upstream" is the fixtures, read back through the SSE reader as a worker would read the backend.
 */
type Event = Record<string, unknown> & { type: string };
type Body = Record<string, unknown>;

const usage = { input_tokens: 21, input_tokens_details: { cached_tokens: 4 }, output_tokens: 9, output_tokens_details: { reasoning_tokens: 2 }, total_tokens: 30 };

/** What the backend would stream, read from its bytes (split unevenly) by the lib's reader. */
function upstream(events: Event[]): Event[] {
  const bytes = new TextEncoder().encode(sseOf(events));
  const reader = new ResponsesEventReader();
  const out: Event[] = [];
  for (let i = 0; i < bytes.length; i += 97) out.push(...reader.push(bytes.subarray(i, i + 97)));
  return [...out, ...reader.end()];
}

/** The writer's script per model name: the chatgate side of a /v1/responses answer on a web account. */
function writerScript(model: string, writer: ResponsesEventWriter): string {
  switch (model) {
    case 'writer-text':
      return writer.start() + writer.reasoning('Greeting ') + writer.reasoning('back.') + writer.text('Hello') + writer.text(', world') + writer.end({ status: 'completed', usage });
    case 'writer-json':
      return writer.text('{"city":"Paris",') + writer.text('"celsius":18}') + writer.end({ status: 'completed', usage });
    case 'writer-tool':
      return (
        writer.text('Calling.') +
        writer.functionCallStart({ name: 'get_weather', callId: 'call_w1' }) +
        writer.functionCallArguments('{"city":') +
        writer.functionCallArguments('"Paris"}') +
        writer.functionCallDone() +
        writer.end({ status: 'completed', usage })
      );
    case 'writer-fail':
      return writer.text('Partial') + writer.fail({ code: 'upstream_error', message: 'The upstream failed mid-answer.' });
    default:
      throw new Error(`no script for ${model}`);
  }
}

const requests: { path: string; body: Body }[] = [];

async function readBody(req: IncomingMessage): Promise<Body> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8')) as Body;
}

function sse(res: ServerResponse, text: string): void {
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  res.end(text);
}

function json(res: ServerResponse, body: unknown): void {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

function responses(body: Body, res: ServerResponse): void {
  const parsed = responsesCreateRequestSchema.safeParse(body);
  if (!parsed.success) {
    res.writeHead(400, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: { message: parsed.error.message, type: 'invalid_request_error', param: null, code: null } }));
    return;
  }
  const model = String(body.model);
  if (model.startsWith('relay-')) {
    const relay = new ResponsesRelay({ id: 'resp_relayed', request: body });
    const frames = upstream(model === 'relay-text' ? TEXT_WITH_REASONING : PARALLEL_TOOL_CALLS).map((e) => relay.push(e)).join('') + relay.end();
    if (body.stream === true) return sse(res, frames);
    return json(res, relay.finalResponse());
  }
  const writer = new ResponsesEventWriter({ model, request: body });
  const frames = writerScript(model, writer);
  if (body.stream === true) return sse(res, frames);
  json(res, writer.response());
}

/** Chat completions on a "Codex account": chat → Responses → body rules → upstream events → chunks. */
function chatCompletions(body: Body, res: ServerResponse): void {
  const { request, choices } = chatToResponsesRequest(body, { reasoningSummary: 'auto' });
  const { body: codexBody, refused } = codexRequestRules(request);
  expect(refused).toEqual([]);
  requests.push({ path: '/codex/responses', body: codexBody });
  const answeredTools = codexBody.input.some((item) => item.type === 'function_call_output');
  const script = answeredTools ? TEXT_WITH_REASONING : PARALLEL_TOOL_CALLS;
  const identity = { id: 'chatcmpl-sdk', created: 1767225600, model: String(body.model) };
  const runs = Array.from({ length: choices }, (_, i) => upstream(i % 2 === 0 ? script : TEXT_WITH_REASONING));
  if (body.stream !== true) {
    const results = runs.map((events) => {
      const acc = new ResponseAccumulator();
      events.forEach((e) => acc.push(e));
      return acc.result();
    });
    return json(res, chatCompletionFromResponses(identity, results));
  }
  const includeUsage = (body.stream_options as Body | undefined)?.include_usage === true;
  const encoder = new ChunkEncoder(identity, includeUsage);
  const translators = runs.map((_, i) => new ResponsesToChatStream(encoder, i));
  let out = '';
  const longest = Math.max(...runs.map((r) => r.length));
  for (let step = 0; step < longest; step++) runs.forEach((events, i) => events[step] && (out += translators[i].push(events[step])));
  const outcomes = translators.map((t) => t.outcome);
  if (includeUsage) out += encoder.usage(toOpenAIUsage(sumChatUsage(outcomes.map((o) => (o?.kind === 'finished' ? o.usage : null)))));
  sse(res, out + ChunkEncoder.DONE);
}

let server: Server;
let client: OpenAI;

beforeAll(async () => {
  server = createServer((req, res) => {
    void readBody(req).then((body) => {
      requests.push({ path: req.url ?? '', body });
      if (req.url === '/v1/responses') return responses(body, res);
      if (req.url === '/v1/chat/completions') return chatCompletions(body, res);
      res.writeHead(404).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  client = new OpenAI({ baseURL: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`, apiKey: 'sk-test', maxRetries: 0 });
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('the openai SDK reads the Responses writer', () => {
  it('responses.stream(): deltas with snapshots, finalResponse with reasoning, text and usage', async () => {
    const snapshots: string[] = [];
    const stream = client.responses.stream({ model: 'writer-text', input: 'hi' }).on('response.output_text.delta', (e) => snapshots.push(e.snapshot));
    const final = await stream.finalResponse();
    expect(snapshots).toEqual(['Hello', 'Hello, world']);
    expect(final.output_text).toBe('Hello, world');
    expect(final.output.map((o) => o.type)).toEqual(['reasoning', 'message']);
    expect(final.output[0]).toMatchObject({ type: 'reasoning', summary: [{ type: 'summary_text', text: 'Greeting back.' }] });
    expect(final.usage).toEqual(usage);
    expect(final.status).toBe('completed');
  });

  it('responses.create({stream: false}): one Response object the SDK reads', async () => {
    const response = await client.responses.create({ model: 'writer-text', input: [{ role: 'user', content: 'hi' }], stream: false });
    expect(response.output_text).toBe('Hello, world');
    expect(response.id).toMatch(/^resp_/);
  });

  it('a function call: the stream helper accumulates its arguments', async () => {
    const args: string[] = [];
    const stream = client.responses
      .stream({ model: 'writer-tool', input: 'weather?', tools: [{ type: 'function', name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } }, strict: false }] })
      .on('response.function_call_arguments.delta', (e) => args.push(e.snapshot));
    const final = await stream.finalResponse();
    expect(args).toEqual(['{"city":', '{"city":"Paris"}']);
    expect(final.output.at(-1)).toMatchObject({ type: 'function_call', call_id: 'call_w1', name: 'get_weather', arguments: '{"city":"Paris"}', status: 'completed' });
  });

  it('responses.parse with a zod text format parses the written JSON', async () => {
    const answer = z.object({ city: z.string(), celsius: z.number() });
    const parsed = await client.responses.parse({ model: 'writer-json', input: 'weather?', text: { format: zodTextFormat(answer, 'weather') } });
    expect(parsed.output_parsed).toEqual({ city: 'Paris', celsius: 18 });
    const body = requests.findLast((r) => r.path === '/v1/responses')!.body;
    expect(responsesCreateRequestSchema.parse(body).text?.format).toMatchObject({ type: 'json_schema', name: 'weather', strict: true });
  });

  it('a failure after the start reaches the SDK as a thrown error', async () => {
    const stream = await client.responses.create({ model: 'writer-fail', input: 'hi', stream: true });
    const seen: string[] = [];
    const iterate = async () => {
      for await (const event of stream) seen.push(event.type);
    };
    await expect(iterate()).rejects.toThrow(APIError);
    await expect((async () => {
      const again = await client.responses.create({ model: 'writer-fail', input: 'hi', stream: true });
      for await (const _ of again) void _;
    })()).rejects.toThrow('The upstream failed mid-answer.');
    expect(seen).toContain('response.output_text.delta');
  });
});

describe('the openai SDK reads the relayed Codex stream', () => {
  it('finalResponse has the rebuilt output although the backend completed with none', async () => {
    const final = await client.responses.stream({ model: 'relay-text', input: 'hi', store: false }).finalResponse();
    expect(final.id).toBe('resp_relayed');
    expect(final.output.map((o) => o.type)).toEqual(['reasoning', 'message']);
    expect(final.output_text).toBe('Hello! How can I help?');
    expect(final.usage?.input_tokens_details.cached_tokens).toBe(12);
  });

  it('parallel function calls, streamed and not', async () => {
    const streamed = await client.responses.stream({ model: 'relay-tools', input: 'weather in Paris and Tokyo' }).finalResponse();
    const calls = streamed.output.filter((o) => o.type === 'function_call');
    expect(calls.map((c) => [c.call_id, c.arguments])).toEqual([
      ['call_paris', '{"city":"Paris"}'],
      ['call_tokyo', '{"city":"Tokyo"}'],
    ]);
    const whole = await client.responses.create({ model: 'relay-tools', input: 'weather in Paris and Tokyo' });
    expect(whole.output.filter((o) => o.type === 'function_call')).toHaveLength(2);
  });
});

describe('the openai SDK reads the chat chunks translated from Responses', () => {
  const weather = {
    type: 'function' as const,
    function: { name: 'get_weather', description: 'Weather of a city', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } },
  };

  it('chat.completions.stream + finalChatCompletion: parallel tool calls and finish_reason tool_calls', async () => {
    const stream = client.chat.completions.stream({ model: 'gpt-5.5', messages: [{ role: 'user', content: 'Weather in Paris and Tokyo?' }], tools: [weather], stream_options: { include_usage: true } });
    const argumentsDone: string[] = [];
    stream.on('tool_calls.function.arguments.done', (e) => argumentsDone.push(`${e.name}:${e.arguments}`));
    const final = await stream.finalChatCompletion();
    expect(final.choices[0].finish_reason).toBe('tool_calls');
    expect(final.choices[0].message.content).toBe('Checking both cities.');
    expect(final.choices[0].message.tool_calls).toEqual([
      { id: 'call_paris', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
      { id: 'call_tokyo', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Tokyo"}' } },
    ]);
    expect(argumentsDone).toEqual(['get_weather:{"city":"Paris"}', 'get_weather:{"city":"Tokyo"}']);
    expect(final.usage).toMatchObject({ prompt_tokens: 120, completion_tokens: 48, prompt_tokens_details: { cached_tokens: 64 }, completion_tokens_details: { reasoning_tokens: 16 } });
  });

  it.each([true, false])('runTools (stream %s) runs the tool loop to the final answer', async (stream) => {
    requests.length = 0;
    const asked: string[] = [];
    const getWeather = ({ city }: { city: string }) => {
      asked.push(city);
      return city === 'Paris' ? '18°C' : '22°C';
    };
    const parse = (input: string) => JSON.parse(input) as { city: string };
    const tools = [{ type: 'function' as const, function: { function: getWeather, parse, name: 'get_weather', description: 'Weather of a city', parameters: weather.function.parameters } }];
    const messages = [{ role: 'user' as const, content: 'Weather in Paris and Tokyo?' }];
    const runner = stream
      ? client.chat.completions.runTools({ model: 'gpt-5.5', stream: true, messages, tools })
      : client.chat.completions.runTools({ model: 'gpt-5.5', messages, tools });
    expect(await runner.finalContent()).toBe('Hello! How can I help?');
    expect(asked).toEqual(['Paris', 'Tokyo']);
    const second = requests.filter((r) => r.path === '/codex/responses')[1].body as { input: Body[] };
    expect(second.input.map((i) => i.type)).toEqual(['message', 'message', 'function_call', 'function_call', 'function_call_output', 'function_call_output']);
    expect(second.input.slice(4)).toEqual([
      { type: 'function_call_output', call_id: 'call_paris', output: '18°C' },
      { type: 'function_call_output', call_id: 'call_tokyo', output: '22°C' },
    ]);
  });

  it('n = 2 streamed: two choices, each finished, reasoning in reasoning_content', async () => {
    const stream = client.chat.completions.stream({ model: 'gpt-5.5', n: 2, messages: [{ role: 'user', content: 'hi' }, { role: 'assistant', content: 'x' }, { role: 'tool', tool_call_id: 'call_x', content: 'done' }] });
    let reasoning = '';
    stream.on('chunk', (chunk) => (reasoning += (chunk.choices[0]?.delta as { reasoning_content?: string } | undefined)?.reasoning_content ?? ''));
    const final = await stream.finalChatCompletion();
    expect(final.choices.map((c) => [c.index, c.finish_reason, c.message.content])).toEqual([
      [0, 'stop', 'Hello! How can I help?'],
      [1, 'stop', 'Hello! How can I help?'],
    ]);
    expect(reasoning).toContain('**Responding to a greeting**');
  });

  it('chat.completions.create non-streamed: tool calls and usage', async () => {
    const completion = await client.chat.completions.create({ model: 'gpt-5.5', messages: [{ role: 'user', content: 'Weather?' }], tools: [weather] });
    expect(completion.choices[0].finish_reason).toBe('tool_calls');
    expect(completion.choices[0].message.tool_calls?.map((c) => (c.type === 'function' ? c.function.arguments : ''))).toEqual(['{"city":"Paris"}', '{"city":"Tokyo"}']);
    expect(completion.usage?.prompt_tokens_details?.cached_tokens).toBe(64);
  });
});
