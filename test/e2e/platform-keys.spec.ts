import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import OpenAI from 'openai';
import type pg from 'pg';
import { AUTH_TENANT_PRINCIPALS_CHANGED } from '@chatgate/contracts';
import { PlatformRunner } from '@chatgate/conversation';
import { chatPromptTokens, platformTokens, replyFor } from '@chatgate/chatgpt-sim';
import { waitFor } from '@chatgate/testing';
import { startStack, type Stack } from '../support/stack.js';
import { connectStackDatabase } from '../support/stack-database.js';
import { startPlatformFront } from '../support/platform-front.js';

const ADMIN_PASSWORD = 'platform-admin-pw';
type Front = Awaited<ReturnType<typeof startPlatformFront>>;
interface View {
  id: string;
  kind?: string;
  status: string;
  platform?: { name: string | null; baseUrl: string; models: string[] | null } | null;
  tokens: { access: { hint: string } | null };
  lastError: { message: string } | null;
  cooldowns: Array<{ model: string; until: string }>;
}

describe('API keys as upstream accounts: admin, routing table, and the platform path through the official client', () => {
  let stack: Stack;
  let db: pg.Client;
  let tenantId: string;
  let front: Front;
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

  /** Chats until `key` has served (or refused) one more request; every chat must succeed meanwhile. */
  async function untilHit(key: string, model = 'gpt-4o'): Promise<void> {
    const before = served(key);
    for (let i = 0; i < 14 && served(key) === before; i++) expect((await ask(model)).choices[0].message.content).toBe(replyFor('rotate me').text);
    expect(served(key)).toBe(before + 1);
  }

  beforeAll(async () => {
    stack = await startStack({ allServices: true, gateway: { ADMIN_PASSWORD } });
    ({ db, tenantId } = await connectStackDatabase(stack));
    nc = await connect({ servers: process.env.NATS_URL ?? 'nats://127.0.0.1:4222' });
    keyA = stack.sim.issueApiKey();
    keyB = stack.sim.issueApiKey();
    front = await startPlatformFront(stack.workers[0].app.get(PlatformRunner), { tenantId });
    client = new OpenAI({ apiKey: 'unused-by-the-front', baseURL: front.url, maxRetries: 0, timeout: 15_000 });
  });
  afterAll(async () => {
    await front?.close();
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

  it('passes chat through, with tools and n, streamed and not; the usage chunk only when the client asked', async () => {
    const tools = [{ type: 'function' as const, function: { name: 'lookup', parameters: { type: 'object', properties: { q: { type: 'string' } }, required: ['q'] } } }];
    const called = await client.chat.completions.create({ model: 'gpt-4o', n: 2, tools, messages: [{ role: 'user', content: 'use the tool' }] });
    expect(called.choices).toHaveLength(2);
    const call = called.choices[0].message.tool_calls?.[0];
    expect(call?.type === 'function' && [call.function.name, JSON.parse(call.function.arguments)]).toEqual(['lookup', { q: 'alpha' }]);

    const json = await client.chat.completions.create({ model: 'gpt-4o', response_format: { type: 'json_object' }, messages: [{ role: 'user', content: 'as json' }] });
    expect(JSON.parse(json.choices[0].message.content ?? '')).toEqual({ answer: replyFor('as json').text });

    const messages = [{ role: 'user' as const, content: 'stream it' }];
    const chunks: OpenAI.ChatCompletionChunk[] = [];
    for await (const c of await client.chat.completions.create({ model: 'gpt-4o', stream: true, messages })) chunks.push(c);
    expect(chunks.map((c) => c.choices[0]?.delta.content ?? '').join('')).toBe(replyFor('stream it').text);
    expect(chunks.every((c) => c.choices.length === 1 && !('usage' in c))).toBe(true);
    // chatgate asked the upstream for usage all the same.
    expect(stack.sim.stats().platform.lastRequest?.body).toMatchObject({ stream: true, stream_options: { include_usage: true } });

    // Usage recorded from the upstream's own counts, equal to what the simulator reported.
    const streamedId = front.requestIds.at(-1)!;
    const row = await waitFor(async () => (await db.query('SELECT * FROM usage.usage_events WHERE request_id = $1', [streamedId])).rows[0], 'usage event of the stream', 10_000);
    expect(row).toMatchObject({ kind: 'chat', outcome: 'ok', prompt_tokens: chatPromptTokens(messages), completion_tokens: platformTokens(replyFor('stream it').text), estimated: false });

    const asked: OpenAI.ChatCompletionChunk[] = [];
    for await (const c of await client.chat.completions.create({ model: 'gpt-4o', stream: true, stream_options: { include_usage: true }, messages })) asked.push(c);
    expect(asked.at(-1)?.choices).toEqual([]);
    expect(asked.at(-1)?.usage).toMatchObject({ prompt_tokens: chatPromptTokens(messages), completion_tokens: platformTokens(replyFor('stream it').text) });
  });

  it('passes completions, embeddings, images, speech and models through, with usage for each', async () => {
    const completion = await client.completions.create({ model: 'gpt-3.5-turbo-instruct', prompt: 'complete me' });
    expect(completion.choices[0].text).toBe(replyFor('complete me').text);

    const embedding = await client.embeddings.create({ model: 'text-embedding-3-small', input: ['one', 'two'], dimensions: 4 });
    expect(embedding.data.map((d) => d.embedding.length)).toEqual([4, 4]);
    const embeddingId = front.requestIds.at(-1)!;
    const row = await waitFor(async () => (await db.query('SELECT * FROM usage.usage_events WHERE request_id = $1', [embeddingId])).rows[0], 'usage event of the embedding', 10_000);
    expect(row).toMatchObject({ kind: 'embedding', prompt_tokens: platformTokens('one') + platformTokens('two'), completion_tokens: 0 });

    const image = await client.images.generate({ model: 'dall-e-3', prompt: 'a lighthouse', response_format: 'b64_json' });
    expect(image.data?.[0].b64_json).toBeTruthy();
    const speech = await client.audio.speech.create({ model: 'tts-1', voice: 'alloy', input: 'hello' });
    expect(speech.headers.get('content-type')).toBe('audio/mpeg');
    expect(Buffer.from(await speech.arrayBuffer()).subarray(0, 8).toString()).toBe('SIMAUDIO');
    expect((await client.models.list()).data.map((m) => m.id)).toContain('gpt-4o');

    // A client error is the client's: passed through as the upstream said it.
    const missing = await fetch(`${front.url}/chat/completions`, { method: 'POST', body: JSON.stringify({ model: 'gpt-4o', messages: [] }) });
    expect(missing.status).toBe(400);
    expect(await missing.json()).toMatchObject({ error: { param: 'messages', type: 'invalid_request_error' } });
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

  it('answers 429 with retry-after when every key is rate limited, then the pool says when the first frees up', async () => {
    for (const key of [keyA, keyB]) stack.sim.setApiKeyBehaviour(key, { fail: '429', retryAfter: new Date(Date.now() + 45_000).toUTCString() });
    const limited = await fetch(`${front.url}/embeddings`, { method: 'POST', body: JSON.stringify({ model: 'text-embedding-3-large', input: 'x' }) });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(40);
    expect(await limited.json()).toMatchObject({ error: { code: 'rate_limit_exceeded' } });
    const pool = await fetch(`${front.url}/embeddings`, { method: 'POST', body: JSON.stringify({ model: 'text-embedding-3-large', input: 'x' }) });
    expect(pool.status).toBe(429);
    expect((await pool.json()) as unknown).toMatchObject({ error: { message: expect.stringContaining('text-embedding-3-large') } });
    for (const key of [keyA, keyB]) stack.sim.setApiKeyBehaviour(key, null);
    // A ChatGPT lease never gets an API key: the pool has no ChatGPT account at all.
    await expect(stack.client('sk-pool-code-not-configured').chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'x' }] })).rejects.toMatchObject({ status: 401 });
  });
});

describe('API keys and the routing table in the bootstrap file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'chatgate-platform-bootstrap-'));
  const KEY_ENV = 'CHATGATE_E2E_PLATFORM_KEY';
  let stack: Stack;
  let key: string;

  beforeAll(async () => {
    stack = await startStack({
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
      expect(tenant.model_routes).toEqual([{ model: 'gpt-4o*', upstream: 'platform' }]);
      const rows = (await db.query('SELECT name, kind, api_style, api_version, models, access_token_enc FROM auth.upstream_accounts WHERE tenant_id = $1 ORDER BY api_style', [tenant.id])).rows;
      expect(rows.map((r) => [r.kind, r.api_style, r.api_version, r.models])).toEqual([
        ['api_key', 'azure', '2024-10-21', ['gpt-4o-mini']],
        ['api_key', 'openai', null, ['gpt-4o', 'text-embedding-*']],
      ]);
      expect(rows.every((r) => !String(r.access_token_enc).startsWith('sk-'))).toBe(true);

      const front = await startPlatformFront(stack.workers[0].app.get(PlatformRunner), { tenantId: tenant.id });
      try {
        const client = new OpenAI({ apiKey: 'unused', baseURL: front.url, maxRetries: 0 });
        await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] });
        expect(stack.sim.stats().platform.lastRequest).toMatchObject({ azure: false, apiVersion: null });
        expect(stack.sim.stats().platform.byKey[key]).toEqual({ '/v1/chat/completions': 1 });
        await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
        expect(stack.sim.stats().platform.lastRequest).toMatchObject({ azure: true, apiVersion: '2024-10-21' });
        // No key of this tenant serves dall-e-3.
        const none = await fetch(`${front.url}/images/generations`, { method: 'POST', body: JSON.stringify({ model: 'dall-e-3', prompt: 'x' }) });
        expect(none.status).toBe(503);
        expect(await none.json()).toMatchObject({ error: { code: 'no_usable_account' } });
      } finally {
        await front.close();
      }
    } finally {
      await db.end();
    }
  });
});
