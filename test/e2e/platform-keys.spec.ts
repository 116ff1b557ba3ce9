import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import OpenAI from 'openai';
import type pg from 'pg';
import { AccountsService } from '@chatgate/auth';
import { ACCOUNTS_CHANGED, AUTH_TENANT_PRINCIPALS_CHANGED } from '@chatgate/contracts';
import { chatPromptTokens, platformTokens, replyFor } from '@chatgate/chatgpt-sim';
import { waitFor } from '@chatgate/testing';
import { startStack, type Stack } from '../support/stack.js';
import { connectStackDatabase } from '../support/stack-database.js';

const ADMIN_PASSWORD = 'platform-admin-pw';
const POOL_CODE = 'platform-pool-code-7f3';
/** The table the client-facing cases run under: gpt-4o* and the platform-only families go to keys, the rest (gpt-4, …) to ChatGPT. */
const ROUTES = [
  { model: 'gpt-4o*', upstream: 'platform' },
  { model: 'text-embedding-*', upstream: 'platform' },
  { model: 'dall-e-*', upstream: 'platform' },
  { model: 'gpt-image-*', upstream: 'platform' },
  { model: '*-instruct*', upstream: 'platform' },
  { model: 'tts-*', upstream: 'platform' },
];
interface View {
  id: string;
  kind?: string;
  status: string;
  platform?: { name: string | null; baseUrl: string; models: string[] | null } | null;
  tokens: { access: { hint: string } | null };
  lastError: { message: string } | null;
  cooldowns: Array<{ model: string; until: string }>;
}

describe('API keys as upstream accounts: admin, routing table, and the platform API through the gateway with the official client', () => {
  let stack: Stack;
  let db: pg.Client;
  let tenantId: string;
  let client: OpenAI;
  let nc: NatsConnection;
  let keyA: string;
  let keyB: string;
  const ids: Record<string, string> = {};

  const admin = (path: string, init: RequestInit = {}) =>
    fetch(`${stack.gatewayUrl}${path}`, { ...init, headers: { authorization: `Bearer ${ADMIN_PASSWORD}`, 'content-type': 'application/json' } });
  const view = async (id: string) => (await (await admin(`/admin/v1/accounts/${id}`)).json()) as View;
  const served = (key: string) => stack.sim.stats().platform.byKey[key]?.['/v1/chat/completions'] ?? 0;
  const ask = (model = 'gpt-4o') => client.chat.completions.create({ model, messages: [{ role: 'user', content: 'rotate me' }] });
  const post = (path: string, body: unknown, credential = POOL_CODE) =>
    fetch(`${stack.gatewayUrl}/v1${path}`, { method: 'POST', headers: { authorization: `Bearer ${credential}`, 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) });
  const usageRow = (requestId: string | null) =>
    waitFor(async () => (await db.query('SELECT * FROM usage.usage_events WHERE request_id = $1', [requestId])).rows[0], `usage event of ${requestId}`, 10_000);

  /** Chats until `key` has served (or refused) one more request; every chat must succeed meanwhile. */
  async function untilHit(key: string, model = 'gpt-4o'): Promise<void> {
    const before = served(key);
    for (let i = 0; i < 14 && served(key) === before; i++) expect((await ask(model)).choices[0].message.content).toBe(replyFor('rotate me').text);
    expect(served(key)).toBe(before + 1);
  }

  beforeAll(async () => {
    stack = await startStack({ allServices: true, gateway: { ADMIN_PASSWORD }, auth: { AUTHORIZATION: POOL_CODE } });
    ({ db, tenantId } = await connectStackDatabase(stack));
    nc = await connect({ servers: process.env.NATS_URL ?? 'nats://127.0.0.1:4222' });
    keyA = stack.sim.issueApiKey();
    keyB = stack.sim.issueApiKey();
    // A ChatGPT account in the same pool: the same credential reaches both upstreams.
    await stack.auth.app.get(AccountsService).enter(tenantId, stack.sim.issueAccount({ plan: 'plus' }).accessToken);
    client = stack.client(POOL_CODE);
  });
  afterAll(async () => {
    await nc?.close();
    await db?.end();
    await stack?.close();
  });

  it('imports API keys (a `sk-… base` line and `api_keys` with settings) and shows only hints', async () => {
    const base = `${stack.sim.url}/v1`;
    const res = await admin('/admin/v1/accounts/import', { method: 'POST', body: JSON.stringify({ text: `# keys\n${keyA} ${base}\n`, api_keys: [{ key: keyB, base_url: `${base}/`, name: 'second key' }] }) });
    expect(res.status).toBe(200);
    const result = (await res.json()) as { results: Array<{ line: number; status: string; accountId: string }>; counts: Record<string, number> };
    expect(result.counts).toMatchObject({ created: 2, skipped: 1, error: 0 });
    ids.a = result.results.find((r) => r.line === 2)!.accountId;
    ids.b = result.results.find((r) => r.line === 4)!.accountId;

    const listText = await (await admin('/admin/v1/accounts')).text();
    expect(listText).not.toContain(keyA);
    expect(listText).not.toContain(keyB);
    const b = await view(ids.b);
    expect(b).toMatchObject({ kind: 'api_key', status: 'active', platform: { name: 'second key', baseUrl: base, models: null } });
    expect(b.tokens.access?.hint).toMatch(/^sk-sim.*…/);
    const stored = await db.query('SELECT access_token_enc, kind FROM auth.upstream_accounts WHERE id = $1', [ids.a]);
    expect(stored.rows[0].kind).toBe('api_key');
    expect(stored.rows[0].access_token_enc).not.toContain(keyA);

    const again = await admin('/admin/v1/accounts/import', { method: 'POST', body: JSON.stringify({ tokens: [`${keyA} ${base}`] }) });
    expect(((await again.json()) as { counts: Record<string, number> }).counts).toMatchObject({ updated: 1, created: 0 });

    const badBase = await admin('/admin/v1/accounts/import', { method: 'POST', body: JSON.stringify({ api_keys: [{ key: 'sk-another-key-1234', base_url: 'ftp://x/v1' }] }) });
    expect(badBase.status).toBe(400);
    expect(((await badBase.json()) as { error: { param: string } }).error.param).toBe('api_keys.0.base_url');
    const badLine = await admin('/admin/v1/accounts/import', { method: 'POST', body: JSON.stringify({ text: 'sk-short-but-fine not-a-url' }) });
    const badLineResult = (await badLine.json()) as { results: Array<{ status: string; error: string }> };
    expect(badLineResult.results[0]).toMatchObject({ status: 'error' });
    expect(badLineResult.results[0].error).toContain('base_url');
    expect(badLineResult.results[0].error).not.toContain('sk-short-but-fine');
  });

  it('keeps a routing table per tenant: the default, a table of its own, and gateways told to re-resolve', async () => {
    const initial = (await (await admin('/admin/v1/routes')).json()) as { routes: Array<{ model: string }>; isDefault: boolean };
    expect(initial.isDefault).toBe(true);
    expect(initial.routes.map((r) => r.model)).toContain('text-embedding-*');

    const changed = nc.subscribe(AUTH_TENANT_PRINCIPALS_CHANGED, { max: 1 });
    const set = await admin('/admin/v1/routes', { method: 'POST', body: JSON.stringify({ routes: [{ model: 'gpt-4o*', upstream: 'platform' }, { model: 'text-embedding-*', upstream: 'platform' }] }) });
    expect(set.status).toBe(200);
    expect(await set.json()).toEqual({ routes: [{ model: 'gpt-4o*', upstream: 'platform' }, { model: 'text-embedding-*', upstream: 'platform' }], isDefault: false });
    for await (const msg of changed) expect(JSON.parse(msg.string())).toEqual({ tenantId });
    const row = await db.query("SELECT model_routes FROM auth.tenants WHERE slug = 'default'");
    expect(row.rows[0].model_routes).toHaveLength(2);

    const bad = await admin('/admin/v1/routes', { method: 'POST', body: JSON.stringify({ routes: [{ model: 'gpt 4o', upstream: 'platform' }] }) });
    expect(bad.status).toBe(400);
    const reset = await admin('/admin/v1/routes', { method: 'POST', body: JSON.stringify({ routes: null }) });
    expect(((await reset.json()) as { isDefault: boolean }).isDefault).toBe(true);
  });

  it('routes chat by the table: with tools, n and response_format passed through unchanged, streamed and not; the usage chunk only when asked', async () => {
    // Set before the pool code is first used, so the gateway resolves it with this table.
    expect((await admin('/admin/v1/routes', { method: 'POST', body: JSON.stringify({ routes: ROUTES }) })).status).toBe(200);

    const tools = [{ type: 'function' as const, function: { name: 'lookup', parameters: { type: 'object', properties: { q: { type: 'string' } }, required: ['q'] } } }];
    const { data: called, response } = await client.chat.completions.create({ model: 'gpt-4o', n: 2, tools, tool_choice: 'auto', messages: [{ role: 'user', content: 'use the tool' }] }).withResponse();
    expect(called.choices).toHaveLength(2);
    const call = called.choices[0].message.tool_calls?.[0];
    expect(call?.type === 'function' && [call.function.name, JSON.parse(call.function.arguments)]).toEqual(['lookup', { q: 'alpha' }]);
    // The upstream got the client's body as it was (only the credential differs).
    expect(stack.sim.stats().platform.lastRequest?.body).toEqual({ model: 'gpt-4o', n: 2, tools, tool_choice: 'auto', messages: [{ role: 'user', content: 'use the tool' }] });
    const calledRow = await usageRow(response.headers.get('x-request-id'));
    expect(calledRow).toMatchObject({ kind: 'chat', outcome: 'ok', prompt_tokens: called.usage!.prompt_tokens, completion_tokens: called.usage!.completion_tokens, estimated: false });

    const json = await client.chat.completions.create({ model: 'gpt-4o-mini', response_format: { type: 'json_object' }, messages: [{ role: 'user', content: 'as json' }] });
    expect(JSON.parse(json.choices[0].message.content ?? '')).toEqual({ answer: replyFor('as json').text });

    const messages = [{ role: 'user' as const, content: 'stream it' }];
    const chunks: OpenAI.ChatCompletionChunk[] = [];
    const { data: stream, response: streamed } = await client.chat.completions.create({ model: 'gpt-4o', stream: true, messages }).withResponse();
    for await (const c of stream) chunks.push(c);
    expect(chunks.map((c) => c.choices[0]?.delta.content ?? '').join('')).toBe(replyFor('stream it').text);
    expect(chunks.every((c) => c.choices.length === 1 && !('usage' in c))).toBe(true);
    // chatgate asked the upstream for usage all the same.
    expect(stack.sim.stats().platform.lastRequest?.body).toEqual({ model: 'gpt-4o', stream: true, stream_options: { include_usage: true }, messages });

    // Usage recorded from the upstream's own counts, equal to what the simulator reported.
    const row = await usageRow(streamed.headers.get('x-request-id'));
    expect(row).toMatchObject({ kind: 'chat', model: 'gpt-4o', outcome: 'ok', prompt_tokens: chatPromptTokens(messages), completion_tokens: platformTokens(replyFor('stream it').text), estimated: false });

    const asked: OpenAI.ChatCompletionChunk[] = [];
    for await (const c of await client.chat.completions.create({ model: 'gpt-4o', stream: true, stream_options: { include_usage: true }, messages })) asked.push(c);
    expect(asked.at(-1)?.choices).toEqual([]);
    expect(asked.at(-1)?.usage).toMatchObject({ prompt_tokens: chatPromptTokens(messages), completion_tokens: platformTokens(replyFor('stream it').text) });
  });

  it('keeps the ChatGPT checks for models routed to ChatGPT, with the same credential reaching both upstreams', async () => {
    const platformBefore = stack.sim.stats().platform.requests;
    const chatgpt = await client.chat.completions.create({ model: 'gpt-4', messages: [{ role: 'user', content: 'which upstream' }] });
    expect(chatgpt.choices[0].message.content).toBe(replyFor('which upstream').text);
    expect(stack.sim.stats().lastConversation).toBeTruthy();
    expect(stack.sim.stats().platform.requests).toBe(platformBefore);
    await expect(client.chat.completions.create({ model: 'gpt-4', n: 2, messages: [{ role: 'user', content: 'x' }] })).rejects.toMatchObject({ status: 400, code: 'unsupported_parameter' });
    // The same n on a platform-routed model goes through.
    expect((await client.chat.completions.create({ model: 'gpt-4o', n: 2, messages: [{ role: 'user', content: 'x' }] })).choices).toHaveLength(2);
  });

  it('answers bad platform requests with 4xx in the envelope: malformed JSON, no model or messages, upstream client errors unchanged', async () => {
    const malformed = await post('/chat/completions', '{"model": "gpt-4o", ');
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toMatchObject({ error: { code: 'invalid_json', type: 'invalid_request_error' } });
    await expect(client.chat.completions.create({ model: 'gpt-4o' } as never)).rejects.toMatchObject({ status: 400, param: 'messages', code: 'missing_required_parameter' });
    await expect(client.embeddings.create({ input: 'x' } as never)).rejects.toMatchObject({ status: 400, param: 'model' });
    // A client error is the client's: the upstream's own answer, passed through.
    const empty = await post('/chat/completions', { model: 'gpt-4o', messages: [] });
    expect(empty.status).toBe(400);
    expect(await empty.json()).toEqual({ error: { message: "[] is too short - 'messages'", type: 'invalid_request_error', param: 'messages', code: 'invalid_value' } });
    // A platform-only endpoint with a model the table sends to ChatGPT.
    const routed = await post('/embeddings', { model: 'gpt-4', input: 'x' });
    expect(routed.status).toBe(400);
    expect(await routed.json()).toMatchObject({ error: { param: 'model', code: 'model_not_supported', message: expect.stringContaining('/v1/embeddings') } });
    // The caller's own ChatGPT token has no API keys.
    const own = await post('/embeddings', { model: 'text-embedding-3-small', input: 'x' }, stack.sim.issueAccount().accessToken);
    expect(own.status).toBe(403);
    expect(await own.json()).toMatchObject({ error: { code: 'platform_unavailable' } });
  });

  it('passes completions, embeddings and images through with exact usage, and lists the keys\' models', async () => {
    const { data: completion, response: completed } = await client.completions.create({ model: 'gpt-3.5-turbo-instruct', prompt: 'complete me' }).withResponse();
    expect(completion.choices[0].text).toBe(replyFor('complete me').text);
    expect(await usageRow(completed.headers.get('x-request-id'))).toMatchObject({ kind: 'completion', prompt_tokens: platformTokens('complete me'), completion_tokens: platformTokens(replyFor('complete me').text), estimated: false });
    const pieces: string[] = [];
    for await (const c of await client.completions.create({ model: 'gpt-3.5-turbo-instruct', prompt: 'complete me', stream: true })) {
      expect(c.usage ?? undefined).toBeUndefined();
      pieces.push(c.choices[0].text);
    }
    expect(pieces.join('')).toBe(replyFor('complete me').text);

    const { data: embedding, response: embedded } = await client.embeddings.create({ model: 'text-embedding-3-small', input: ['one', 'two'], dimensions: 4 }).withResponse();
    expect(embedding.data.map((d) => d.embedding.length)).toEqual([4, 4]);
    expect(embedding.usage).toEqual({ prompt_tokens: platformTokens('one') + platformTokens('two'), total_tokens: platformTokens('one') + platformTokens('two') });
    expect(await usageRow(embedded.headers.get('x-request-id'))).toMatchObject({ kind: 'embedding', model: 'text-embedding-3-small', prompt_tokens: platformTokens('one') + platformTokens('two'), completion_tokens: 0 });
    // The SDK asks for base64 vectors by default: bytes passed through unchanged decode to the same floats.
    const b64 = await client.embeddings.create({ model: 'text-embedding-3-small', input: 'one', dimensions: 4 });
    expect(b64.data[0].embedding).toEqual(embedding.data[0].embedding);

    const image = await client.images.generate({ model: 'dall-e-3', prompt: 'a lighthouse', response_format: 'b64_json' });
    expect(image.data?.[0]).toMatchObject({ b64_json: expect.any(String), revised_prompt: 'A picture of a lighthouse' });
    const { data: picture, response: pictured } = await client.images.generate({ model: 'gpt-image-1', prompt: 'a lighthouse' }).withResponse();
    expect(await usageRow(pictured.headers.get('x-request-id'))).toMatchObject({ kind: 'image', prompt_tokens: picture.usage!.input_tokens, completion_tokens: picture.usage!.output_tokens });

    const listed = (await client.models.list()).data.map((m) => m.id);
    // ChatGPT's models and the keys' models the table routes to the platform; whisper-1 (routed to ChatGPT here) is not listed.
    expect(listed).toEqual(expect.arrayContaining(['gpt-4o', 'text-embedding-3-small', 'text-embedding-3-large', 'dall-e-3', 'gpt-image-1', 'gpt-3.5-turbo-instruct']));
    expect(listed).not.toContain('whisper-1');
    expect(new Set(listed).size).toBe(listed.length);
    expect((await client.models.retrieve('text-embedding-3-large')).id).toBe('text-embedding-3-large');
    // Whose each model is: the tenant's API keys (the routing table's word), not the upstream's "openai" or "system".
    const owners = Object.fromEntries((await client.models.list()).data.map((m) => [m.id, m.owned_by]));
    expect(owners).toMatchObject({ 'text-embedding-3-large': 'platform', 'dall-e-3': 'platform', 'gpt-4o': 'chatgpt' });
  });

  it('passes an answer too large to hold (12 MB of embeddings) through whole, with its exact usage', async () => {
    const input = Array.from({ length: 200 }, (_, i) => `text number ${i}`);
    const request = { model: 'text-embedding-3-large', input, dimensions: 3072, encoding_format: 'float' as const };
    const { data: relayed, response } = await client.embeddings.create(request).withResponse();
    const direct = await new OpenAI({ apiKey: keyB, baseURL: `${stack.sim.url}/v1`, maxRetries: 0 }).embeddings.create(request);
    expect(JSON.stringify(direct).length).toBeGreaterThan(4 * 1024 * 1024);
    expect(relayed.data).toEqual(direct.data);
    const tokens = input.reduce((n, t) => n + platformTokens(t), 0);
    expect(relayed.usage).toEqual({ prompt_tokens: tokens, total_tokens: tokens });
    expect(await usageRow(response.headers.get('x-request-id'))).toMatchObject({ kind: 'embedding', prompt_tokens: tokens, completion_tokens: 0, outcome: 'ok' });
  });

  it('relays speech to the keys when the table routes the model there: the platform\'s audio unchanged, priced by characters', async () => {
    const input = 'Speak through a key, please.';
    const { data, response } = await client.audio.speech.create({ model: 'tts-1', voice: 'alloy', input, response_format: 'wav' }).withResponse();
    expect(response.headers.get('content-type')).toBe('audio/wav');
    // The simulator's platform audio: its marker and a digest of voice and input, passed through byte for byte.
    const expected = Buffer.concat([Buffer.from('SIMAUDIO'), createHash('sha256').update(`alloy:${input}`).digest()]);
    expect(Buffer.from(await data.arrayBuffer())).toEqual(expected);
    expect(await usageRow(response.headers.get('x-request-id'))).toMatchObject({ kind: 'speech', model: 'tts-1', upstream: 'platform', characters: input.length, outcome: 'ok' });
    // Voices the ChatGPT voice service lacks are the platform's to judge, not refused by the gateway.
    const other = await client.audio.speech.create({ model: 'tts-1', voice: 'ballad', input });
    expect(Buffer.from(await other.arrayBuffer()).subarray(0, 8).toString()).toBe('SIMAUDIO');
  });

  it('aborts the upstream request when the client goes away mid-stream, and records it cancelled', async () => {
    const before = stack.sim.stats().platform.abortedAnswers;
    const controller = new AbortController();
    const { data: stream, response } = await client.chat.completions
      .create({ model: 'gpt-4o', stream: true, messages: [{ role: 'user', content: 'a long answer [[sim delay=150]]' }] }, { signal: controller.signal })
      .withResponse();
    let got = 0;
    for await (const c of stream) {
      if (c.choices[0]?.delta.content) got++;
      if (got === 1) {
        controller.abort();
        break;
      }
    }
    expect(got).toBe(1);
    await waitFor(async () => stack.sim.stats().platform.abortedAnswers > before || undefined, 'the upstream stream aborted', 5000);
    expect(await usageRow(response.headers.get('x-request-id'))).toMatchObject({ outcome: 'cancelled', status: 499 });
  });

  it('disables a key the upstream refuses (401) and moves the request to the next key', async () => {
    stack.sim.setApiKeyBehaviour(keyA, { fail: '401' });
    await untilHit(keyA);
    const a = await view(ids.a);
    expect(a.status).toBe('disabled');
    expect(a.lastError?.message).toContain('unauthorized: 401 Incorrect API key');
    expect(a.lastError?.message).not.toContain(keyA);
    const after = served(keyA);
    for (let i = 0; i < 4; i++) await ask();
    expect(served(keyA)).toBe(after);
    stack.sim.setApiKeyBehaviour(keyA, null);
    expect((await admin(`/admin/v1/accounts/${ids.a}/enable`, { method: 'POST', body: '{}' })).status).toBe(200);
  });

  it("fails a request its key lacks the scope for (a restricted key's 401) with the upstream's words, and keeps the key for everyone else", async () => {
    stack.sim.setApiKeyBehaviour(keyA, { fail: 'missing_scope', times: 1 });
    let refused: { status?: number; error?: { code?: string; message?: string } } | null = null;
    for (let i = 0; i < 14 && !refused; i++) {
      const before = served(keyA);
      const answer = await ask().then(
        () => null,
        (err: { status?: number; error?: { code?: string; message?: string } }) => err,
      );
      if (served(keyA) > before) refused = answer;
    }
    expect(refused?.status).toBe(403);
    expect(refused?.error).toMatchObject({ code: 'upstream_permission_denied', message: expect.stringContaining('Missing scopes: model.request') });
    const a = await view(ids.a);
    expect(a.status).toBe('active');
    // The key keeps serving the others.
    await untilHit(keyA);
  });

  it('cools a rate-limited key (429) down for the model as long as retry-after says', async () => {
    stack.sim.setApiKeyBehaviour(keyA, { fail: '429', retryAfter: 120 });
    const before = Date.now();
    await untilHit(keyA, 'gpt-4o-mini');
    const cooling = (await view(ids.a)).cooldowns.find((c) => c.model === 'gpt-4o-mini');
    expect(Date.parse(cooling!.until) - before).toBeGreaterThanOrEqual(119_000);
    expect(Date.parse(cooling!.until) - Date.now()).toBeLessThanOrEqual(121_000);
    const after = served(keyA);
    for (let i = 0; i < 4; i++) await ask('gpt-4o-mini');
    expect(served(keyA)).toBe(after);
    stack.sim.setApiKeyBehaviour(keyA, null);
  });

  it('rotates past a 5xx without cooling the key down', async () => {
    stack.sim.setApiKeyBehaviour(keyA, { fail: '500', times: 1 });
    await untilHit(keyA);
    const a = await view(ids.a);
    // Still in the pool (its gpt-4o-mini cool-down from the 429 above is the only one).
    expect(a.status).not.toBe('disabled');
    expect(a.cooldowns.find((c) => c.model === 'gpt-4o')).toBeUndefined();
    expect(a.lastError?.message).toContain('upstream_error: 500');
  });

  it('answers a non-streamed answer whose body broke off midway with a 502 in the envelope, not a 200 cut short, and tries no other key', async () => {
    const before = stack.sim.stats().platform.byKey;
    const total = (byKey: typeof before) => Object.values(byKey).reduce((n, paths) => n + (paths['/v1/chat/completions'] ?? 0), 0);
    const err = await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'half of it [[sim fail=cut]]' }] }, { maxRetries: 0 }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(OpenAI.APIError);
    expect(err).toMatchObject({ status: 502, code: 'upstream_stream_cut' });
    // The answer was the client's (the key answered): no second key is asked, none is blamed.
    expect(total(stack.sim.stats().platform.byKey)).toBe(total(before) + 1);
  });

  it('answers 429 with retry-after when every key is rate limited, then the pool says when the first frees up', async () => {
    for (const key of [keyA, keyB]) stack.sim.setApiKeyBehaviour(key, { fail: '429', retryAfter: new Date(Date.now() + 45_000).toUTCString() });
    const limited = await post('/embeddings', { model: 'text-embedding-3-large', input: 'x' });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(40);
    expect(await limited.json()).toMatchObject({ error: { code: 'rate_limit_exceeded' } });
    const pool = await post('/embeddings', { model: 'text-embedding-3-large', input: 'x' });
    expect(pool.status).toBe(429);
    expect((await pool.json()) as unknown).toMatchObject({ error: { message: expect.stringContaining('text-embedding-3-large') } });
    for (const key of [keyA, keyB]) stack.sim.setApiKeyBehaviour(key, null);
    // A ChatGPT lease never gets an API key: the pool has no ChatGPT account at all.
    await expect(stack.client('sk-pool-code-not-configured').chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'x' }] })).rejects.toMatchObject({ status: 401 });
  });

  it("refuses an API key whose base URL is an internal or metadata address, at entry and on every request; the simulator is reachable only because the test stack allow-lists it", async () => {
    const internal = createServer((_req, res) => res.end(JSON.stringify({ id: 'internal', secret: 'instance role credentials' })));
    await new Promise<void>((r) => internal.listen(0, '127.0.0.1', r));
    const port = (internal.address() as AddressInfo).port;
    let hits = 0;
    internal.on('request', () => (hits += 1));
    try {
      const imported = await admin('/admin/v1/accounts/import', {
        method: 'POST',
        body: JSON.stringify({
          api_keys: [
            { key: 'sk-metadata-key-0001', base_url: 'http://169.254.169.254/latest' },
            { key: 'sk-internal-key-0002', base_url: `http://127.0.0.1:${port}/v1` },
            { key: 'sk-localhost-key-0003', base_url: `http://localhost:${port}/v1` },
            { key: 'sk-mapped-key-00004', base_url: 'http://[::ffff:10.0.0.1]/v1' },
          ],
        }),
      });
      expect(imported.status).toBe(200);
      const results = ((await imported.json()) as { results: Array<{ status: string; error?: string }> }).results;
      expect(results.map((r) => r.status)).toEqual(['error', 'error', 'error', 'error']);
      expect(results[0].error).toMatch(/base_url refused: the host is or resolves to a cloud metadata address .*PLATFORM_ALLOW_HOSTS/);
      expect(results[1].error).toMatch(/loopback/);
      expect(results[3].error).toMatch(/private/);
      for (const r of results) expect(r.error).not.toMatch(/sk-(metadata|internal|localhost|mapped)/);
      expect((await db.query(`SELECT count(*)::int AS n FROM auth.upstream_accounts WHERE base_url LIKE '%169.254%' OR base_url LIKE '%:${port}%'`)).rows[0].n).toBe(0);

      // A key stored before the policy (or before the operator dropped its host from the allow-list) is refused by the worker.
      const tenant = await stack.auth.app.get(AccountsService).enterApiKey(tenantId, { key: 'sk-simulator-key-005', base_url: `${stack.sim.url}/v1`, api_style: 'openai' });
      await db.query(`UPDATE auth.upstream_accounts SET base_url = $1 WHERE id = $2`, [`http://127.0.0.1:${port}/v1`, tenant.accountId]);
      // Every auth replica drops its snapshot of the pool, as after any change.
      nc.publish(ACCOUNTS_CHANGED, JSON.stringify({ tenantId, accountIds: [tenant.accountId] }));
      await nc.flush();
      for (const id of [ids.a, ids.b]) expect((await admin(`/admin/v1/accounts/${id}/disable`, { method: 'POST', body: '{}' })).status).toBe(200);
      const answer = await post('/chat/completions', { model: 'gpt-4o', messages: [{ role: 'user', content: 'read the metadata' }] });
      expect(answer.status).toBe(502);
      const body = (await answer.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe('upstream_address_refused');
      expect(JSON.stringify(body)).not.toContain('instance role credentials');
      expect(hits).toBe(0);
      expect((await view(tenant.accountId)).lastError?.message).toContain('base URL refused');
      await admin(`/admin/v1/accounts/${tenant.accountId}`, { method: 'DELETE' });
    } finally {
      for (const id of [ids.a, ids.b]) await admin(`/admin/v1/accounts/${id}/enable`, { method: 'POST', body: '{}' });
      await new Promise<void>((r) => internal.close(() => r()));
    }
    expect((await ask()).choices[0].message.content).toBe(replyFor('rotate me').text);
  });

  it("applies a user's limits to platform models (429 with retry-after), and one user key reaches both upstreams", async () => {
    const created = async (path: string, body: unknown) => {
      const res = await admin(path, { method: 'POST', body: JSON.stringify(body) });
      expect(res.status).toBe(201);
      return (await res.json()) as { key: string };
    };
    await created('/admin/v1/users', { name: 'platform-user', limits: [{ model_name: 'text-embedding-3-small', every_minute: 60, limit_count: 2 }] });
    const { key } = await created('/admin/v1/keys', { user: 'platform-user' });
    const user = stack.client(key);
    for (let i = 0; i < 2; i++) expect((await user.embeddings.create({ model: 'text-embedding-3-small', input: 'limited' })).data).toHaveLength(1);
    const refused = await post('/embeddings', { model: 'text-embedding-3-small', input: 'limited' }, key);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await refused.json()).toMatchObject({ error: { code: 'usage_limit_exceeded' } });
    // Another model is its own window; the same key reaches a ChatGPT-routed model and a platform one.
    expect((await user.chat.completions.create({ model: 'gpt-4', messages: [{ role: 'user', content: 'chatgpt side' }] })).choices[0].message.content).toBe(replyFor('chatgpt side').text);
    const { response } = await user.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'platform side' }] }).withResponse();
    expect(await usageRow(response.headers.get('x-request-id'))).toMatchObject({ user_name: 'platform-user', model: 'gpt-4o', outcome: 'ok', estimated: false });
  });
});

describe('API keys and the routing table in the bootstrap file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'chatgate-platform-bootstrap-'));
  const KEY_ENV = 'CHATGATE_E2E_PLATFORM_KEY';
  const USER_KEY = 'sk-cg-platform-bootstrap-carol-0001';
  let stack: Stack;
  let key: string;

  beforeAll(async () => {
    stack = await startStack({
      gateway: { API_PREFIX: '/mirror/' },
      auth: (sim) => {
        key = sim.issueApiKey();
        process.env[KEY_ENV] = key;
        writeFileSync(join(dir, 'azure.key'), `${sim.issueApiKey()}\n`);
        const file = join(dir, 'bootstrap.yaml');
        writeFileSync(
          file,
          `tenants:
  - slug: platform-co
    api_keys:
      - key_env: ${KEY_ENV}
        base_url: ${sim.url}/v1
        name: main key
        models: [gpt-4o, text-embedding-*]
      - key_file: azure.key
        base_url: ${sim.url}/v1
        api_style: azure
        api_version: 2024-10-21
        models: [gpt-4o-mini]
    model_routes:
      - { model: gpt-4o*, upstream: platform }
      - { model: dall-e-*, upstream: platform }
    users:
      - name: carol
        keys:
          - name: laptop
            plain: ${USER_KEY}
`,
        );
        return { CHATGATE_BOOTSTRAP: file };
      },
    });
  });
  afterAll(async () => {
    await stack?.close();
    delete process.env[KEY_ENV];
    rmSync(dir, { recursive: true, force: true });
  });

  it('stores the keys sealed and the routes, and the keys serve their models (Azure style with api-key and api-version)', async () => {
    const { db } = await connectStackDatabase(stack);
    try {
      const tenant = (await db.query("SELECT id, model_routes FROM auth.tenants WHERE slug = 'platform-co'")).rows[0];
      expect(tenant.model_routes).toEqual([
        { model: 'gpt-4o*', upstream: 'platform' },
        { model: 'dall-e-*', upstream: 'platform' },
      ]);
      const rows = (await db.query('SELECT name, kind, api_style, api_version, models, access_token_enc FROM auth.upstream_accounts WHERE tenant_id = $1 ORDER BY api_style', [tenant.id])).rows;
      expect(rows.map((r) => [r.kind, r.api_style, r.api_version, r.models])).toEqual([
        ['api_key', 'azure', '2024-10-21', ['gpt-4o-mini']],
        ['api_key', 'openai', null, ['gpt-4o', 'text-embedding-*']],
      ]);
      expect(rows.every((r) => !String(r.access_token_enc).startsWith('sk-'))).toBe(true);

      // Through the gateway, under API_PREFIX, with a key of the tenant's user.
      const client = new OpenAI({ apiKey: USER_KEY, baseURL: `${stack.gatewayUrl}/mirror/v1`, maxRetries: 0 });
      await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] });
      expect(stack.sim.stats().platform.lastRequest).toMatchObject({ azure: false, apiVersion: null });
      expect(stack.sim.stats().platform.byKey[key]).toEqual({ '/v1/chat/completions': 1 });
      await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
      expect(stack.sim.stats().platform.lastRequest).toMatchObject({ azure: true, apiVersion: '2024-10-21' });
      // dall-e-* goes to keys, but no key of this tenant serves dall-e-3.
      const none = await fetch(`${stack.gatewayUrl}/mirror/v1/images/generations`, { method: 'POST', headers: { authorization: `Bearer ${USER_KEY}`, 'content-type': 'application/json' }, body: JSON.stringify({ model: 'dall-e-3', prompt: 'x' }) });
      expect(none.status).toBe(503);
      expect(await none.json()).toMatchObject({ error: { code: 'no_usable_account' } });
      // This tenant's table replaces the default one: its embeddings models go to ChatGPT, which has no embeddings.
      await expect(client.embeddings.create({ model: 'text-embedding-3-small', input: 'x' })).rejects.toMatchObject({ status: 400, code: 'model_not_supported' });
      const unprefixed = await fetch(`${stack.gatewayUrl}/v1/embeddings`, { method: 'POST', headers: { authorization: `Bearer ${USER_KEY}`, 'content-type': 'application/json' }, body: '{}' });
      expect(unprefixed.status).toBe(404);
    } finally {
      await db.end();
    }
  });
});
