import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { Redis } from 'ioredis';
import OpenAI from 'openai';
import { AccountsService } from '@chatgate/auth';
import { gatewayEnv, parseConfig } from '@chatgate/config';
import { startGateway } from '@chatgate/gateway';
import type { RunningService } from '@chatgate/service-kit';
import { testEnv, waitFor, type LooseJson } from '@chatgate/testing';
import { startStack, type Stack } from '../support/stack.js';
import { connectStackDatabase } from '../support/stack-database.js';

const PASSWORD = 'admin-password-for-billing-tests-9c4';
/** ChatGPT-account usage is free by default: this test's table prices gpt-4o in whole micro-USD per token. */
const PROMPT_USD_PER_M = 100;
const COMPLETION_USD_PER_M = 1000;
const PRICE_TABLE = JSON.stringify({ chatgpt: { 'gpt-4o': { prompt: PROMPT_USD_PER_M, completion: COMPLETION_USD_PER_M } } });
/** Every priced request sends this prompt with this max_tokens: the simulator's reply is longer, so each costs the same. */
const PROMPT = 'what does one budgeted request cost';
const MAX_TOKENS = 3;
const DAY_MS = 86_400_000;
const day = (at: number) => new Date(at).toISOString().slice(0, 10);

describe('billing: price table, budgets and the billing endpoints', () => {
  let stack: Stack;
  let db: pg.Client;
  let redis: Redis;
  let tenantId: string;
  /** One request's cost in micro-USD, measured from the usage the gateway answered. */
  let cost: number;

  const admin = async (method: string, path: string, body?: unknown): Promise<LooseJson> => {
    const res = await fetch(`${stack.gatewayUrl}${path}`, { method, headers: { authorization: `Bearer ${PASSWORD}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    expect(res.status).toBeLessThan(300);
    return res.json();
  };
  const userWithKey = async (name: string, budget: unknown = null, keyExtra: Record<string, unknown> = {}) => {
    const user = await admin('POST', '/admin/v1/users', { name, budget });
    const key = await admin('POST', '/admin/v1/keys', { user: name, ...keyExtra });
    return { userId: user.id as string, key: key.key as string, keyId: key.id as string };
  };
  const ask = (key: string) => stack.client(key).chat.completions.create({ model: 'gpt-4o', max_tokens: MAX_TOKENS, messages: [{ role: 'user', content: PROMPT }] });
  const jsonOf = async (res: Promise<Response>): Promise<LooseJson> => (await res).json() as Promise<LooseJson>;
  const billing = (key: string, path: string, base = stack.gatewayUrl) => fetch(`${base}${path}`, { headers: { authorization: `Bearer ${key}` } });
  const storedSpend = async (userId: string) =>
    (await db.query<{ n: string; micro: string }>('SELECT count(*) AS n, coalesce(sum(cost_micro_usd), 0) AS micro FROM usage.usage_events WHERE user_id = $1', [userId])).rows[0];
  // The usage service's key layout: the tenant is the Redis Cluster hash tag.
  const spentKey = (userId: string, period: string) => `chatgate:billing:user:{${tenantId}}:${userId}:spent:${period}`;
  /** Refused with OpenAI's over-quota error (the official client's view of it). */
  const expectInsufficientQuota = (err: unknown) => {
    expect(err).toBeInstanceOf(OpenAI.RateLimitError);
    const e = err as InstanceType<typeof OpenAI.RateLimitError>;
    expect(e.status).toBe(429);
    expect(e.code).toBe('insufficient_quota');
    expect(e.type).toBe('insufficient_quota');
    expect(e.message).toMatch(/You exceeded your current quota/);
  };

  beforeAll(async () => {
    stack = await startStack({ allServices: true, gateway: { ADMIN_PASSWORD: PASSWORD }, usage: { PRICE_TABLE } });
    ({ db, tenantId } = await connectStackDatabase(stack));
    redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
    await stack.auth.app.get(AccountsService).enter(tenantId, stack.sim.issueAccount({ plan: 'plus' }).accessToken);
    // The cost of one request, from the token counts the gateway reports and the table above.
    const probe = await userWithKey('probe');
    const reply = await ask(probe.key);
    expect(reply.choices[0].finish_reason).toBe('length');
    expect(reply.usage!.completion_tokens).toBe(MAX_TOKENS);
    cost = reply.usage!.prompt_tokens * PROMPT_USD_PER_M + reply.usage!.completion_tokens * COMPLETION_USD_PER_M;
    await waitFor(async () => (await storedSpend(probe.userId)).n === '1', 'the probe event', 10_000);
    expect(Number((await storedSpend(probe.userId)).micro)).toBe(cost);
  }, 60_000);
  afterAll(async () => {
    if (redis) {
      const keys = await redis.keys(`chatgate:billing:*{${tenantId}}*`);
      if (keys.length) await redis.del(...keys);
      await redis.quit();
    }
    await db?.end();
    await stack?.close();
  });

  it('admits exactly the requests a budget pays for out of 50 at once; the rest get 429 insufficient_quota', async () => {
    const K = 7;
    const { userId, key } = await userWithKey('carol', { amountUsd: (K * cost) / 1_000_000, period: 'month' });
    const results = await Promise.allSettled(Array.from({ length: 50 }, () => ask(key)));
    const admitted = results.filter((r) => r.status === 'fulfilled');
    expect(admitted).toHaveLength(K);
    for (const r of results) if (r.status === 'rejected') expectInsufficientQuota(r.reason);
    // Settled to the real cost: exactly the budget spent, and nothing more is admitted.
    await waitFor(async () => (await storedSpend(userId)).n === String(K), 'the admitted requests stored', 10_000);
    expect(Number((await storedSpend(userId)).micro)).toBe(K * cost);
    await waitFor(async () => Number(await redis.get(spentKey(userId, `m:${day(Date.now()).slice(0, 7)}`))) === K * cost, 'the spend settled', 10_000);
    await expect(ask(key)).rejects.toThrow(OpenAI.RateLimitError);
    // The admin usage rows carry the spend too.
    const rows = (await admin('GET', '/admin/v1/usage?user=carol')).rows as Array<{ costMicroUsd: number; costUsd: number }>;
    expect(rows.reduce((sum, r) => sum + r.costMicroUsd, 0)).toBe(K * cost);
    expect(rows.reduce((sum, r) => sum + r.costUsd, 0)).toBeCloseTo((K * cost) / 1_000_000, 9);
  });

  it('a day budget starts afresh with the next UTC day', async () => {
    const { userId, key } = await userWithKey('dave', { amountUsd: cost / 1_000_000, period: 'day' });
    await ask(key);
    await expect(ask(key)).rejects.toThrow(OpenAI.RateLimitError);
    const today = spentKey(userId, `d:${day(Date.now())}`);
    await waitFor(async () => Number(await redis.get(today)) === cost, "today's spend settled", 10_000);
    // Yesterday's spend does not count today: what was spent is moved to the day before.
    await redis.rename(today, spentKey(userId, `d:${day(Date.now() - DAY_MS)}`));
    expect((await ask(key)).choices[0].finish_reason).toBe('length');
  });

  it("a key's own budget caps that key only, on top of the user's; removing it (PATCH) lifts it at once", async () => {
    const { userId, key, keyId } = await userWithKey('erin', null, { budget: { amountUsd: cost / 1_000_000, period: 'none' } });
    const other = (await admin('POST', '/admin/v1/keys', { user: 'erin' })).key as string;
    await ask(key);
    await expect(ask(key)).rejects.toThrow(OpenAI.RateLimitError);
    await ask(other);
    const sub = await jsonOf(billing(key, '/v1/dashboard/billing/subscription'));
    expect(sub.hard_limit_usd).toBe(cost / 1_000_000);
    // A key with its own budget sees its own spend, not its user's (the other key spent as much).
    await waitFor(async () => (await storedSpend(userId)).n === '2', "erin's requests stored", 10_000);
    const now = Date.now();
    const range = `start_date=${day(now)}&end_date=${day(now + DAY_MS)}`;
    expect((await jsonOf(billing(key, `/v1/dashboard/billing/usage?${range}`))).total_usage).toBeCloseTo(cost / 10_000, 9);
    expect((await jsonOf(billing(other, `/v1/dashboard/billing/usage?${range}`))).total_usage).toBeCloseTo((2 * cost) / 10_000, 9);
    const patched = await admin('PATCH', `/admin/v1/keys/${keyId}`, { budget: null });
    expect(patched.budget).toBeNull();
    await waitFor(async () => (await ask(key).then(() => true, () => false)), 'the key without its budget', 5000, 100);
  });

  it('answers subscription and usage for the caller, in dollars and cents, with and without /v1 and under API_PREFIX', async () => {
    const { userId, key } = await userWithKey('frank', null, { expiresAt: '2030-01-01T00:00:00Z' });
    const sub = await billing(key, '/v1/dashboard/billing/subscription');
    expect(sub.status).toBe(200);
    expect(await sub.json()).toEqual({ object: 'billing_subscription', has_payment_method: true, hard_limit_usd: 100_000_000, soft_limit_usd: 100_000_000, system_hard_limit_usd: 100_000_000, access_until: Date.UTC(2030, 0, 1) / 1000 });
    await ask(key);
    await ask(key);
    await waitFor(async () => (await storedSpend(userId)).n === '2', "frank's requests stored", 10_000);
    const now = Date.now();
    const range = `start_date=${day(now)}&end_date=${day(now + DAY_MS)}`;
    for (const path of [`/v1/dashboard/billing/usage?${range}`, `/dashboard/billing/usage?${range}`]) {
      const res = await billing(key, path);
      expect(res.status).toBe(200);
      const body = (await res.json()) as LooseJson;
      expect(body.object).toBe('list');
      expect(body.total_usage).toBeCloseTo((2 * cost) / 10_000, 9);
      expect(body.daily_costs).toEqual([{ timestamp: Date.parse(day(now)) / 1000, line_items: [{ name: 'All models', cost: body.total_usage }] }]);
    }
    // The end date is exclusive: a range that ends today holds nothing of today.
    const before = await jsonOf(billing(key, `/v1/dashboard/billing/usage?start_date=${day(now - DAY_MS)}&end_date=${day(now)}`));
    expect(before).toEqual({ object: 'list', daily_costs: [], total_usage: 0 });
    // Without /v1 the subscription answers the same.
    expect((await jsonOf(billing(key, '/dashboard/billing/subscription'))).access_until).toBe(Date.UTC(2030, 0, 1) / 1000);

    let prefixed: RunningService | undefined;
    try {
      prefixed = await startGateway(parseConfig(gatewayEnv, testEnv({ API_PREFIX: '/pfx' })));
      expect((await billing(key, '/pfx/v1/dashboard/billing/subscription', prefixed.url)).status).toBe(200);
      const usage = await jsonOf(billing(key, `/pfx/dashboard/billing/usage?${range}`, prefixed.url));
      expect(usage.total_usage).toBeCloseTo((2 * cost) / 10_000, 9);
    } finally {
      await prefixed?.close();
    }
  });

  it('shows a user budget, and the user’s spend across their keys', async () => {
    const { userId, key } = await userWithKey('gail', { amountUsd: 12.5, period: 'month' });
    const second = (await admin('POST', '/admin/v1/keys', { user: 'gail' })).key as string;
    expect((await admin('GET', `/admin/v1/users/${userId}`)).budget).toEqual({ amountUsd: 12.5, period: 'month' });
    expect((await jsonOf(billing(second, '/v1/dashboard/billing/subscription'))).hard_limit_usd).toBe(12.5);
    await ask(key);
    await ask(second);
    await waitFor(async () => (await storedSpend(userId)).n === '2', "gail's requests stored", 10_000);
    const now = Date.now();
    const usage = await jsonOf(billing(key, `/v1/dashboard/billing/usage?start_date=${day(now - DAY_MS)}&end_date=${day(now + DAY_MS)}`));
    expect(usage.total_usage).toBeCloseTo((2 * cost) / 10_000, 9);
  });

  it('totals spend per tenant, user, credential and account for admins (GET /admin/v1/spend)', async () => {
    const all = Number((await db.query<{ micro: string }>('SELECT sum(cost_micro_usd) AS micro FROM usage.usage_events')).rows[0].micro);
    expect(all).toBeGreaterThan(0);
    const page = (by: string) => admin('GET', `/admin/v1/spend?by=${by}`);
    const tenants = await page('tenant');
    expect(tenants.rows).toEqual([{ tenantId, id: null, label: null, requests: expect.any(Number), promptTokens: expect.any(Number), completionTokens: expect.any(Number), characters: 0, costMicroUsd: all, costUsd: all / 1_000_000 }]);
    const users = (await page('user')).rows as Array<{ label: string; costMicroUsd: number; requests: number }>;
    expect(users.find((r) => r.label === 'carol')).toMatchObject({ requests: 7, costMicroUsd: 7 * cost });
    expect(users.reduce((sum, r) => sum + r.costMicroUsd, 0)).toBe(all);
    // Erin's two keys apart: one request each before the budget was lifted, then more on the first.
    const erin = ((await page('credential')).rows as Array<{ label: string; id: string; costMicroUsd: number }>).filter((r) => r.label === 'erin');
    expect(erin).toHaveLength(2);
    expect(erin.every((r) => r.id.startsWith('key_') && r.costMicroUsd % cost === 0 && r.costMicroUsd > 0)).toBe(true);
    const accounts = (await page('account')).rows as Array<{ costMicroUsd: number }>;
    expect(accounts.reduce((sum, r) => sum + r.costMicroUsd, 0)).toBe(all);
    const bad = await fetch(`${stack.gatewayUrl}/admin/v1/spend?by=model`, { headers: { authorization: `Bearer ${PASSWORD}` } });
    expect(bad.status).toBe(400);
  });

  it('refuses bad dates and missing credentials with OpenAI errors', async () => {
    const { key } = await userWithKey('hank');
    const cases: Array<[string, string]> = [
      ['/v1/dashboard/billing/usage?end_date=2026-01-02', 'start_date'],
      ['/v1/dashboard/billing/usage?start_date=2026-02-30&end_date=2026-03-02', 'start_date'],
      ['/v1/dashboard/billing/usage?start_date=2026-01-01&end_date=yesterday', 'end_date'],
      ['/v1/dashboard/billing/usage?start_date=2026-01-02&end_date=2026-01-02', 'end_date'],
      ['/v1/dashboard/billing/usage?start_date=2025-01-01&end_date=2026-01-01', 'end_date'],
    ];
    for (const [path, param] of cases) {
      const res = await billing(key, path);
      expect(res.status).toBe(400);
      const body = (await res.json()) as LooseJson;
      expect(body.error).toEqual({ message: expect.any(String), type: 'invalid_request_error', param, code: null, request_id: expect.any(String) });
    }
    const anonymous = await fetch(`${stack.gatewayUrl}/v1/dashboard/billing/subscription`);
    expect(anonymous.status).toBe(401);
    expect(((await anonymous.json()) as LooseJson).error.code).toBe('missing_api_key');
    const unknown = await billing('sk-cg-not-a-key-of-anyone-0000000', '/dashboard/billing/subscription');
    expect(unknown.status).toBe(401);
  });
});

describe('billing: a budget declared in the bootstrap file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'chatgate-billing-bootstrap-'));
  const KEY = 'sk-cg-billing-bootstrap-plain-key-0001';
  let stack: Stack;
  beforeAll(async () => {
    const file = join(dir, 'bootstrap.yaml');
    writeFileSync(file, `tenants:\n  - slug: acme\n    users:\n      - name: ivy\n        budget: { amount_usd: 2.5, period: day }\n        keys:\n          - plain: ${KEY}\n`);
    stack = await startStack({ allServices: true, auth: { CHATGATE_BOOTSTRAP: file } });
  }, 60_000);
  afterAll(async () => {
    await stack?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("reaches the user's principal", async () => {
    const res = await fetch(`${stack.gatewayUrl}/v1/dashboard/billing/subscription`, { headers: { authorization: `Bearer ${KEY}` } });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ object: 'billing_subscription', hard_limit_usd: 2.5, access_until: 4_102_444_800 });
  });
});

describe('billing: a job no worker took', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ allServices: true, workers: 0, gateway: { ADMIN_PASSWORD: PASSWORD }, usage: { PRICE_TABLE } });
  }, 60_000);
  afterAll(() => stack?.close());

  it('gives its budget hold back, so the next request is not refused for quota', async () => {
    const post = (path: string, body: unknown) =>
      fetch(`${stack.gatewayUrl}${path}`, { method: 'POST', headers: { authorization: `Bearer ${PASSWORD}`, 'content-type': 'application/json' }, body: JSON.stringify(body) }).then((r) => r.json() as Promise<LooseJson>);
    // Room for one hold of this request (a ~14-token prompt and 3 completion tokens: about 4,400 µUSD), not two.
    await post('/admin/v1/users', { name: 'olga', budget: { amountUsd: 0.006, period: 'day' } });
    const key = (await post('/admin/v1/keys', { user: 'olga' })).key as string;
    const chat = () => fetch(`${stack.gatewayUrl}/v1/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify({ model: 'gpt-4o', max_tokens: MAX_TOKENS, messages: [{ role: 'user', content: PROMPT }] }) });
    expect((await chat()).status).toBe(503);
    // The release is a message on the bus; the next request finds the budget free again (503, not 429).
    await waitFor(async () => (await chat()).status === 503, 'the hold to come back', 5000, 100);
  });
});

describe('billing: platform models beyond the list prices (images, unlisted models, fine-tunes)', () => {
  const ROUTES = [
    { model: 'dall-e-*', upstream: 'platform' },
    { model: 'gpt-4.5*', upstream: 'platform' },
    { model: 'ft:*', upstream: 'platform' },
  ];
  const FINE_TUNE = 'ft:gpt-4o-mini-2024-07-18:acme::abc123';
  const MODELS = ['dall-e-3', 'gpt-4.5-preview', FINE_TUNE];

  /** A stack whose default tenant has one simulated API key serving MODELS, routed there; and admin helpers. */
  async function platformStack(usage: Record<string, string> = {}) {
    const stack = await startStack({ allServices: true, gateway: { ADMIN_PASSWORD: PASSWORD }, usage });
    const { db } = await connectStackDatabase(stack);
    const admin = async (method: string, path: string, body?: unknown): Promise<LooseJson> => {
      const res = await fetch(`${stack.gatewayUrl}${path}`, { method, headers: { authorization: `Bearer ${PASSWORD}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
      expect(res.status).toBeLessThan(300);
      return res.json();
    };
    await admin('POST', '/admin/v1/accounts/import', { api_keys: [{ key: stack.sim.issueApiKey({ models: MODELS }), base_url: `${stack.sim.url}/v1` }] });
    await admin('POST', '/admin/v1/routes', { routes: ROUTES });
    const userWithKey = async (name: string, budget: unknown) => {
      const user = await admin('POST', '/admin/v1/users', { name, budget });
      return { userId: user.id as string, client: stack.client((await admin('POST', '/admin/v1/keys', { user: name })).key as string) };
    };
    const storedCost = (requestId: string | null) =>
      waitFor(async () => (await db.query<{ cost_micro_usd: string }>('SELECT cost_micro_usd FROM usage.usage_events WHERE request_id = $1', [requestId])).rows[0], `usage event ${requestId}`, 10_000).then((r) => Number(r.cost_micro_usd));
    return { stack, db, userWithKey, storedCost, close: async () => (await db.end(), await stack.close()) };
  }

  describe('with the default table', () => {
    let env: Awaited<ReturnType<typeof platformStack>>;
    beforeAll(async () => {
      env = await platformStack();
    }, 60_000);
    afterAll(() => env?.close());

    it("holds n images at the size and quality asked and spends per image: a budget of two dall-e-3 images admits two, then no more", async () => {
      // dall-e-3 standard 1024x1024: 0.04 USD an image (OpenAI's list price).
      const { userId, client } = await env.userWithKey('painter', { amountUsd: 0.08, period: 'month' });
      await expect(client.images.generate({ model: 'dall-e-3', prompt: 'three boats', n: 3 })).rejects.toMatchObject({ status: 429, code: 'insufficient_quota' });
      // hd 1792x1024 is 0.12 an image: one alone is over the budget too.
      await expect(client.images.generate({ model: 'dall-e-3', prompt: 'one wide boat', quality: 'hd', size: '1792x1024' })).rejects.toMatchObject({ status: 429, code: 'insufficient_quota' });
      const { response } = await client.images.generate({ model: 'dall-e-3', prompt: 'two boats', n: 2 }).withResponse();
      expect(await env.storedCost(response.headers.get('x-request-id'))).toBe(80_000);
      await waitFor(async () => (await client.images.generate({ model: 'dall-e-3', prompt: 'one more' }).then(() => 'served', (err: { code?: string }) => err.code)) === 'insufficient_quota', 'the spend settled', 10_000, 100);
      const rows = await env.db.query('SELECT count(*) AS n, sum(cost_micro_usd) AS micro FROM usage.usage_events WHERE user_id = $1 AND outcome = $2', [userId, 'ok']);
      expect(rows.rows[0]).toEqual({ n: '1', micro: '80000' });
    });

    it('prices a platform model no entry names at the default, and a fine-tune as its base model', async () => {
      const { client } = await env.userWithKey('explorer', { amountUsd: 10, period: 'month' });
      const messages = [{ role: 'user' as const, content: 'what does an unlisted model cost' }];
      const { data: preview, response: previewed } = await client.chat.completions.create({ model: 'gpt-4.5-preview', messages }).withResponse();
      // The default: 15 USD per million prompt tokens, 60 per million completion tokens.
      expect(await env.storedCost(previewed.headers.get('x-request-id'))).toBe(preview.usage!.prompt_tokens * 15 + preview.usage!.completion_tokens * 60);
      const { data: tuned, response: tunedResponse } = await client.chat.completions.create({ model: FINE_TUNE, messages }).withResponse();
      // gpt-4o-mini: 0.15 and 0.6 USD per million.
      expect(await env.storedCost(tunedResponse.headers.get('x-request-id'))).toBe(Math.round(tuned.usage!.prompt_tokens * 0.15 + tuned.usage!.completion_tokens * 0.6));
    });
  });

  describe('with no default price ("*": null)', () => {
    let env: Awaited<ReturnType<typeof platformStack>>;
    beforeAll(async () => {
      env = await platformStack({ PRICE_TABLE: '{"platform": {"*": null}}' });
    }, 60_000);
    afterAll(() => env?.close());

    it('refuses a budgeted caller a model without a price (403 model_not_priced), serves one without a budget, and priced models as ever', async () => {
      const messages = [{ role: 'user' as const, content: 'an unpriced model' }];
      const budgeted = await env.userWithKey('careful', { amountUsd: 10, period: 'month' });
      const refused = await budgeted.client.chat.completions.create({ model: 'gpt-4.5-preview', messages }).catch((err: unknown) => err);
      expect(refused).toBeInstanceOf(OpenAI.PermissionDeniedError);
      expect(refused).toMatchObject({ status: 403, code: 'model_not_priced', type: 'invalid_request_error', param: 'model' });
      expect((refused as Error).message).toMatch(/no price/);
      // A listed model (and a fine-tune of one) still goes through the budget.
      expect((await budgeted.client.chat.completions.create({ model: FINE_TUNE, messages })).choices[0].message.content).toEqual(expect.any(String));
      expect((await budgeted.client.images.generate({ model: 'dall-e-3', prompt: 'a boat' })).data).toHaveLength(1);
      const free = await env.userWithKey('unbudgeted', null);
      const { response } = await free.client.chat.completions.create({ model: 'gpt-4.5-preview', messages }).withResponse();
      expect(await env.storedCost(response.headers.get('x-request-id'))).toBe(0);
    });
  });
});
