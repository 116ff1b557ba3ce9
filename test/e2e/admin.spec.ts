import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { Agent, fetch as undiciFetch } from 'undici';
import { gatewayEnv, parseConfig } from '@chatgate/config';
import { AccountPoolService, AccountRefresher } from '@chatgate/auth';
import type { SimAccount } from '@chatgate/chatgpt-sim';
import { startGateway } from '@chatgate/gateway';
import { testEnv, waitFor, type LooseJson } from '@chatgate/testing';
import { startStack, type Stack } from '../support/stack.js';
import { connectStackDatabase } from '../support/stack-database.js';
import { openStored } from '../support/stored-tokens.js';

const PASSWORD = 'admin-password-for-tests-7f3a';
const POOL_CODE = 'pool-code-for-admin-tests-0123';
const FORM = 'application/x-www-form-urlencoded';

interface Answer {
  status: number;
  headers: Headers;
  text: string;
  json: LooseJson;
}

/**
 * The admin API end to end: chat2api's `/tokens` family, ChatGPT-Mirror's `/api/get-user-info` and
 * `/admin/v1/accounts`, through the gateway with plain fetch, against auth, Postgres and the simulator.
 */
describe('admin API', () => {
  let stack: Stack;
  let db: pg.Client;
  let tenantId: string;
  /** Every token the simulator handed out, and every body an admin route answered: none may contain one. */
  const issued: string[] = [];
  const bodies: Array<{ route: string; text: string }> = [];

  const issue = (opts: Parameters<Stack['sim']['issueAccount']>[0] = {}): SimAccount => {
    const account = stack.sim.issueAccount({ plan: 'plus', ...opts });
    issued.push(account.accessToken, account.refreshToken, account.legacyRefreshToken, account.sessionToken);
    return account;
  };

  async function call(path: string, init: { method?: string; body?: unknown; form?: Record<string, string>; password?: string | null; accept?: string; base?: string } = {}): Promise<Answer> {
    const headers: Record<string, string> = {};
    if (init.password !== null) headers.authorization = `Bearer ${init.password ?? PASSWORD}`;
    if (init.accept) headers.accept = init.accept;
    let body: string | undefined;
    if (init.form) {
      headers['content-type'] = FORM;
      body = new URLSearchParams(init.form).toString();
    } else if (init.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(init.body);
    }
    const res = await fetch(`${init.base ?? stack.gatewayUrl}${path}`, { method: init.method ?? (body ? 'POST' : 'GET'), headers, body });
    const text = await res.text();
    bodies.push({ route: path, text });
    let json: LooseJson = undefined;
    try {
      json = JSON.parse(text);
    } catch {
      // HTML pages stay text.
    }
    return { status: res.status, headers: res.headers, text, json };
  }

  const expectEnvelope = (answer: Answer, status: number, code?: string) => {
    expect(answer.status).toBe(status);
    expect(answer.json).toEqual({ error: { message: expect.any(String), type: expect.any(String), param: answer.json.error.param, code: code ?? answer.json.error.code, request_id: expect.any(String) } });
    expect(answer.json.error.message.length).toBeGreaterThan(5);
  };

  const rows = async () => (await db.query('SELECT * FROM auth.upstream_accounts ORDER BY created_at')).rows;
  const rowOf = async (email: string) => (await db.query('SELECT * FROM auth.upstream_accounts WHERE email = $1', [email])).rows[0];
  const importTokens = (tokens: string[]) => call('/admin/v1/accounts/import', { body: { tokens } });
  const chat = (content: string) => stack.client(POOL_CODE).chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content }] });

  beforeAll(async () => {
    stack = await startStack({ gateway: { ADMIN_PASSWORD: PASSWORD }, auth: { AUTHORIZATION: POOL_CODE, RANDOM_TOKEN: false } });
    ({ db, tenantId } = await connectStackDatabase(stack));
  });
  afterAll(async () => {
    await db?.end();
    await stack?.close();
  });
  beforeEach(async () => {
    await db.query('DELETE FROM auth.upstream_accounts');
    stack.auth.app.get(AccountPoolService).announceChanged(tenantId, []);
    stack.sim.resetStats();
  });

  describe('the admin credential', () => {
    it('refuses a missing or wrong password with 401 in the envelope, without echoing it', async () => {
      expectEnvelope(await call('/tokens', { password: null }), 401, 'missing_api_key');
      const wrong = await call('/admin/v1/accounts', { password: 'not-the-password-123' });
      expectEnvelope(wrong, 401, 'invalid_admin_password');
      expect(wrong.text).not.toContain('not-the-password-123');
      expectEnvelope(await call('/api/get-user-info', { body: { chatgpt_token: 'x' }, password: 'nope' }), 401, 'invalid_admin_password');
    });

    it('is off without ADMIN_PASSWORD (403 admin_disabled), and the routes sit under API_PREFIX', async () => {
      const bare = await startGateway(parseConfig(gatewayEnv, testEnv({ API_PREFIX: '/proxy/', ADMIN_PASSWORD: undefined })));
      try {
        expectEnvelope(await call('/proxy/tokens', { base: bare.url }), 403, 'admin_disabled');
        expectEnvelope(await call('/proxy/admin/v1/accounts', { base: bare.url }), 403, 'admin_disabled');
        expectEnvelope(await call('/tokens', { base: bare.url }), 404, 'unknown_url');
      } finally {
        await bare.close();
      }
    });

    it('slows an address down after five wrong passwords, refuses even the right one while it waits, and forgets on success', async () => {
      // Another loopback address, so this test's failures do not hold up the others (counted per address).
      const other = new Agent({ localAddress: '127.0.0.2' });
      const from = async (password: string) => {
        const res = await undiciFetch(`${stack.gatewayUrl}/tokens`, { headers: { authorization: `Bearer ${password}` }, dispatcher: other });
        return { status: res.status, retryAfter: res.headers.get('retry-after'), json: (await res.json()) as LooseJson };
      };
      try {
        for (let i = 0; i < 6; i++) expect((await from(`guess-${i}`)).status).toBe(401);
        const limited = await from(PASSWORD);
        expect(limited.status).toBe(429);
        expect(limited.retryAfter).toBe('1');
        expect(limited.json.error).toMatchObject({ type: 'rate_limit_error', code: 'too_many_failed_logins' });
        // The usual address is not affected.
        expect((await call('/tokens')).status).toBe(200);
        // A further wrong guess right after the wait doubles it.
        await new Promise((r) => setTimeout(r, 1100));
        expect((await from('guess-7')).status).toBe(401);
        expect((await from(PASSWORD)).retryAfter).toBe('2');
        await new Promise((r) => setTimeout(r, 2100));
        expect((await from(PASSWORD)).status).toBe(200);
        // Forgotten: the next wrong password is one of five free ones again.
        expect((await from('guess-8')).status).toBe(401);
        expect((await from(PASSWORD)).status).toBe(200);
      } finally {
        await other.close();
      }
    });
  });

  describe("chat2api's /tokens", () => {
    it('uploads by form and by JSON, one token a line, skipping comments and blank lines; counts usable accounts', async () => {
      const byAccess = issue();
      const byRefresh = issue();
      const bySession = issue();
      const form = await call('/tokens/upload', { form: { text: `# first batch\n${byAccess.accessToken}\n\n  \r\n${byRefresh.refreshToken}\n` } });
      expect(form.status).toBe(200);
      expect(form.json).toEqual({ status: 'success', tokens_count: 2 });
      const json = await call('/tokens/upload', { body: { text: `${bySession.sessionToken}\n# a comment: ${'#'.repeat(10)}` } });
      expect(json.json).toEqual({ status: 'success', tokens_count: 3 });
      expect((await rows()).map((r) => r.email).sort()).toEqual([byAccess.email, byRefresh.email, bySession.email].sort());

      expect((await call('/tokens')).json).toEqual({ count: 3 });
      const page = await call('/tokens', { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' });
      expect(page.headers.get('content-type')).toMatch(/^text\/html/);
      expect(page.text).toContain('<strong>3</strong>');
    });

    it('refuses an upload without text', async () => {
      expectEnvelope(await call('/tokens/upload', { body: {} }), 400);
      expect((await call('/tokens/upload', { body: {} })).json.error.param).toBe('text');
    });

    it('lists the accounts that need a token, masked, and clears the pool', async () => {
      const good = issue();
      const dying = issue();
      await importTokens([good.accessToken, dying.refreshToken]);
      const id = (await rowOf(dying.email)).id;
      await spendStoredRefreshToken(dying.email);

      const refused = await call(`/admin/v1/accounts/${id}/refresh`, { method: 'POST' });
      expectEnvelope(refused, 409, 'needs_token');
      expect((await rowOf(dying.email)).status).toBe('needs_token');

      const errors = await call('/tokens/error', { method: 'POST' });
      expect(errors.json).toEqual({ status: 'success', error_tokens: [dying.email] });
      expect((await call('/tokens')).json).toEqual({ count: 1 });

      expect((await call('/tokens/clear', { method: 'POST' })).json).toEqual({ status: 'success', tokens_count: 0 });
      expect(await rows()).toHaveLength(0);
      expect((await call('/tokens')).json).toEqual({ count: 0 });
      expect((await call('/tokens/error', { method: 'POST' })).json).toEqual({ status: 'success', error_tokens: [] });
    });
  });

  describe("ChatGPT-Mirror's /api/get-user-info", () => {
    it('stores the account and answers its tokens in the shape ChatGPT-Mirror uses', async () => {
      const a = issue({ plan: 'pro' });
      const byRefresh = await call('/api/get-user-info', { body: { chatgpt_token: a.refreshToken } });
      expect(byRefresh.status).toBe(200);
      expect(byRefresh.headers.get('cache-control')).toBe('no-store');
      expect(byRefresh.json).toEqual({ user_info: { email: a.email, plan_type: 'pro' }, access_token: expect.stringMatching(/^eyJ/), refresh_token: expect.stringMatching(/^rt_/) });
      // The given refresh token was spent by the exchange; the answer carries the one now on file.
      expect(byRefresh.json.refresh_token).not.toBe(a.refreshToken);
      expect(await rows()).toHaveLength(1);

      const b = issue();
      const bySession = await call('/api/get-user-info', { body: { chatgpt_token: b.sessionToken } });
      expect(Object.keys(bySession.json).sort()).toEqual(['access_token', 'session_token', 'user_info']);
      expect(bySession.json.user_info.email).toBe(b.email);

      const byAccess = await call('/api/get-user-info', { body: { chatgpt_token: a.accessToken } });
      expect(byAccess.json).toEqual({ user_info: { email: a.email, plan_type: 'pro' }, access_token: a.accessToken });
      expect(await rows()).toHaveLength(2);
    });

    it('refuses a token that is not one, masked, and a missing field', async () => {
      const bogus = 'sk-this-is-not-a-chatgpt-token-0123456789';
      const refused = await call('/api/get-user-info', { body: { chatgpt_token: bogus } });
      expectEnvelope(refused, 400, 'invalid_token');
      expect(refused.text).not.toContain(bogus);
      expect(refused.json.error.message).toContain('sk-thi…6789');
      expect((await call('/api/get-user-info', { body: {} })).json.error.param).toBe('chatgpt_token');
    });
  });

  describe('/admin/v1/accounts', () => {
    it('imports many tokens with a result per line, one bad line among good ones', async () => {
      const a = issue();
      const b = issue();
      const bad = 'this-line-is-not-a-token-at-all-42';
      const answer = await call('/admin/v1/accounts/import', { body: { text: `${a.accessToken}\n${bad}\n# comment\n\n${b.refreshToken}\n${a.accessToken}` } });
      expect(answer.status).toBe(200);
      const results = answer.json.results;
      expect(results).toEqual([
        { line: 1, status: 'created', accountId: expect.any(String), email: a.email },
        { line: 2, status: 'error', error: expect.stringContaining('not a ChatGPT access, refresh or session token') },
        { line: 3, status: 'skipped', reason: 'comment' },
        { line: 5, status: 'created', accountId: expect.any(String), email: b.email },
        { line: 6, status: 'skipped', reason: 'duplicate' },
      ]);
      expect(answer.text).not.toContain(bad);
      expect(answer.json.counts).toEqual({ created: 2, updated: 0, skipped: 2, error: 1 });
      expect(answer.json.usableCount).toBe(2);

      const again = await importTokens([a.refreshToken]);
      expect(again.json.results).toEqual([{ line: 1, status: 'updated', accountId: results[0].accountId, email: a.email }]);
      expect(await rows()).toHaveLength(2);
    });

    it('refuses a body with neither text nor tokens', async () => {
      expectEnvelope(await call('/admin/v1/accounts/import', { body: { lines: 'x' } }), 400);
    });

    it('lists newest first with masked tokens, pages and filters by status', async () => {
      const [a, b, c] = [issue(), issue(), issue()];
      for (const account of [a, b, c]) await importTokens([account.refreshToken]);

      const all = await call('/admin/v1/accounts');
      expect(all.status).toBe(200);
      expect(all.json).toMatchObject({ page: 1, limit: 50, total: 3, hasMore: false });
      expect(all.json.data.map((v: LooseJson) => v.email)).toEqual([c.email, b.email, a.email]);
      const view = all.json.data[0];
      expect(view).toMatchObject({ status: 'active', plan: 'plus', chatgptAccountId: c.accountId, lastError: null, cooldowns: [] });
      expect(view.tokens.access).toEqual({ hint: expect.stringMatching(/^eyJhbG…[\w-]{4}$/), expiresAt: expect.any(String) });
      expect(view.tokens.refresh).toEqual({ hint: expect.stringMatching(/^rt_[\w-]{3}…[\w-]{4}$/) });
      expect(view.tokens.session).toBeNull();

      const first = await call('/admin/v1/accounts?limit=2');
      expect(first.json).toMatchObject({ page: 1, limit: 2, total: 3, hasMore: true });
      expect(first.json.data.map((v: LooseJson) => v.email)).toEqual([c.email, b.email]);
      const second = await call('/admin/v1/accounts?limit=2&page=2');
      expect(second.json).toMatchObject({ page: 2, total: 3, hasMore: false });
      expect(second.json.data.map((v: LooseJson) => v.email)).toEqual([a.email]);
      const tooMany = await call('/admin/v1/accounts?limit=1000');
      expectEnvelope(tooMany, 400);
      expect(tooMany.json.error.param).toBe('limit');
      expect((await call('/admin/v1/accounts?status=sleeping')).json.error.param).toBe('status');
      // By kind: all three are ChatGPT logins; an unknown kind is a 400 naming the field.
      expect((await call('/admin/v1/accounts?kind=chatgpt')).json).toMatchObject({ total: 3 });
      expect((await call('/admin/v1/accounts?kind=api_key')).json).toMatchObject({ total: 0, data: [] });
      expect((await call('/admin/v1/accounts?kind=robot')).json.error.param).toBe('kind');

      // a: disabled; b: cooling for one model; c: active.
      const idOf = async (account: SimAccount) => (await rowOf(account.email)).id as string;
      expect((await call(`/admin/v1/accounts/${await idOf(a)}/disable`, { method: 'POST' })).json.status).toBe('disabled');
      await db.query(`UPDATE auth.upstream_accounts SET cooldowns = jsonb_build_object('gpt-4o', $1::bigint), status = 'cooling' WHERE email = $2`, [Date.now() + 60_000, b.email]);
      const emails = async (status: string) => (await call(`/admin/v1/accounts?status=${status}`)).json.data.map((v: LooseJson) => v.email);
      expect(await emails('disabled')).toEqual([a.email]);
      expect(await emails('cooling')).toEqual([b.email]);
      expect(await emails('active')).toEqual([c.email]);
      expect(await emails('needs_token')).toEqual([]);
      const cooling = (await call(`/admin/v1/accounts/${await idOf(b)}`)).json;
      expect(cooling.cooldowns).toEqual([{ model: 'gpt-4o', until: expect.any(String) }]);

      // A cool-down that has passed is no longer cooling, whatever the stored flag says.
      await db.query(`UPDATE auth.upstream_accounts SET cooldowns = jsonb_build_object('gpt-4o', $1::bigint) WHERE email = $2`, [Date.now() - 1000, b.email]);
      expect((await emails('active')).sort()).toEqual([b.email, c.email].sort());
    });

    it('shows one account, and 404 for an unknown or malformed id', async () => {
      const a = issue();
      const id = (await importTokens([a.accessToken])).json.results[0].accountId;
      const shown = await call(`/admin/v1/accounts/${id}`);
      expect(shown.json).toMatchObject({ id, email: a.email, status: 'active', tokens: { refresh: null, session: null } });
      expectEnvelope(await call('/admin/v1/accounts/00000000-0000-4000-8000-000000000000'), 404, 'account_not_found');
      expectEnvelope(await call('/admin/v1/accounts/not-an-id'), 404, 'account_not_found');
    });

    it('disable takes an account out of the pool (requests fail over, then 503); enable puts it back', async () => {
      const x = issue();
      const y = issue();
      const [xId, yId] = (await importTokens([x.accessToken, y.accessToken])).json.results.map((r: LooseJson) => r.accountId);

      await call(`/admin/v1/accounts/${xId}/disable`, { method: 'POST' });
      for (let i = 0; i < 4; i++) expect((await chat(`only y ${i}`)).choices[0].message.content).toBe(`You said: only y ${i}`);
      expect(stack.sim.stats().byAccount[x.accountId]).toBeUndefined();
      expect(stack.sim.stats().byAccount[y.accountId]).toBe(4);

      await call(`/admin/v1/accounts/${yId}/disable`, { method: 'POST' });
      await expect(chat('nobody')).rejects.toMatchObject({ status: 503, code: 'no_usable_account' });

      const enabled = await call(`/admin/v1/accounts/${xId}/enable`, { method: 'POST' });
      expect(enabled.json).toMatchObject({ id: xId, status: 'active' });
      expect((await chat('x again')).choices[0].message.content).toBe('You said: x again');
      expect(stack.sim.stats().byAccount[x.accountId]).toBe(1);
    });

    it('refreshes now: a new access token on file; refused for an access-only or disabled account', async () => {
      const a = issue();
      const id = (await importTokens([a.refreshToken])).json.results[0].accountId;
      const before = await rowOf(a.email);
      const refreshed = await call(`/admin/v1/accounts/${id}/refresh`, { method: 'POST' });
      expect(refreshed.status).toBe(200);
      expect(refreshed.json).toMatchObject({ id, status: 'active', lastRefreshAt: expect.any(String) });
      const after = await rowOf(a.email);
      expect(openStored(after, 'access_token_enc')).not.toBe(openStored(before, 'access_token_enc'));
      expect(openStored(after, 'refresh_token_enc')).not.toBe(openStored(before, 'refresh_token_enc'));

      const accessOnly = issue();
      const accessOnlyId = (await importTokens([accessOnly.accessToken])).json.results[0].accountId;
      expectEnvelope(await call(`/admin/v1/accounts/${accessOnlyId}/refresh`, { method: 'POST' }), 409, 'not_refreshable');
      expect((await rowOf(accessOnly.email)).status).toBe('active');

      await call(`/admin/v1/accounts/${id}/disable`, { method: 'POST' });
      expectEnvelope(await call(`/admin/v1/accounts/${id}/refresh`, { method: 'POST' }), 409, 'account_disabled');
      expect((await rowOf(a.email)).status).toBe('disabled');
      // Neither a refresh that was already running nor entering the token again undoes a disable.
      expect((await stack.auth.app.get(AccountRefresher).refresh(id)).ok).toBe(true);
      expect((await rowOf(a.email)).status).toBe('disabled');
      await importTokens([openStored(await rowOf(a.email), 'refresh_token_enc')]);
      expect((await rowOf(a.email)).status).toBe('disabled');
    });

    it('deletes an account: gone from the list and the pool', async () => {
      const a = issue();
      const id = (await importTokens([a.accessToken])).json.results[0].accountId;
      expect((await chat('before delete')).choices[0].message.content).toBe('You said: before delete');
      const deleted = await call(`/admin/v1/accounts/${id}`, { method: 'DELETE' });
      expect(deleted.status).toBe(200);
      expect(deleted.json).toEqual({ id, deleted: true });
      expect(await rows()).toHaveLength(0);
      expectEnvelope(await call(`/admin/v1/accounts/${id}`), 404, 'account_not_found');
      expectEnvelope(await call(`/admin/v1/accounts/${id}`, { method: 'DELETE' }), 404, 'account_not_found');
      await expect(chat('after delete')).rejects.toMatchObject({ status: 503 });
    });
  });

  describe('/admin/v1/refresh/passes', () => {
    it('starts a forced pass and shows its progress, then its result', async () => {
      const [a, b] = [issue(), issue()];
      await importTokens([a.refreshToken, b.sessionToken]);
      const before = await rows();
      const started = await call('/admin/v1/refresh/passes', { method: 'POST' });
      expect(started.status).toBe(202);
      expect(started.json).toMatchObject({ started: true, pass: { forced: true, trigger: 'admin', total: 2, status: expect.stringMatching(/running|finished/) } });
      let passes: LooseJson;
      await waitFor(async () => {
        passes = (await call('/admin/v1/refresh/passes')).json;
        return passes.latest?.status === 'finished';
      }, 'the pass to finish', 20_000);
      expect(passes.current).toBeNull();
      expect(passes.latest).toMatchObject({ id: started.json.pass.id, total: 2, done: 2, failed: 0, remaining: 0, finishedAt: expect.any(String) });
      // The history starts with it, newest first.
      expect(passes.history[0]).toEqual(passes.latest);
      // Each account went through the refresher once (entering a token is not a refresh).
      expect(before.map((r) => r.last_refresh_at)).toEqual([null, null]);
      expect((await rows()).map((r) => r.last_refresh_at)).toEqual([expect.any(Date), expect.any(Date)]);
      expectEnvelope(await call('/admin/v1/refresh/passes', { body: { forced: 'yes' } }), 400);
    });
  });

  describe('/admin/v1/openapi.json', () => {
    it('is an OpenAPI 3.1 document listing every /admin/v1 path, each of which answers', async () => {
      const a = issue();
      const id = (await importTokens([a.accessToken])).json.results[0].accountId;
      const doc = await call('/admin/v1/openapi.json');
      expect(doc.status).toBe(200);
      expect(doc.json.openapi).toBe('3.1.0');
      const paths = Object.keys(doc.json.paths);
      expect(paths.sort()).toEqual(
        [
          '/admin/v1/accounts',
          '/admin/v1/accounts/import',
          '/admin/v1/accounts/{id}',
          '/admin/v1/accounts/{id}/disable',
          '/admin/v1/accounts/{id}/enable',
          '/admin/v1/accounts/{id}/refresh',
          '/admin/v1/health/services',
          '/admin/v1/refresh/passes',
          '/admin/v1/routes',
          '/admin/v1/tenants',
          '/admin/v1/tenants/{id}',
          '/admin/v1/users',
          '/admin/v1/users/{id}',
          '/admin/v1/keys',
          '/admin/v1/keys/{id}',
          '/admin/v1/keys/{id}/revoke',
          '/admin/v1/usage',
          '/admin/v1/usage/dead-letters',
          '/admin/v1/usage/series',
          '/admin/v1/spend',
          '/admin/v1/audit',
        ].sort(),
      );
      expect(doc.json.components.schemas.AccountView.properties.tokens).toBeDefined();
      expect(Object.keys(doc.json.paths['/admin/v1/users/{id}']).sort()).toEqual(['delete', 'get', 'patch']);
      expect(doc.json.components.schemas.KeyCreated.properties.key).toBeDefined();
      expect((await call('/admin/v1/openapi.json', { password: 'wrong-password' })).status).toBe(401);
      // Every documented operation is routed (an unrouted one would be 404 unknown_url). Creating
      // routes get no body, so they answer 400 and create nothing; PATCH with an account's id is a 404.
      for (const [path, methods] of Object.entries(doc.json.paths as Record<string, Record<string, unknown>>)) {
        for (const method of Object.keys(methods)) {
          if (method === 'delete') continue;
          const body = path.endsWith('import') ? { tokens: [] } : path.endsWith('passes') ? { forced: false } : undefined;
          const answer = await call(path.replace('{id}', id), { method: method.toUpperCase(), body: method === 'post' ? body : undefined });
          expect({ method, path, code: answer.json?.error?.code }).not.toEqual({ method, path, code: 'unknown_url' });
        }
      }
    });

    it('is served as a browsable HTML page at /admin/v1/docs, behind the same guard', async () => {
      const page = await call('/admin/v1/docs');
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(page.text).toMatch(/^<!doctype html>/);
      for (const path of ['/admin/v1/accounts/{id}', '/admin/v1/users/{id}', '/admin/v1/keys/{id}/revoke', '/admin/v1/usage']) expect(page.text).toContain(`<code>${path}</code>`);
      expect(page.text).toContain('PATCH</span>');
      expect(page.text).toContain('id="schema-UsagePage"');
      expect((await call('/admin/v1/docs', { password: 'wrong-password' })).status).toBe(401);
    });
  });

  // Declared last, so it runs last (Jest runs a file's tests in order): the answers of every test above.
  it("never answers with a whole token (except get-user-info's, which returns them by design)", () => {
    const checked = bodies.filter((b) => !b.route.endsWith('/api/get-user-info'));
    expect(checked.length).toBeGreaterThan(30);
    for (const { route, text } of checked) {
      for (const token of issued) expect({ route, leaked: text.includes(token) }).toEqual({ route, leaked: false });
      // Tokens minted later (refreshes) are not in `issued`: no JWT/JWE or rt_ token of any length either.
      expect({ route, jwt: /eyJ[\w-]{10,}\./.test(text), rt: /rt_[\w-]{20,}/.test(text) }).toEqual({ route, jwt: false, rt: false });
    }
  });

  /** Makes the refresh token on file dead, as when someone else used it: the upstream rotates it away. */
  async function spendStoredRefreshToken(email: string): Promise<void> {
    const stored = openStored(await rowOf(email), 'refresh_token_enc');
    const res = await fetch(`${stack.sim.url}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ grant_type: 'refresh_token', client_id: 'x', refresh_token: stored }),
    });
    expect(res.status).toBe(200);
  }
});
