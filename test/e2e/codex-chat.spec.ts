import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import OpenAI from 'openai';
import { zodResponseFormat } from 'openai/helpers/zod';
import type pg from 'pg';
import { z } from 'zod';
import type { CodexLogin } from '@chatgate/chatgpt-sim';
import { waitFor, type LooseJson } from '@chatgate/testing';
import { startStack, type Stack } from '../support/stack.js';
import { connectStackDatabase } from '../support/stack-database.js';
import { pdfDocument, pngImage } from '../support/test-files.js';

const ADMIN_PASSWORD = 'codex-chat-admin-pw-51d';
/** The tenant's table: the gpt-5 family goes to its Codex accounts, everything else stays where it was. */
const ROUTES = [{ model: 'gpt-5*', upstream: 'codex' }];
/** Codex accounts cost nothing unless listed: this test lists one model, at a price no small budget holds. */
const PRICE_TABLE = JSON.stringify({ codex: { 'gpt-5.4-mini': { prompt: 1_000_000, completion: 1_000_000 } } });
const IMAGE = pngImage(3, 2, 7);

interface AccountView {
  id: string;
  kind?: string;
  status: string;
  lastError: { message: string } | null;
  codex?: { plan: string | null; limitedUntil: string | null; primary: { usedPercent: number } | null } | null;
}

describe('chat completions on Codex accounts, with the official client, through the gateway and a gateway key', () => {
  let stack: Stack;
  let db: pg.Client;
  let imageHost: Server;
  let imageUrl: string;
  /** Two Codex logins (plan plus) every general case may use, and the ann user's client on them. */
  const logins: Record<string, CodexLogin> = {};
  const ids: Record<string, string> = {};
  let ann: OpenAI;

  const admin = async (method: string, path: string, body?: unknown) =>
    fetch(`${stack.gatewayUrl}${path}`, { method, headers: { authorization: `Bearer ${ADMIN_PASSWORD}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  const adminJson = async (method: string, path: string, body?: unknown): Promise<LooseJson> => {
    const res = await admin(method, path, body);
    expect(res.status).toBeLessThan(300);
    return (await res.json()) as LooseJson;
  };
  const view = async (id: string) => (await adminJson('GET', `/admin/v1/accounts/${id}`)) as unknown as AccountView;
  /** A Codex login entered as Codex writes its auth file (pretty-printed JSON over several lines: one entry). */
  const enter = async (name: string, plan: 'plus' | 'free' | 'pro' = 'plus') => {
    const login = stack.sim.codex.login({ email: `${name}@example.com`, plan });
    const result = await adminJson('POST', '/admin/v1/accounts/import', { text: JSON.stringify(login.authFile, null, 2) });
    expect(result.counts).toMatchObject({ created: 1, error: 0 });
    logins[name] = login;
    ids[name] = (result.results as Array<{ accountId: string }>)[0].accountId;
    return login;
  };
  /** A user with a gateway key, its keys leasing only `accounts` (all by default). */
  const userClient = async (name: string, extra: Record<string, unknown> = {}) => {
    await adminJson('POST', '/admin/v1/users', { name, ...extra });
    const key = await adminJson('POST', '/admin/v1/keys', { user: name });
    return stack.client(key.key as string);
  };
  const served = (login: CodexLogin) => stack.sim.stats().codex.responsesByAccount[login.accountId] ?? 0;
  const responsesRecords = () => stack.sim.codex.requests().filter((r) => r.path === '/backend-api/codex/responses' && r.method === 'POST');
  const usageRow = (requestId: string | null) =>
    waitFor(async () => (await db.query('SELECT * FROM usage.usage_events WHERE request_id = $1', [requestId])).rows[0], `the usage row of ${requestId}`, 10_000);

  beforeAll(async () => {
    imageHost = createServer((req, res) => {
      if (req.url === '/cat.png') res.writeHead(200, { 'content-type': 'image/png' }).end(IMAGE);
      else res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => imageHost.listen(0, '127.0.0.1', resolve));
    const port = (imageHost.address() as AddressInfo).port;
    imageUrl = `http://127.0.0.1:${port}/cat.png`;
    stack = await startStack({
      allServices: true,
      gateway: { ADMIN_PASSWORD },
      auth: { RANDOM_TOKEN: 'false' },
      usage: { PRICE_TABLE },
      conversation: { UPLOAD_ALLOW_HOSTS: `127.0.0.1:${port}` },
    });
    ({ db } = await connectStackDatabase(stack));
    expect((await admin('POST', '/admin/v1/routes', { routes: ROUTES })).status).toBe(200);
    await enter('alpha');
    await enter('bravo');
    ann = await userClient('ann', { chatgpt_list: [ids.alpha, ids.bravo] });
  });
  afterAll(async () => {
    await db?.end();
    await stack?.close();
    await new Promise((resolve) => imageHost?.close(resolve));
  });

  it("lists the Codex accounts' models the table routes to them, owned by codex (one catalog call per plan)", async () => {
    const before = stack.sim.stats().codex.modelsRequests;
    const listed = await ann.models.list();
    const codex = listed.data.filter((m) => m.owned_by === 'codex').map((m) => m.id);
    expect(codex).toEqual(expect.arrayContaining(['gpt-5.5', 'gpt-5.4', 'gpt-5.4-mini', 'gpt-5.1-codex-max']));
    expect(codex).not.toContain('gpt-5.3-codex-spark'); // a pro model; these are plus logins
    // Both logins are plus: one account asked for the plan, with the client version the catalog wants.
    expect(stack.sim.stats().codex.modelsRequests - before).toBe(1);
    const call = stack.sim.codex.requests().find((r) => r.path === '/backend-api/codex/models')!;
    expect(call.query.client_version).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('answers Codex CLI\'s /models?client_version= with the catalog entries Codex reads, beside OpenAI\'s list', async () => {
    type CodexListing = { object: string; data: Array<{ id: string; owned_by: string }>; models?: Array<Record<string, unknown>> };
    const listing = (await ann.get('/models', { query: { client_version: '0.171.0' } })) as CodexListing;
    expect(listing.object).toBe('list');
    expect(listing.data.map((m) => m.id)).toEqual(expect.arrayContaining(['gpt-5.4', 'gpt-4o']));
    const slugs = listing.models!.map((m) => m.slug);
    expect(slugs).toEqual(expect.arrayContaining(['gpt-5.5', 'gpt-5.4', 'gpt-5.4-mini', 'gpt-5.1-codex-max']));
    // Only the Codex accounts' models: ChatGPT's gpt-4o has no Codex metadata to give.
    expect(slugs).not.toContain('gpt-4o');
    const entry = listing.models!.find((m) => m.slug === 'gpt-5.4')!;
    expect(entry).toMatchObject({
      display_name: 'GPT-5.4',
      base_instructions: expect.stringMatching(/^You are Codex/),
      supported_reasoning_levels: expect.arrayContaining([{ effort: 'high', description: expect.any(String) }]),
      shell_type: expect.any(String),
      visibility: 'list',
      truncation_policy: { mode: 'tokens', limit: expect.any(Number) },
      context_window: expect.any(Number),
    });
    // A model that needs a newer client is left out for an older one, as the backend does.
    const older = (await ann.get('/models', { query: { client_version: '0.100.0' } })) as CodexListing;
    expect(older.models!.map((m) => m.slug)).not.toContain('gpt-5.5');
    expect(older.models!.map((m) => m.slug)).toContain('gpt-5.4');
    // Without client_version: OpenAI's list only.
    expect(await ann.get('/models')).not.toHaveProperty('models');
  });

  it("runs a streamed tool loop with runTools, sending what a Codex client sends (headers, store false, stream true, instructions, no system role, no item ids)", async () => {
    stack.sim.codex.clearRequests();
    const calls: string[] = [];
    const runner = ann.chat.completions.runTools({
      model: 'gpt-5.4',
      stream: true,
      messages: [
        { role: 'system', content: 'You answer about the weather.' },
        { role: 'user', content: 'Paris' },
      ],
      tools: [
        {
          type: 'function',
          function: {
            name: 'get_weather',
            description: 'The weather in a city',
            parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'], additionalProperties: false },
            parse: JSON.parse,
            function: (args: { city: string }) => {
              calls.push(args.city);
              return `sunny in ${args.city}`;
            },
          },
        },
      ],
    });
    expect(await runner.finalContent()).toBe('The tool get_weather returned: sunny in Paris');
    expect(calls).toEqual(['Paris']);
    const toolCallMessage = (await runner.allChatCompletions())[0].choices[0];
    expect(toolCallMessage.finish_reason).toBe('tool_calls');

    const [first, second] = responsesRecords();
    const login = [logins.alpha, logins.bravo].find((l) => l.accountId === first.accountId)!;
    expect(first.headers).toMatchObject({
      authorization: expect.stringMatching(/^Bearer eyJ/),
      'chatgpt-account-id': login.accountId,
      originator: 'codex_cli_rs',
      version: expect.stringMatching(/^\d+\.\d+\.\d+$/),
      session_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      accept: 'text/event-stream',
      'content-type': 'application/json',
      'user-agent': expect.stringMatching(/^codex_cli_rs\/\d+\.\d+\.\d+ \(.+; .+\) chatgate$/),
    });
    expect(first.body).toMatchObject({ model: 'gpt-5.4', store: false, stream: true, instructions: 'You answer about the weather.', include: ['reasoning.encrypted_content'] });
    expect(first.body).not.toHaveProperty('max_output_tokens');
    const roles = (items: unknown) => (items as Array<{ role?: string }>).map((i) => i.role).filter(Boolean);
    expect(roles((first.body as { input: unknown }).input)).toEqual(['user']);
    // The second turn carries the call and its output, paired by call_id, without item ids; the same session.
    const input = (second.body as { input: Array<Record<string, unknown>> }).input;
    expect(input.map((i) => i.type)).toEqual(['message', 'function_call', 'function_call_output']);
    expect(input.every((i) => !('id' in i))).toBe(true);
    expect(input[2]).toMatchObject({ call_id: input[1].call_id, output: 'sunny in Paris' });
    expect(second.headers.session_id).toBe(first.headers.session_id);
    expect(stack.sim.stats().codex.rejections).toEqual({});
  });

  it('runs a manual tool loop with tool messages, not streamed; the usage row carries the upstream counts', async () => {
    const tools: OpenAI.Chat.ChatCompletionTool[] = [{ type: 'function', function: { name: 'lookup', parameters: { type: 'object', properties: { q: { type: 'string' } }, required: ['q'] } } }];
    const messages: OpenAI.Chat.ChatCompletionMessageParam[] = [{ role: 'user', content: 'alpha beta' }];
    const { data: first, response } = await ann.chat.completions.create({ model: 'gpt-5.4', messages, tools, parallel_tool_calls: false }).withResponse();
    const call = first.choices[0].message.tool_calls![0];
    expect(first.choices[0]).toMatchObject({ finish_reason: 'tool_calls', message: { role: 'assistant', content: null } });
    expect(call.type === 'function' && [call.function.name, JSON.parse(call.function.arguments)]).toEqual(['lookup', { q: 'alpha beta' }]);
    messages.push(first.choices[0].message, { role: 'tool', tool_call_id: call.id, content: '42 results' });
    const second = await ann.chat.completions.create({ model: 'gpt-5.4', messages, tools });
    expect(second.choices[0]).toMatchObject({ finish_reason: 'stop', message: { content: 'The tool lookup returned: 42 results' } });
    expect(second.choices[0].message).toHaveProperty('reasoning_content');

    const row = await usageRow(response.headers.get('x-request-id'));
    expect(row).toMatchObject({ upstream: 'codex', kind: 'chat', model: 'gpt-5.4', outcome: 'ok', estimated: false, user_name: 'ann' });
    expect(row.prompt_tokens).toBe(first.usage!.prompt_tokens);
    expect(row.completion_tokens).toBe(first.usage!.completion_tokens);
    expect([ids.alpha, ids.bravo]).toContain(row.account_id);
    expect(first.usage!.completion_tokens_details?.reasoning_tokens).toBeGreaterThan(0);
  });

  it('parses structured output with a zod schema (zodResponseFormat → text.format json_schema)', async () => {
    const Weather = z.object({ city: z.string(), temperature: z.number(), conditions: z.enum(['sunny', 'rainy']) });
    const parsed = await ann.chat.completions.parse({ model: 'gpt-5.4', messages: [{ role: 'user', content: 'Oslo' }], response_format: zodResponseFormat(Weather, 'weather') });
    expect(parsed.choices[0].message.parsed).toEqual({ city: 'Oslo', temperature: expect.any(Number), conditions: 'sunny' });
    const sent = responsesRecords().at(-1)!.body as { text: { format: Record<string, unknown> } };
    expect(sent.text.format).toMatchObject({ type: 'json_schema', name: 'weather', strict: true });
  });

  it('takes images in (a data URL, and an http URL fetched under the SSRF guard) and files, and gives reasoning out, streamed', async () => {
    const dataUrl = `data:image/png;base64,${IMAGE.toString('base64')}`;
    const stream = await ann.chat.completions.create({
      model: 'gpt-5.4',
      stream: true,
      reasoning_effort: 'high',
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'describe these' },
            { type: 'image_url', image_url: { url: dataUrl } },
            { type: 'image_url', image_url: { url: imageUrl, detail: 'low' } },
          ],
        },
      ],
    });
    let content = '';
    let reasoning = '';
    for await (const chunk of stream) {
      const delta = chunk.choices[0]?.delta as { content?: string; reasoning_content?: string } | undefined;
      content += delta?.content ?? '';
      reasoning += delta?.reasoning_content ?? '';
    }
    const described = `image/png, ${IMAGE.length} bytes, 3x2`;
    expect(content).toContain(`[image 1: ${described}]`);
    expect(content).toContain(`[image 2: ${described}]`);
    expect(reasoning).toContain('**Reading the request**');
    const sent = responsesRecords().at(-1)!.body as { reasoning: unknown; input: Array<{ content: Array<Record<string, unknown>> }> };
    expect(sent.reasoning).toEqual({ effort: 'high', summary: 'auto' });
    expect(sent.input[0].content[2]).toEqual({ type: 'input_image', image_url: dataUrl, detail: 'low' });

    // A file goes up as a data URL too, typed by its bytes.
    const pdf = pdfDocument('quarterly numbers');
    const withFile = await ann.chat.completions.create({
      model: 'gpt-5.4',
      messages: [{ role: 'user', content: [{ type: 'text', text: 'summarise' }, { type: 'file', file: { filename: 'report.pdf', file_data: `data:application/pdf;base64,${pdf.toString('base64')}` } }] }],
    });
    expect(withFile.choices[0].message.content).toContain(`[file 1: report.pdf, application/pdf, ${pdf.length} bytes]`);

    const refused = await ann.chat.completions.create({ model: 'gpt-5.4', messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'http://169.254.169.254/latest/meta-data' } }] }] }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(OpenAI.BadRequestError);
    expect((refused as InstanceType<typeof OpenAI.BadRequestError>).param).toBe('messages[0].content[0].image_url.url');
  });

  it('answers n=2 as two upstream requests, streamed and not', async () => {
    const before = stack.sim.stats().codex.responsesRequests;
    const both = await ann.chat.completions.create({ model: 'gpt-5.4', n: 2, messages: [{ role: 'user', content: 'two please' }] });
    expect(both.choices.map((c) => [c.index, c.finish_reason])).toEqual([
      [0, 'stop'],
      [1, 'stop'],
    ]);
    expect(both.choices[0].message.content).toContain('two please');
    const stream = await ann.chat.completions.create({ model: 'gpt-5.4', n: 2, stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'two please' }] });
    const texts = ['', ''];
    let usage: OpenAI.CompletionUsage | null | undefined;
    for await (const chunk of stream) {
      for (const choice of chunk.choices) texts[choice.index] += choice.delta.content ?? '';
      if (chunk.usage) usage = chunk.usage;
    }
    expect(texts).toEqual(['You said: two please', 'You said: two please']);
    // Each choice's upstream counts, summed: the same prompt twice.
    expect(usage!.prompt_tokens).toBe(both.usage!.prompt_tokens);
    expect(both.usage!.prompt_tokens % 2).toBe(0);
    expect(stack.sim.stats().codex.responsesRequests - before).toBe(4);
  });

  it('cuts at a stop sequence and at max_tokens locally, and refuses what cannot be done with a 400', async () => {
    const stopped = await ann.chat.completions.create({ model: 'gpt-5.4', stop: ['said:'], messages: [{ role: 'user', content: 'cut me' }] });
    expect(stopped.choices[0]).toMatchObject({ finish_reason: 'stop', message: { content: 'You ' } });
    const short = await ann.chat.completions.create({ model: 'gpt-5.4', max_completion_tokens: 2, messages: [{ role: 'user', content: '[[sim reasoning=0]] a long answer please' }] });
    expect(short.choices[0].finish_reason).toBe('length');
    const logprobs = await ann.chat.completions.create({ model: 'gpt-5.4', logprobs: true, messages: [{ role: 'user', content: 'x' }] }).catch((e: unknown) => e);
    expect(logprobs).toBeInstanceOf(OpenAI.BadRequestError);
    expect((logprobs as InstanceType<typeof OpenAI.BadRequestError>).param).toBe('logprobs');
  });

  it('aborts the upstream when the client goes away', async () => {
    const before = stack.sim.stats().codex.abortedStreams;
    const controller = new AbortController();
    const stream = await ann.chat.completions.create({ model: 'gpt-5.4', stream: true, messages: [{ role: 'user', content: '[[sim words=400 chunks=200 delay=50]] go on' }] }, { signal: controller.signal });
    let seen = 0;
    try {
      for await (const chunk of stream) {
        void chunk;
        if (++seen === 3) controller.abort();
      }
    } catch {
      // the client's own abort
    }
    await waitFor(() => stack.sim.stats().codex.abortedStreams > before, 'the simulator to see the stream aborted', 10_000);
  });

  it('cools exactly the account that hit its usage limit until resets_at; the next requests go to the other', async () => {
    const charlie = await enter('charlie');
    const delta = await enter('delta');
    const client = await userClient('cora', { chatgpt_list: [ids.charlie, ids.delta] });
    const resetsAt = Math.floor(Date.now() / 1000) + 900;
    stack.sim.codex.setAccount(charlie.accountId, { limitedUntil: resetsAt });
    for (let i = 0; i < 6 && served(charlie) === 0; i++) expect((await client.chat.completions.create({ model: 'gpt-5.4', messages: [{ role: 'user', content: 'hello' }] })).choices[0].message.content).toBe('You said: hello');
    expect(served(charlie)).toBe(1);
    const cooled = await view(ids.charlie);
    expect(cooled).toMatchObject({ kind: 'codex', status: 'cooling', codex: { limitedUntil: new Date(resetsAt * 1000).toISOString() } });
    expect((await view(ids.delta)).codex?.limitedUntil ?? null).toBeNull();
    const onDelta = served(delta);
    for (let i = 0; i < 3; i++) await client.chat.completions.create({ model: 'gpt-5.4', messages: [{ role: 'user', content: 'again' }] });
    expect(served(charlie)).toBe(1);
    expect(served(delta)).toBe(onDelta + 3);
    // Both used up: the client is told when the first frees up.
    stack.sim.codex.setAccount(delta.accountId, { limitedUntil: resetsAt + 60 });
    const exhausted = await client.chat.completions.create({ model: 'gpt-5.4', messages: [{ role: 'user', content: 'more' }] }).catch((e: unknown) => e);
    expect(exhausted).toBeInstanceOf(OpenAI.RateLimitError);
    expect(Number((exhausted as InstanceType<typeof OpenAI.RateLimitError>).headers?.get('retry-after'))).toBeGreaterThan(800);
  });

  it("moves past a challenge page and shows it as that account's last error", async () => {
    const echo = await enter('echo');
    const foxtrot = await enter('foxtrot');
    const client = await userClient('fred', { chatgpt_list: [ids.echo, ids.foxtrot] });
    stack.sim.setBehaviour(echo.accountId, { fail: 'cloudflare', times: 1 });
    for (let i = 0; i < 6 && served(echo) === 0; i++) expect((await client.chat.completions.create({ model: 'gpt-5.4', messages: [{ role: 'user', content: 'hi' }] })).choices[0].finish_reason).toBe('stop');
    expect(served(echo)).toBe(1);
    const blocked = await view(ids.echo);
    expect(blocked.lastError?.message).toMatch(/challenge/);
    expect(served(foxtrot)).toBeGreaterThan(0);
  });

  it('refreshes a refused login once (Codex refresh) and answers with the fresh token', async () => {
    const golf = await enter('golf');
    const client = await userClient('gina', { chatgpt_list: [ids.golf] });
    stack.sim.setBehaviour(golf.accountId, { fail: '401', times: 1 });
    const answer = await client.chat.completions.create({ model: 'gpt-5.4', messages: [{ role: 'user', content: 'after refresh' }] });
    expect(answer.choices[0].message.content).toBe('You said: after refresh');
    expect(stack.sim.stats().codex.refreshesByAccount[golf.accountId]).toBe(1);
    const tokens = responsesRecords()
      .filter((r) => r.accountId === golf.accountId)
      .map((r) => r.headers.authorization);
    expect(tokens).toHaveLength(2);
    expect(tokens[0]).not.toBe(tokens[1]);
  });

  it('moves past an account whose plan lacks the model, and answers 404 naming a model no account has', async () => {
    const hotel = await enter('hotel');
    const india = await enter('india');
    const client = await userClient('hank', { chatgpt_list: [ids.hotel, ids.india] });
    stack.sim.codex.setAccount(hotel.accountId, { models: ['gpt-5.4-mini'] });
    for (let i = 0; i < 6 && served(hotel) === 0; i++) expect((await client.chat.completions.create({ model: 'gpt-5.1-codex-max', messages: [{ role: 'user', content: 'max' }] })).choices[0].finish_reason).toBe('stop');
    expect(served(hotel)).toBe(1);
    expect(served(india)).toBeGreaterThan(0);
    const missing = await client.chat.completions.create({ model: 'gpt-5.3-codex-spark', messages: [{ role: 'user', content: 'spark' }] }).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(OpenAI.NotFoundError);
    expect((missing as InstanceType<typeof OpenAI.NotFoundError>).code).toBe('model_not_found');
    expect((missing as Error).message).toContain("'gpt-5.3-codex-spark'");
  });

  it("applies a user's model limit and budget (priced by the codex list) as for any upstream", async () => {
    const limited = await userClient('lena', { chatgpt_list: [ids.alpha, ids.bravo], limits: [{ model_name: 'gpt-5.4', every_minute: 60, limit_count: 1 }] });
    await limited.chat.completions.create({ model: 'gpt-5.4', messages: [{ role: 'user', content: 'once' }] });
    const twice = await limited.chat.completions.create({ model: 'gpt-5.4', messages: [{ role: 'user', content: 'twice' }] }).catch((e: unknown) => e);
    expect(twice).toBeInstanceOf(OpenAI.RateLimitError);

    const budgeted = await userClient('bob', { chatgpt_list: [ids.alpha, ids.bravo], budget: { amountUsd: 1, period: 'day' } });
    const priced = await budgeted.chat.completions.create({ model: 'gpt-5.4-mini', messages: [{ role: 'user', content: 'costly' }] }).catch((e: unknown) => e);
    expect(priced).toBeInstanceOf(OpenAI.RateLimitError);
    expect((priced as InstanceType<typeof OpenAI.RateLimitError>).code).toBe('insufficient_quota');
    // Unlisted on the codex list: free, so the same budget admits it.
    expect((await budgeted.chat.completions.create({ model: 'gpt-5.4', messages: [{ role: 'user', content: 'free' }] })).choices[0].finish_reason).toBe('stop');
  });
});
