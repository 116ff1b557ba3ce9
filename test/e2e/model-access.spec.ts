import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type pg from 'pg';
import { AccountsService } from '@chatgate/auth';
import { replyFor } from '@chatgate/chatgpt-sim';
import { waitFor, type LooseJson } from '@chatgate/testing';
import { startStack, type Stack } from '../support/stack.js';
import { connectStackDatabase } from '../support/stack-database.js';

const PASSWORD = 'admin-password-for-model-access-tests-3e9';
/** ChatGPT-account requests priced, so that a budget shows which model a request was priced as. */
const PRICE_TABLE = JSON.stringify({ chatgpt: { 'gpt-4o': { prompt: 10, completion: 10 }, o1: { prompt: 100, completion: 100 }, '*': { prompt: 1, completion: 1 } } });

interface Answer {
  status: number;
  json: LooseJson;
  headers: Headers;
}

/**
 * Issue 12: what a request may use is decided by the model it reaches, not the name it was sent
 * with (per-model limits bypassed with `"o1 "`, `"xo1"`, `"my-o1"`); and what teams sharing a
 * gateway expect: per-user and per-key model allow-lists, per-key RPM and TPM.
 */
describe('model access: limits on the model a name reaches, allow-lists, RPM and TPM', () => {
  let stack: Stack;
  let db: pg.Client;

  const admin = async (method: string, path: string, body?: unknown): Promise<Answer> => {
    const res = await fetch(`${stack.gatewayUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${PASSWORD}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, json: (await res.json()) as LooseJson, headers: res.headers };
  };
  const userWithKey = async (name: string, user: Record<string, unknown> = {}, key: Record<string, unknown> = {}): Promise<string> => {
    expect((await admin('POST', '/admin/v1/users', { name, ...user })).status).toBe(201);
    const created = await admin('POST', '/admin/v1/keys', { user: name, ...key });
    expect(created.status).toBe(201);
    return created.json.key as string;
  };
  const chat = async (key: string, model: string, content = 'hello', extra: Record<string, unknown> = {}): Promise<Answer> => {
    const res = await fetch(`${stack.gatewayUrl}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model, messages: [{ role: 'user', content }], ...extra }),
    });
    return { status: res.status, json: (await res.json()) as LooseJson, headers: res.headers };
  };
  const usageOf = (requestId: string | null) =>
    waitFor(async () => (await db.query('SELECT * FROM usage.usage_events WHERE request_id = $1', [requestId])).rows[0] as LooseJson | undefined, `usage event of ${requestId}`, 10_000);

  beforeAll(async () => {
    stack = await startStack({ allServices: true, gateway: { ADMIN_PASSWORD: PASSWORD }, usage: { PRICE_TABLE } });
    let tenantId: string;
    ({ db, tenantId } = await connectStackDatabase(stack));
    await stack.auth.app.get(AccountsService).enter(tenantId, stack.sim.issueAccount({ plan: 'pro' }).accessToken);
  }, 60_000);
  afterAll(async () => {
    await db?.end();
    await stack?.close();
  });

  describe('limits count the model a request reaches (item 5)', () => {
    it('refuses names that do not read as what they would get, and counts every variant of o1 under o1', async () => {
      const key = await userWithKey('olga', { limits: [{ model_name: 'o1', every_minute: 60, limit_count: 1 }] });
      stack.sim.resetStats();
      // Whitespace: 400 naming the field, before anything goes upstream.
      for (const model of ['o1 ', ' o1', 'o1\t']) {
        const padded = await chat(key, model);
        expect(padded.status).toBe(400);
        expect(padded.json.error).toMatchObject({ type: 'invalid_request_error', param: 'model', code: 'invalid_value' });
      }
      // A name that holds o1 without being it: 404, as OpenAI answers an unknown model.
      const misleading = await chat(key, 'my-o1');
      expect(misleading.status).toBe(404);
      expect(misleading.json.error).toMatchObject({ code: 'model_not_found', param: 'model', message: expect.stringContaining("only contains 'o1'") });
      expect(stack.sim.stats().conversationRequests).toBe(0);

      // The one o1 request the limit allows, then every name that reaches o1 is the same window.
      expect((await chat(key, 'o1')).status).toBe(200);
      for (const variant of ['o1-2024-12-17', 'O1']) {
        const refused = await chat(key, variant);
        expect(refused.status).toBe(429);
        expect(refused.json.error).toMatchObject({ code: 'usage_limit_exceeded', message: expect.stringContaining('o1') });
        expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
      }
      // `xo1` reads as an unknown model: it goes to the default model, not to o1, and the o1 window lets it be.
      stack.sim.resetStats();
      const plain = await chat(key, 'xo1');
      expect(plain.status).toBe(200);
      expect(stack.sim.stats().lastConversation).toMatchObject({ model: 'gpt-4o' });
    });

    it('counts an unknown name under the default model it reaches, and prices it as that model', async () => {
      const key = await userWithKey('gina', { limits: [{ model_name: 'gpt-4o', every_minute: 60, limit_count: 2 }] });
      const first = await chat(key, 'gpt-4o-2024-08-06');
      expect(first.status).toBe(200);
      const variant = await chat(key, 'xo1');
      expect(variant.status).toBe(200);
      expect((await chat(key, 'claude-3')).status).toBe(429);
      // Stored under the name it was sent with, priced as gpt-4o (10 $/M), not as an unknown model (1 $/M).
      const row = await usageOf(variant.headers.get('x-request-id'));
      expect(row).toMatchObject({ model: 'xo1', outcome: 'ok' });
      const expected = (Number(row.prompt_tokens) + Number(row.completion_tokens)) * 10;
      expect(Number(row.cost_micro_usd)).toBe(expected);
    });
  });

  describe('model allow-lists (per user and per key)', () => {
    it("serves only the user's and the key's allowed models, refused with 403 naming the model and no hop upstream", async () => {
      const key = await userWithKey('amir', { allowed_models: ['gpt-4o*', 'auto'] }, { allowed_models: ['gpt-4o-mini*', 'auto'] });
      stack.sim.resetStats();
      const byUser = await chat(key, 'o1');
      expect(byUser.status).toBe(403);
      expect(byUser.json.error).toMatchObject({ type: 'invalid_request_error', param: 'model', code: 'model_not_allowed', message: expect.stringContaining("'o1'") });
      expect(byUser.json.error.message).toContain('user');
      const byKey = await chat(key, 'gpt-4o');
      expect(byKey.status).toBe(403);
      expect(byKey.json.error.message).toContain('API key');
      // A name that reaches a model outside the lists is refused by the model it reaches.
      const variant = await chat(key, 'xo1');
      expect(variant.status).toBe(403);
      expect(variant.json.error.message).toContain("it reaches 'gpt-4o'");
      // Platform-only models too (the embeddings route), without a hop.
      const embed = await fetch(`${stack.gatewayUrl}/v1/embeddings`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify({ model: 'text-embedding-3-small', input: 'x' }) });
      expect(embed.status).toBe(403);
      expect(stack.sim.stats().conversationRequests).toBe(0);
      // What both lists allow is served, under any name that reaches it.
      const served = await chat(key, 'gpt-4o-mini-2024-07-18', 'allowed');
      expect(served.status).toBe(200);
      expect(served.json.choices[0].message.content).toBe(replyFor('allowed').text);
    });

    it('takes a changed list at once (every gateway re-reads the key), and keeps them off tenant admin keys', async () => {
      const key = await userWithKey('uma', { allowed_models: ['auto'] });
      expect((await chat(key, 'gpt-4o')).status).toBe(403);
      const user = (await admin('GET', '/admin/v1/users?q=uma')).json.data[0];
      expect(user.allowed_models).toEqual(['auto']);
      const patched = await admin('PATCH', `/admin/v1/users/${user.id}`, { allowed_models: null });
      expect(patched.status).toBe(200);
      expect(patched.json.allowed_models).toBeNull();
      await waitFor(async () => (await chat(key, 'gpt-4o')).status === 200 || undefined, 'the new list to apply', 5000, 100);
      // Malformed patterns and admin keys with lists or rates are 400s naming the field.
      const bad = await admin('POST', '/admin/v1/users', { name: 'bad-list', allowed_models: ['gpt 4o'] });
      expect(bad.status).toBe(400);
      expect(bad.json.error.param).toBe('allowed_models.0');
      const adminKey = await admin('POST', '/admin/v1/keys', { kind: 'tenant_admin', rpm: 10 });
      expect(adminKey.status).toBe(400);
      expect(adminKey.json.error.param).toBe('rpm');
    });
  });

  describe('per-key RPM and TPM', () => {
    it('lets exactly `rpm` requests of a minute through, with retry-after after that; another key of the user has its own', async () => {
      const key = await userWithKey('rita', {}, { rpm: 3 });
      const created = (await admin('GET', '/admin/v1/keys?limit=200')).json.data.find((k: LooseJson) => k.rpm === 3);
      expect(created).toMatchObject({ rpm: 3, tpm: null, allowed_models: null });
      const statuses = (await Promise.all(Array.from({ length: 8 }, () => chat(key, 'gpt-4o')))).map((a) => a.status);
      expect(statuses.filter((s) => s === 200)).toHaveLength(3);
      const refused = await chat(key, 'gpt-4o');
      expect(refused.status).toBe(429);
      expect(refused.json.error).toMatchObject({ type: 'requests', code: 'requests_rate_limit_exceeded', message: expect.stringContaining('RPM') });
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(30);
      const other = await admin('POST', '/admin/v1/keys', { user: 'rita' });
      expect((await chat(other.json.key as string, 'gpt-4o')).status).toBe(200);
    });

    it('takes the prompt estimate up front and settles to the real count, refusing once the minute is used; a prompt over the TPM is too large', async () => {
      const key = await userWithKey('tom', {}, { tpm: 300 });
      // The prompt is a dozen tokens; the answer, 400 words, is far more than the TPM.
      const long = await chat(key, 'gpt-4o', 'write a lot [[sim words=400]]');
      expect(long.status).toBe(200);
      expect(long.json.usage.prompt_tokens).toBeLessThan(50);
      expect(long.json.usage.completion_tokens).toBeGreaterThan(300);
      // On the estimate alone there would be room; once the usage event settles the real count there is none.
      const refused = await waitFor(
        async () => {
          const answer = await chat(key, 'gpt-4o', 'one more');
          return answer.status === 429 ? answer : undefined;
        },
        'the real token count to fill the minute',
        10_000,
        200,
      );
      expect(refused?.json.error).toMatchObject({ type: 'tokens', code: 'tokens_rate_limit_exceeded', message: expect.stringContaining('TPM') });
      expect(Number(refused?.headers.get('retry-after'))).toBeGreaterThan(0);
      // A prompt larger than the TPM itself can never fit.
      const fresh = await userWithKey('tina', {}, { tpm: 20 });
      const huge = await chat(fresh, 'gpt-4o', 'word '.repeat(200));
      expect(huge.status).toBe(429);
      expect(huge.json.error.message).toContain('Request too large');
    });
  });
});
