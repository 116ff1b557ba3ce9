import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import OpenAI from 'openai';
import pg from 'pg';
import { gatewayEnv, parseConfig } from '@chatgate/config';
import { AccountPoolService, AccountRefresher, AccountsService } from '@chatgate/auth';
import { startGateway } from '@chatgate/gateway';
import { testEnv, type LooseJson } from '@chatgate/testing';
import { startStack, type Stack } from '../support/stack.js';
import { connectStackDatabase } from '../support/stack-database.js';
import { openStored } from '../support/stored-tokens.js';

const PASSWORD = 'admin-password-for-tenant-tests-91c';

interface Answer {
  status: number;
  json: LooseJson;
}

/** Tenants, users, keys and mirror tokens end to end: admin API through the gateway, chat through the pool. */
describe('tenants, users and keys', () => {
  let stack: Stack;
  let db: pg.Client;
  let tenantId: string;

  async function call(path: string, init: { method?: string; body?: unknown; auth?: string; tenant?: string; base?: string } = {}): Promise<Answer> {
    const headers: Record<string, string> = { authorization: `Bearer ${init.auth ?? PASSWORD}` };
    if (init.body !== undefined) headers['content-type'] = 'application/json';
    if (init.tenant) headers['x-chatgate-tenant'] = init.tenant;
    const res = await fetch(`${init.base ?? stack.gatewayUrl}${path}`, { method: init.method ?? (init.body !== undefined ? 'POST' : 'GET'), headers, body: init.body === undefined ? undefined : JSON.stringify(init.body) });
    const text = await res.text();
    return { status: res.status, json: text ? JSON.parse(text) : undefined };
  }
  const expectError = (a: Answer, status: number, code?: string | null, param?: string | null) => {
    expect(a.status).toBe(status);
    expect(a.json.error).toEqual(expect.objectContaining({ message: expect.any(String), type: expect.any(String) }));
    if (code) expect(a.json.error.code).toBe(code);
    if (param !== undefined) expect(a.json.error.param).toBe(param);
  };
  const enter = async (tokenFor: 'access' | 'refresh' = 'access') => {
    const account = stack.sim.issueAccount({ plan: 'plus' });
    const entered = await stack.auth.app.get(AccountsService).enter(tenantId, tokenFor === 'access' ? account.accessToken : account.refreshToken);
    return { account, id: entered.accountId };
  };
  const createUser = async (body: Record<string, unknown>) => {
    const a = await call('/admin/v1/users', { body });
    expect(a.status).toBe(201);
    return a.json;
  };
  const createKey = async (user: string, extra: Record<string, unknown> = {}) => {
    const a = await call('/admin/v1/keys', { body: { user, ...extra } });
    expect(a.status).toBe(201);
    return a.json;
  };
  const ask = (key: string, client?: OpenAI) => (client ?? stack.client(key)).chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hello' }] });
  const status = async (run: () => Promise<unknown>) => {
    try {
      await run();
      return 200;
    } catch (err) {
      if (err instanceof OpenAI.APIError) return { status: err.status, code: err.code };
      throw err;
    }
  };

  beforeAll(async () => {
    stack = await startStack({ gateway: { ADMIN_PASSWORD: PASSWORD }, auth: { RANDOM_TOKEN: false } });
    ({ db, tenantId } = await connectStackDatabase(stack));
  });
  afterAll(async () => {
    await db?.end();
    await stack?.close();
  });
  beforeEach(async () => {
    await db.query('DELETE FROM auth.users');
    await db.query('DELETE FROM auth.api_keys');
    await db.query('DELETE FROM auth.upstream_accounts');
    await db.query("DELETE FROM auth.tenants WHERE slug <> 'default'");
    stack.auth.app.get(AccountPoolService).announceChanged(tenantId, []);
    stack.sim.resetStats();
  });

  describe('/admin/v1/users', () => {
    it('refuses bad input naming the field, and writes nothing', async () => {
      expectError(await call('/admin/v1/users', { body: { name: 'ann', limits: [{ model_name: 'gpt-4o', every_minute: -5, limit_count: 1 }] } }), 400, null, 'limits.0.every_minute');
      expectError(await call('/admin/v1/users', { body: { name: 'ann', limits: [{ model_name: 'gpt-4o', every_minute: 5, limit_count: -1 }] } }), 400, null, 'limits.0.limit_count');
      const dup = [{ model_name: 'gpt-4o', every_minute: 5, limit_count: 1 }, { model_name: 'gpt-4o', every_minute: 9, limit_count: 1 }];
      expectError(await call('/admin/v1/users', { body: { name: 'ann', limits: dup } }), 400, null, 'limits.1.model_name');
      const many = Array.from({ length: 51 }, (_, i) => ({ model_name: `m${i}`, every_minute: 1, limit_count: 1 }));
      expectError(await call('/admin/v1/users', { body: { name: 'ann', limits: many } }), 400, null, 'limits');
      expectError(await call('/admin/v1/users', { body: { name: '' } }), 400, null, 'name');
      expectError(await call('/admin/v1/users', { body: { name: 'ann', chatgpt_list: ['nobody@example.com'] } }), 400, 'unknown_account', 'chatgpt_list.0');
      expect((await db.query('SELECT count(*)::int AS n FROM auth.users')).rows[0].n).toBe(0);
    });

    it('creates, shows, lists with filters and pages, updates, refuses a duplicate name, deletes', async () => {
      const ann = await createUser({ name: 'ann', isolated_session: true, limits: [{ model_name: 'gpt-4o', every_minute: 60, limit_count: 10 }] });
      expect(ann).toMatchObject({ name: 'ann', status: 'active', isolated_session: true, chatgpt_list: 'all', limits: [{ model_name: 'gpt-4o', every_minute: 60, limit_count: 10 }] });
      await createUser({ name: 'bob', status: 'disabled' });
      expectError(await call('/admin/v1/users', { body: { name: 'ann' } }), 409, 'user_exists', 'name');
      expect((await call(`/admin/v1/users/${ann.id}`)).json.name).toBe('ann');
      const page = (await call('/admin/v1/users?limit=1&page=2')).json;
      expect(page).toMatchObject({ total: 2, page: 2, limit: 1, hasMore: false });
      expect((await call('/admin/v1/users?status=disabled')).json.data.map((u: { name: string }) => u.name)).toEqual(['bob']);
      expect((await call('/admin/v1/users?q=AN')).json.data.map((u: { name: string }) => u.name)).toEqual(['ann']);
      expect((await call(`/admin/v1/users/${ann.id}`, { method: 'PATCH', body: { status: 'disabled' } })).json.status).toBe('disabled');
      expectError(await call(`/admin/v1/users/${ann.id}`, { method: 'PATCH', body: { name: 'bob' } }), 409, 'user_exists');
      expect((await call(`/admin/v1/users/${ann.id}`, { method: 'DELETE' })).json).toEqual({ id: ann.id, deleted: true });
      expectError(await call(`/admin/v1/users/${ann.id}`), 404, 'user_not_found');
      expectError(await call('/admin/v1/users/not-an-id'), 404, 'user_not_found');
    });
  });

  describe('gateway keys', () => {
    it("are shown once, stored as a hash, and chat through the pool with the user's principal", async () => {
      await enter();
      const user = await createUser({ name: 'carol', limits: [{ model_name: 'gpt-4o', every_minute: 1, limit_count: 100 }] });
      const created = await createKey('carol', { name: 'laptop' });
      expect(created.key).toMatch(/^sk-cg-[\w-]{40,}$/);
      expect(created).toMatchObject({ kind: 'user', userId: user.id, name: 'laptop', prefix: `${created.key.slice(0, 10)}…`, revokedAt: null });
      const stored = (await db.query('SELECT * FROM auth.api_keys WHERE id = $1', [created.id])).rows[0];
      expect(JSON.stringify(stored)).not.toContain(created.key);
      const listed = await call('/admin/v1/keys');
      expect(listed.json.data).toHaveLength(1);
      expect(JSON.stringify(listed.json)).not.toContain(created.key);

      const reply = await ask(created.key);
      expect(reply.choices[0].message.content).toBeTruthy();
      expect(stack.sim.stats().conversationRequests).toBe(1);
      expect(await status(() => ask(`${created.key}x`))).toEqual({ status: 401, code: 'invalid_api_key' });
    });

    it('a user key for an unknown user is 404 naming the field; a bad expiry is 400', async () => {
      expectError(await call('/admin/v1/keys', { body: { user: 'nobody' } }), 404, 'user_not_found', 'user');
      expectError(await call('/admin/v1/keys', { body: { kind: 'user' } }), 400, null, 'user');
      expectError(await call('/admin/v1/keys', { body: { user: 'x', expiresAt: 'tomorrow' } }), 400, null, 'expiresAt');
    });

    it('revocation is seen by a second gateway replica within a second', async () => {
      await enter();
      await createUser({ name: 'dave' });
      const { key, id } = await createKey('dave');
      const second = await startGateway(parseConfig(gatewayEnv, testEnv({ ADMIN_PASSWORD: PASSWORD })));
      try {
        const other = new OpenAI({ apiKey: key, baseURL: `${second.url}/v1`, maxRetries: 0 });
        // Both replicas have the principal cached.
        await ask(key);
        await ask(key, other);
        expect((await call(`/admin/v1/keys/${id}/revoke`, { method: 'POST' })).json.revokedAt).toEqual(expect.any(String));
        const revokedAt = Date.now();
        let refused: unknown = 200;
        while (Date.now() - revokedAt < 1000 && refused === 200) refused = await status(() => ask(key, other));
        expect(refused).toEqual({ status: 401, code: 'invalid_api_key' });
        expect(Date.now() - revokedAt).toBeLessThan(1000);
        expect(await status(() => ask(key))).toEqual({ status: 401, code: 'invalid_api_key' });
      } finally {
        await second.close();
      }
    });

    it('an expired or disabled user is refused with a clear 401', async () => {
      await enter();
      const user = await createUser({ name: 'erin' });
      const { key } = await createKey('erin');
      await ask(key);
      await call(`/admin/v1/users/${user.id}`, { method: 'PATCH', body: { expiresAt: new Date(Date.now() - 1000).toISOString() } });
      expect(await status(() => ask(key))).toEqual({ status: 401, code: 'user_expired' });
      await call(`/admin/v1/users/${user.id}`, { method: 'PATCH', body: { expiresAt: null, status: 'disabled' } });
      expect(await status(() => ask(key))).toEqual({ status: 401, code: 'user_disabled' });
      await call(`/admin/v1/users/${user.id}`, { method: 'PATCH', body: { status: 'active' } });
      expect(await status(() => ask(key))).toBe(200);
    });

    it("chatgpt_list keeps a user's requests on the allowed accounts", async () => {
      const a = await enter();
      const b = await enter();
      await createUser({ name: 'fay', chatgpt_list: [b.account.email] });
      const { key } = await createKey('fay');
      for (let i = 0; i < 4; i++) await ask(key);
      expect(stack.sim.stats().byAccount[b.account.accountId]).toBe(4);
      expect(stack.sim.stats().byAccount[a.account.accountId]).toBeUndefined();
    });
  });

  describe("ChatGPT-Mirror's user routes", () => {
    it('login answers a fixed mirror token for (user, account) that follows the newest access token; logout ends it', async () => {
      const account = stack.sim.issueAccount({ plan: 'plus' });
      const limits = [{ model_name: 'gpt-4o', every_minute: 60, limit_count: 5 }];
      const login = await call('/api/login', { body: { user_name: 'gus', access_token: account.accessToken, limits, isolated_session: true } });
      expect(login.status).toBe(200);
      const token = login.json['user-gateway-token'];
      expect(token).toMatch(/^mt-cg-/);
      expect((await call('/api/login', { body: { user_name: 'gus', access_token: account.accessToken } })).json['user-gateway-token']).toBe(token);
      const user = (await call('/admin/v1/users?q=gus')).json.data[0];
      expect(user).toMatchObject({ isolated_session: true, limits });

      // The account gains a refresh token, then is refreshed: the same mirror token uses the new access token.
      const { accountId } = await stack.auth.app.get(AccountsService).enter(tenantId, account.refreshToken);
      const before = openStored((await db.query('SELECT id, access_token_enc FROM auth.upstream_accounts WHERE id = $1', [accountId])).rows[0], 'access_token_enc');
      expect((await stack.auth.app.get(AccountRefresher).refresh(accountId)).ok).toBe(true);
      const after = openStored((await db.query('SELECT id, access_token_enc FROM auth.upstream_accounts WHERE id = $1', [accountId])).rows[0], 'access_token_enc');
      expect(after).not.toBe(before);
      await ask(token);
      expect(stack.sim.stats().byAccount[account.accountId]).toBe(1);

      expect((await call('/api/logout', { body: { user_name: 'gus' } })).json).toEqual({ status: 'success', revoked: 1 });
      expect(await status(() => ask(token))).toEqual({ status: 401, code: 'invalid_api_key' });
      expectError(await call('/api/logout', { body: { user_name: 'nobody' } }), 404, 'user_not_found', 'user_name');
    });

    it('get-mirror-token called concurrently for a new user and account answers one token, never a 500', async () => {
      const a = await enter();
      const replies = await Promise.all(Array.from({ length: 6 }, () => call('/api/get-mirror-token', { body: { user_name: 'ida', chatgpt_list: [a.account.email] } })));
      expect(replies.map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 200]);
      expect(new Set(replies.map((r) => r.json[0].mirror_token)).size).toBe(1);
    });

    it('an expired API key is refused with 401', async () => {
      await enter();
      await createUser({ name: 'joe' });
      const key = (await createKey('joe', { expiresAt: new Date(Date.now() + 1500).toISOString() })).key as string;
      expect((await ask(key)).choices[0].message.content).toBe('You said: hello');
      await new Promise((r) => setTimeout(r, 1600));
      // A fresh client misses nothing: the gateway's cached principal expires with the key.
      expect(await status(() => ask(key))).toMatchObject({ status: 401 });
    });

    it('get-mirror-token answers one token per email, each reaching only its account', async () => {
      const a = await enter();
      const b = await enter();
      const reply = await call('/api/get-mirror-token', { body: { user_name: 'hal', isolated_session: false, limits: [], chatgpt_list: [a.account.email, b.account.email] } });
      expect(reply.status).toBe(200);
      expect(reply.json.map((r: { chatgpt_username: string }) => r.chatgpt_username)).toEqual([a.account.email, b.account.email]);
      const [ta, tb] = reply.json.map((r: { mirror_token: string }) => r.mirror_token);
      expect(ta).not.toBe(tb);
      await ask(ta);
      await ask(ta);
      await ask(tb);
      expect(stack.sim.stats().byAccount).toEqual({ [a.account.accountId]: 2, [b.account.accountId]: 1 });
      expectError(await call('/api/get-mirror-token', { body: { user_name: 'hal', chatgpt_list: ['unknown@example.com'] } }), 400, 'unknown_account', 'chatgpt_list.0');
      expectError(await call('/api/get-mirror-token', { body: { user_name: 'hal', chatgpt_list: [a.account.email], limits: [{ model_name: 'x', every_minute: 0, limit_count: 1 }] } }), 400, null, 'limits.0.every_minute');
    });
  });

  describe('tenants and tenant admin keys', () => {
    it('the operator creates, lists, renames and deletes tenants (cascade only when asked)', async () => {
      const t = await call('/admin/v1/tenants', { body: { slug: 'team-a', name: 'Team A' } });
      expect(t.status).toBe(201);
      expectError(await call('/admin/v1/tenants', { body: { slug: 'team-a', name: 'again' } }), 409, 'tenant_exists', 'slug');
      expectError(await call('/admin/v1/tenants', { body: { slug: 'Bad Slug', name: 'x' } }), 400, null, 'slug');
      expect((await call('/admin/v1/tenants')).json.total).toBe(2);
      expect((await call(`/admin/v1/tenants/${t.json.id}`, { method: 'PATCH', body: { name: 'Team A2' } })).json.name).toBe('Team A2');
      expect((await call('/admin/v1/users', { tenant: 'team-a', body: { name: 'ivy' } })).status).toBe(201);
      expectError(await call(`/admin/v1/tenants/${t.json.id}`, { method: 'DELETE' }), 409, 'tenant_not_empty');
      expect((await call(`/admin/v1/tenants/${t.json.id}?cascade=true`, { method: 'DELETE' })).json).toEqual({ id: t.json.id, deleted: true });
      expectError(await call(`/admin/v1/tenants/${tenantId}`, { method: 'DELETE' }), 409, 'default_tenant');
    });

    it("a tenant admin key manages its tenant only: another tenant's objects are 404", async () => {
      const a = (await call('/admin/v1/tenants', { body: { slug: 'team-a', name: 'A' } })).json;
      const b = (await call('/admin/v1/tenants', { body: { slug: 'team-b', name: 'B' } })).json;
      const adminA = (await call('/admin/v1/keys', { tenant: 'team-a', body: { kind: 'tenant_admin' } })).json.key as string;
      expect(adminA).toMatch(/^cga_/);
      const bUser = (await call('/admin/v1/users', { tenant: 'team-b', body: { name: 'bea' } })).json;
      const bKey = (await call('/admin/v1/keys', { tenant: 'team-b', body: { user: 'bea' } })).json;

      const mine = await call('/admin/v1/users', { auth: adminA, body: { name: 'abe' } });
      expect(mine.status).toBe(201);
      expect(mine.json.tenantId).toBe(a.id);
      expect((await call('/admin/v1/users', { auth: adminA })).json.data.map((u: { name: string }) => u.name)).toEqual(['abe']);
      expectError(await call(`/admin/v1/users/${bUser.id}`, { auth: adminA }), 404);
      expectError(await call(`/admin/v1/users/${bUser.id}`, { auth: adminA, method: 'PATCH', body: { status: 'disabled' } }), 404);
      expectError(await call(`/admin/v1/keys/${bKey.id}/revoke`, { auth: adminA, method: 'POST' }), 404);
      expectError(await call(`/admin/v1/tenants/${b.id}`, { auth: adminA }), 404, 'tenant_not_found');
      expectError(await call('/admin/v1/users', { auth: adminA, tenant: 'team-b' }), 404, 'tenant_not_found');
      expect((await call('/admin/v1/tenants', { auth: adminA })).json.data.map((t: { id: string }) => t.id)).toEqual([a.id]);
      expectError(await call('/admin/v1/tenants', { auth: adminA, body: { slug: 'team-c', name: 'C' } }), 403, 'operator_only');
      // B's user is untouched; a wrong admin key is a 401.
      expect((await call(`/admin/v1/users/${bUser.id}`, { tenant: 'team-b' })).json.status).toBe('active');
      expectError(await call('/admin/v1/users', { auth: `${adminA}x` }), 401, 'invalid_admin_key');
      // A tenant admin key is not a chat credential.
      expect(await status(() => ask(adminA))).toEqual({ status: 401, code: 'invalid_api_key' });
      // Revoked, it stops working at once (auth checks admin keys on every call).
      const adminKeyId = (await call('/admin/v1/keys', { tenant: 'team-a' })).json.data.find((k: { kind: string }) => k.kind === 'tenant_admin').id;
      expect((await call(`/admin/v1/keys/${adminKeyId}/revoke`, { tenant: 'team-a', method: 'POST' })).status).toBe(200);
      expect((await call('/admin/v1/users', { auth: adminA })).status).toBe(401);
    });

    it('a tenant admin key cannot mint or extend tenant admin keys: only the operator can', async () => {
      await call('/admin/v1/tenants', { body: { slug: 'team-a', name: 'A' } });
      const adminA = (await call('/admin/v1/keys', { tenant: 'team-a', body: { kind: 'tenant_admin', expiresAt: '2099-01-01T00:00:00Z' } })).json;
      expect(adminA.key).toMatch(/^cga_/);
      const before = (await call('/admin/v1/keys?kind=tenant_admin', { tenant: 'team-a' })).json.data;

      expectError(await call('/admin/v1/keys', { auth: adminA.key, body: { kind: 'tenant_admin', name: 'spare' } }), 403, 'operator_only');
      // Removing its own expiry would be minting a longer-lived key.
      expectError(await call(`/admin/v1/keys/${adminA.id}`, { auth: adminA.key, method: 'PATCH', body: { expiresAt: null } }), 403, 'operator_only');
      expect((await call('/admin/v1/keys?kind=tenant_admin', { tenant: 'team-a' })).json.data).toEqual(before);

      // Its own tenant's user keys it still manages.
      expect((await call('/admin/v1/users', { auth: adminA.key, body: { name: 'ann' } })).status).toBe(201);
      const userKey = await call('/admin/v1/keys', { auth: adminA.key, body: { user: 'ann' } });
      expect(userKey.status).toBe(201);
      expect(userKey.json.kind).toBe('user');
      // The operator may.
      const second = await call('/admin/v1/keys', { tenant: 'team-a', body: { kind: 'tenant_admin', name: 'second' } });
      expect(second.status).toBe(201);
      expect((await call(`/admin/v1/keys/${adminA.id}`, { tenant: 'team-a', method: 'PATCH', body: { expiresAt: null } })).json.expiresAt).toBeNull();
    });
  });
});
