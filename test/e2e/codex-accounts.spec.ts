import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Redis } from 'ioredis';
import pg from 'pg';
import { AccountPoolService, AccountRefresher, BootstrapService, loadBootstrapFile, RefreshPassService } from '@chatgate/auth';
import type { CodexLogin } from '@chatgate/chatgpt-sim';
import { ACCOUNT_LIMITS, type AccountLeaseReply, type AccountLimitsEvent } from '@chatgate/contracts';
import { encodeJson, NATS_CONNECTION } from '@chatgate/service-kit';
import { REDIS } from '@chatgate/service-kit/redis';
import { waitFor, type LooseJson } from '@chatgate/testing';
import { startFaultFront, type FaultFront } from '../support/fault-front.js';
import { startStack, type Stack } from '../support/stack.js';
import { connectStackDatabase } from '../support/stack-database.js';
import { openStored } from '../support/stored-tokens.js';

const PASSWORD = 'admin-password-for-codex-tests-9c1e';
const MODEL = 'gpt-5.4';
const FORM = 'application/x-www-form-urlencoded';

interface Answer {
  status: number;
  text: string;
  json: LooseJson;
}

/**
 * Codex logins as accounts of the pool (issue 13), auth's half: entering every credential form
 * (admin API, chat2api's /tokens/upload, the bootstrap file), masked views, refresh with Codex's
 * client across two auth replicas, the refusals that need a new login, usage limits and headroom.
 * Two replicas of every service on real Postgres, Redis and NATS; the simulator is the upstream,
 * behind a pass-through front that can lose an answer.
 */
describe('Codex accounts', () => {
  let stack: Stack;
  let front: FaultFront;
  let db: pg.Client;
  let tenantId: string;
  /** Every Codex secret the simulator handed out: no admin answer may contain one. */
  const secrets: string[] = [];
  const bodies: string[] = [];

  const login = (opts: Parameters<Stack['sim']['codex']['login']>[0] = {}): CodexLogin => {
    const made = stack.sim.codex.login({ plan: 'plus', ...opts });
    secrets.push(made.accessToken, made.refreshToken, made.idToken);
    return made;
  };
  const authFileOf = (made: CodexLogin) => JSON.stringify(made.authFile, null, 2);
  const refreshCalls = (accountId: string) => stack.sim.stats().codex.refreshCallsByAccount[accountId] ?? 0;
  const refreshes = (accountId: string) => stack.sim.stats().codex.refreshesByAccount[accountId] ?? 0;
  const reuses = () => stack.sim.stats().codex.refreshFailures.refresh_token_reused ?? 0;
  const pool = (replica = 0) => stack.auths[replica].app.get(AccountPoolService);
  const refresher = (replica = 0) => stack.auths[replica].app.get(AccountRefresher);
  const lease = (replica = 0, exclude: string[] = []): Promise<AccountLeaseReply> => pool(replica).lease({ tenantId, model: MODEL, exclude, requestId: 'codex-test', kind: 'codex' });
  const rowOf = async (chatgptAccountId: string) => (await db.query("SELECT * FROM auth.upstream_accounts WHERE kind = 'codex' AND chatgpt_account_id = $1", [chatgptAccountId])).rows[0];
  /** Rows changed behind the services' back: every replica's pool forgets its snapshot at once. */
  const forgetSnapshots = () => stack.auths.forEach((auth) => auth.app.get(AccountPoolService).announceChanged(tenantId, []));

  async function call(path: string, init: { body?: unknown; form?: Record<string, string>; accept?: string; method?: string } = {}): Promise<Answer> {
    const headers: Record<string, string> = { authorization: `Bearer ${PASSWORD}` };
    if (init.accept) headers.accept = init.accept;
    let body: string | undefined;
    if (init.form) {
      headers['content-type'] = FORM;
      body = new URLSearchParams(init.form).toString();
    } else if (init.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(init.body);
    }
    const res = await fetch(`${stack.gatewayUrl}${path}`, { method: init.method ?? (body ? 'POST' : 'GET'), headers, body });
    const text = await res.text();
    bodies.push(text);
    let json: LooseJson = undefined;
    try {
      json = JSON.parse(text);
    } catch {
      // HTML stays text.
    }
    return { status: res.status, text, json };
  }

  /** Enters one Codex login through the admin API; its account id. */
  async function enter(made: CodexLogin | string, kind?: 'codex'): Promise<string> {
    const entry = typeof made === 'string' ? made : authFileOf(made);
    const answer = await call('/admin/v1/accounts/import', { body: { tokens: [entry], ...(kind ? { kind } : {}) } });
    expect(answer.status).toBe(200);
    expect(answer.json.results[0]).toMatchObject({ status: expect.stringMatching(/created|updated/) });
    return answer.json.results[0].accountId;
  }

  function publishLimits(event: AccountLimitsEvent): void {
    stack.auth.app.get<NatsConnection>(NATS_CONNECTION).publish(ACCOUNT_LIMITS, encodeJson(event));
  }

  const window = (usedPercent: number, resetInSec: number, windowMinutes = 300) => ({ usedPercent, windowMinutes, resetAtSec: Math.floor(Date.now() / 1000) + resetInSec });

  beforeAll(async () => {
    front = await startFaultFront(() => stack.sim.url);
    stack = await startStack({
      replicas: 2,
      workers: 1,
      gateway: { ADMIN_PASSWORD: PASSWORD },
      auth: { CODEX_AUTH_URL: front.url, RANDOM_TOKEN: false, UPSTREAM_TIMEOUT_MS: 2000, DEFAULT_COOLDOWN_SEC: 120 },
    });
    ({ db, tenantId } = await connectStackDatabase(stack));
  });
  afterAll(async () => {
    await db?.end();
    await stack?.close();
    await front?.close();
  });
  beforeEach(async () => {
    front.set('/oauth/token', null);
    await db.query('DELETE FROM auth.upstream_accounts');
    forgetSnapshots();
  });

  describe('entering Codex logins', () => {
    it('takes a codex login auth file through the admin API without spending its refresh token', async () => {
      const made = login({ plan: 'pro' });
      const id = await enter(made);
      const row = await rowOf(made.accountId);
      expect(row).toMatchObject({ id, kind: 'codex', status: 'active', email: made.email, plan: 'pro', chatgpt_account_id: made.accountId });
      expect(row.access_token_enc).toMatch(/^v2:/);
      expect(row.refresh_token_enc).toMatch(/^v2:/);
      expect(openStored(row, 'access_token_enc')).toBe(made.accessToken);
      expect(openStored(row, 'refresh_token_enc')).toBe(made.refreshToken);
      // A fresh access token needs no refresh: the login's refresh token stays unspent.
      expect(refreshCalls(made.accountId)).toBe(0);
      // A Codex login of an account is not its web login: entering both keeps two rows.
      const web = stack.sim.issueAccount({ plan: 'pro' });
      const imported = await call('/admin/v1/accounts/import', { body: { tokens: [web.accessToken] } });
      expect(imported.json.results[0].status).toBe('created');
      expect((await db.query('SELECT kind FROM auth.upstream_accounts ORDER BY kind')).rows.map((r) => r.kind)).toEqual(['chatgpt', 'codex']);
    });

    it("exchanges a Codex refresh token entered with kind codex, with Codex's client, and keeps the successor", async () => {
      const made = login();
      // Without the kind it is read as a web login's refresh token: refused as another client's, and not used up.
      const asWeb = await call('/admin/v1/accounts/import', { body: { tokens: [made.refreshToken] } });
      expect(asWeb.json.results[0]).toMatchObject({ status: 'error', error: expect.stringMatching(/another client/) });
      const id = await enter(made.refreshToken, 'codex');
      expect(refreshes(made.accountId)).toBe(1);
      const row = await rowOf(made.accountId);
      expect(row).toMatchObject({ id, kind: 'codex', status: 'active', plan: 'plus' });
      const successor = openStored(row, 'refresh_token_enc');
      expect(successor).toMatch(/^rt_/);
      expect(successor).not.toBe(made.refreshToken);
      expect(await db.query('SELECT count(*)::int AS n FROM auth.token_exchanges').then((r) => r.rows[0].n)).toBe(0);
      // The kept successor is the live one: it refreshes.
      expect((await refresher().refresh(id)).ok).toBe(true);
      expect(stack.sim.codex.account(made.accountId).logins[0].alive).toBe(true);
    });

    it('names an at- Codex access token from the whoami endpoint; it cannot be refreshed', async () => {
      const grant = stack.sim.codex.accessToken({ plan: 'enterprise' });
      secrets.push(grant.accessToken);
      const whoamiBefore = stack.sim.stats().codex.whoamiRequests;
      const id = await enter(grant.accessToken);
      expect(stack.sim.stats().codex.whoamiRequests).toBe(whoamiBefore + 1);
      expect(await rowOf(grant.accountId)).toMatchObject({ id, kind: 'codex', status: 'active', plan: 'enterprise', email: grant.email, refresh_token_enc: null, access_token_expires_at: null });
      const refused = await call(`/admin/v1/accounts/${id}/refresh`, { method: 'POST' });
      expect(refused.status).toBe(409);
      expect(refused.json.error.code).toBe('not_refreshable');
    });

    it('takes a pasted auth file as one entry among other lines in /tokens/upload', async () => {
      const made = login();
      const grant = stack.sim.codex.accessToken();
      const web = stack.sim.issueAccount();
      secrets.push(grant.accessToken);
      const text = [`# the team's accounts`, web.accessToken, authFileOf(made), grant.accessToken, ''].join('\n');
      expect(text.split('\n').length).toBeGreaterThan(8);
      const answer = await call('/tokens/upload', { form: { text } });
      expect(answer.json).toEqual({ status: 'success', tokens_count: 3 });
      const rows = (await db.query('SELECT kind, chatgpt_account_id FROM auth.upstream_accounts ORDER BY kind, chatgpt_account_id')).rows;
      expect(rows).toEqual(
        expect.arrayContaining([
          { kind: 'chatgpt', chatgpt_account_id: web.accountId },
          { kind: 'codex', chatgpt_account_id: made.accountId },
          { kind: 'codex', chatgpt_account_id: grant.accountId },
        ]),
      );
      expect(rows).toHaveLength(3);
      // kind=codex makes the bare refresh tokens of an upload Codex logins'.
      const other = login();
      expect((await call('/tokens/upload', { body: { text: other.refreshToken, kind: 'codex' } })).json).toEqual({ status: 'success', tokens_count: 4 });
      expect(await rowOf(other.accountId)).toMatchObject({ kind: 'codex', status: 'active' });
    });

    it('refuses what is no Codex login with a reason per entry, never the secret', async () => {
      const answer = await call('/admin/v1/accounts/import', {
        body: { text: ['{"auth_mode": "apikey", "OPENAI_API_KEY": "sk-proj-secret-in-auth-file-0123456789"}', '{"tokens": {"access_token": "not-a-jwt"}}'].join('\n') },
      });
      expect(answer.json.results).toEqual([
        { line: 1, status: 'error', error: expect.stringMatching(/holds an API key/) },
        { line: 2, status: 'error', error: expect.stringMatching(/not a JWT/) },
      ]);
      expect(answer.text).not.toContain('sk-proj-secret-in-auth-file');
      expect((await call('/admin/v1/accounts/import', { body: { tokens: ['x'], kind: 'codx' } })).status).toBe(400);
    });

    it('enters codex_auth_file and token_env with kind codex from the bootstrap file, once', async () => {
      const fromFile = login({ plan: 'team' });
      const fromEnv = login();
      const dir = mkdtempSync(join(tmpdir(), 'chatgate-codex-bootstrap-'));
      writeFileSync(join(dir, 'auth.json'), authFileOf(fromFile));
      const file = join(dir, 'bootstrap.yaml');
      writeFileSync(file, ['tenants:', '  - slug: default', '    accounts:', '      - codex_auth_file: auth.json', '      - token_env: CODEX_REFRESH_TOKEN', '        kind: codex', ''].join('\n'));
      const apply = () => stack.auth.app.get(BootstrapService).apply(loadBootstrapFile(file, { nodeEnv: 'test', env: { CODEX_REFRESH_TOKEN: fromEnv.refreshToken } }));
      expect((await apply()).accounts).toMatchObject({ created: 2, failed: 0 });
      expect(await rowOf(fromFile.accountId)).toMatchObject({ kind: 'codex', plan: 'team', status: 'active' });
      expect(await rowOf(fromEnv.accountId)).toMatchObject({ kind: 'codex', status: 'active' });
      expect(refreshes(fromEnv.accountId)).toBe(1);
      // Applied again: the spent refresh token is never presented again.
      expect((await apply()).accounts).toMatchObject({ unchanged: 2 });
      expect(refreshCalls(fromEnv.accountId)).toBe(1);
      // An auth file that is none stops the start, pointing at its entry.
      writeFileSync(join(dir, 'auth.json'), '{"tokens": 1}');
      expect(() => loadBootstrapFile(file, { nodeEnv: 'test', env: { CODEX_REFRESH_TOKEN: 'x' } })).toThrow(/tenants\[0\]\.accounts\[0\]\.codex_auth_file: not a codex login auth file/);
    });
  });

  describe('views', () => {
    it('masks every token and shows windows, plan and credits as the upstream reported them', async () => {
      const made = login({ plan: 'plus' });
      const id = await enter(made);
      const resetAtSec = Math.floor(Date.now() / 1000) + 3 * 3600;
      publishLimits({ accountId: id, observedAt: Date.now(), plan: 'pro', primary: { usedPercent: 42, windowMinutes: 300, resetAtSec }, secondary: { usedPercent: 7, windowMinutes: 10080, resetAtSec: null }, credits: { hasCredits: true, balance: 12.5, unlimited: false } });
      await waitFor(async () => (await rowOf(made.accountId)).limits !== null, 'the limits event to be stored');
      // An older observation never replaces a newer one (events of several workers cross on the bus).
      await pool(1).recordLimits({ accountId: id, observedAt: Date.now() - 60_000, plan: 'plus', primary: { usedPercent: 99, windowMinutes: 300, resetAtSec } });
      const shown = await call(`/admin/v1/accounts/${id}`);
      expect(shown.json).toMatchObject({
        kind: 'codex',
        plan: 'pro',
        status: 'active',
        tokens: { access: { hint: expect.stringContaining('…') }, refresh: { hint: expect.stringContaining('…') }, session: null },
        codex: {
          plan: 'pro',
          observedAt: expect.any(String),
          primary: { usedPercent: 42, windowMinutes: 300, resetsAt: new Date(resetAtSec * 1000).toISOString() },
          secondary: { usedPercent: 7, windowMinutes: 10080, resetsAt: null },
          credits: { hasCredits: true, balance: 12.5, unlimited: false },
          limitedUntil: null,
        },
      });
      const listed = await call('/admin/v1/accounts');
      expect(listed.json.data.find((a: LooseJson) => a.id === id).codex.primary.usedPercent).toBe(42);
      const tokens = await call('/tokens');
      expect(tokens.json).toMatchObject({ count: 1, codex_accounts: [{ label: made.email, status: 'active', usage: { plan: 'pro', primary: { usedPercent: 42 } } }] });
      const page = await call('/tokens', { accept: 'text/html' });
      expect(page.text).toContain('Codex accounts');
      expect(page.text).toContain('42 % of 5 h');
      expect((await rowOf(made.accountId)).limits.primary.usedPercent).toBe(42);
      // The operator's dashboards see the same windows, per login (auth's /metrics).
      const metrics = (await (await fetch(`${stack.auth.metricsUrl}/metrics`)).text()).split('\n');
      const sample = (name: string, window: string) =>
        metrics.find((line) => line.startsWith(`${name}{`) && line.includes(`account="${id}"`) && line.includes(`window="${window}"`))?.split(' ').at(-1);
      expect(sample('chatgate_codex_window_used_percent', 'primary')).toBe('42');
      expect(sample('chatgate_codex_window_used_percent', 'secondary')).toBe('7');
      expect(sample('chatgate_codex_window_resets_seconds', 'primary')).toBe(String(resetAtSec));
      for (const body of bodies) for (const secret of secrets) expect(body).not.toContain(secret);
    });
  });

  describe('refresh', () => {
    it('refreshes one account once when two auth replicas refresh it at the same moment, and keeps the successor', async () => {
      const reusesBefore = reuses();
      const made = login();
      const id = await enter(made);
      const [a, b] = await Promise.all([refresher(0).refresh(id), refresher(1).refresh(id)]);
      expect(a.ok && b.ok).toBe(true);
      expect(refreshCalls(made.accountId)).toBe(1);
      if (!a.ok || !b.ok) throw new Error('unreachable');
      expect(a.account.accessToken).toBe(b.account.accessToken);
      expect(a.account.accessToken).not.toBe(made.accessToken);
      const stored = openStored(await rowOf(made.accountId), 'refresh_token_enc');
      expect(stored).not.toBe(made.refreshToken);
      // The same at lease time: two replicas find the token close to expiry at once.
      await db.query("UPDATE auth.upstream_accounts SET access_token_expires_at = now() + interval '60 seconds' WHERE id = $1", [id]);
      forgetSnapshots();
      const leases = await Promise.all([lease(0), lease(1), lease(0), lease(1)]);
      expect(leases.every((l) => l.ok)).toBe(true);
      expect(new Set(leases.map((l) => (l.ok ? l.lease.accessToken : null))).size).toBe(1);
      expect(refreshCalls(made.accountId)).toBe(2);
      // The successor kept each time is the live token: the login was never presented a spent token.
      expect((await refresher(1).refresh(id)).ok).toBe(true);
      expect(refreshCalls(made.accountId)).toBe(3);
      expect(reuses()).toBe(reusesBefore);
      expect(stack.sim.codex.account(made.accountId).logins).toEqual([expect.objectContaining({ alive: true })]);
      const leased = await lease(0);
      expect(leased.ok && leased.lease).toMatchObject({ accountId: id, chatgptAccountId: made.accountId, codex: { plan: 'plus' } });
    });

    it('refreshes once on a 401 report and hands out a fresh lease', async () => {
      const made = login();
      const id = await enter(made);
      const reply = await pool(1).report({ accountId: id, model: MODEL, outcome: 'unauthorized', message: 'HTTP 401 token_expired' });
      expect(reply.ok && reply.lease).toMatchObject({ accountId: id, chatgptAccountId: made.accountId });
      expect(reply.ok && reply.lease?.accessToken).not.toBe(made.accessToken);
      expect(refreshCalls(made.accountId)).toBe(1);
    });

    it.each(['reused', 'expired', 'invalidated'] as const)('sets a login whose refresh answers refresh_token_%s aside for a new login and never retries it', async (outcome) => {
      const made = login();
      const id = await enter(made);
      stack.sim.codex.setAccount(made.accountId, { nextRefresh: outcome });
      const refused = await call(`/admin/v1/accounts/${id}/refresh`, { method: 'POST' });
      expect(refused.status).toBe(409);
      expect(refused.json.error).toMatchObject({ code: 'needs_token', message: expect.stringMatching(new RegExp(`new sign-in.*refresh_token_${outcome}`)) });
      const row = await rowOf(made.accountId);
      expect(row.status).toBe('needs_token');
      expect(row.last_error_message).toContain(`refresh_token_${outcome}`);
      expect(refreshCalls(made.accountId)).toBe(1);
      // Nothing presents it again: a 401 report, a lease, a forced refresh pass.
      expect(await pool(0).report({ accountId: id, model: MODEL, outcome: 'unauthorized', message: '401' })).toEqual({ ok: true, lease: null });
      expect(await lease(1)).toMatchObject({ ok: false, failure: { error: { code: 'no_usable_account' } } });
      const pass = await stack.auth.app.get(RefreshPassService).start(true, 'admin');
      expect(pass.started).toBe(true);
      expect((await db.query('SELECT count(*)::int AS n FROM auth.refresh_pass_accounts WHERE account_id = $1', [id])).rows[0].n).toBe(0);
      expect(refreshCalls(made.accountId)).toBe(1);
      // The operator sees it among the accounts that need a new token.
      expect((await call('/tokens/error', { method: 'POST' })).json.error_tokens).toContain(made.email);
      expect((await call(`/admin/v1/accounts/${id}`)).json).toMatchObject({ status: 'needs_token', lastError: { message: expect.stringContaining('codex login') } });
    });

    it('never presents a refresh token again whose answer was lost after it was sent', async () => {
      const reusesBefore = reuses();
      const made = login();
      const id = await enter(made);
      front.set('/oauth/token', { swallowAnswer: true });
      const lost = await refresher(0).refresh(id);
      expect(lost).toMatchObject({ ok: false, dead: true, message: expect.stringMatching(/needs attention.*no answer came back/) });
      // The upstream did take it (and rotated the token away); chatgate never saw the successor.
      expect(refreshes(made.accountId)).toBe(1);
      front.set('/oauth/token', null);
      expect((await rowOf(made.accountId)).status).toBe('needs_token');
      const seen = front.seen('/oauth/token');
      expect(await pool(1).report({ accountId: id, model: MODEL, outcome: 'unauthorized', message: '401' })).toEqual({ ok: true, lease: null });
      await stack.auth.app.get(RefreshPassService).start(true, 'admin');
      expect(front.seen('/oauth/token')).toBe(seen);
      // Not presenting it kept the login alive upstream (a replay would have been reuse).
      expect(reuses()).toBe(reusesBefore);
      expect(stack.sim.codex.account(made.accountId).logins[0].alive).toBe(true);
      // The operator's explicit refresh presents it once, as documented: here the upstream had rotated it, so that ends the login.
      const explicit = await call(`/admin/v1/accounts/${id}/refresh`, { method: 'POST' });
      expect(explicit.json.error).toMatchObject({ code: 'needs_token', message: expect.stringContaining('refresh_token_reused') });
    });

    it('takes a refresh interrupted in flight (a marker left by a dead refresher) as unanswered', async () => {
      const made = login();
      const id = await enter(made);
      await stack.auth.app.get<Redis>(REDIS).set(`chatgate:auth:codex-refresh-in-flight:${id}`, String(Date.now()));
      expect(await refresher(1).refresh(id)).toMatchObject({ ok: false, dead: true, message: expect.stringContaining('interrupted') });
      expect(refreshCalls(made.accountId)).toBe(0);
      expect((await rowOf(made.accountId)).status).toBe('needs_token');
    });

    it('sets an at- token aside on a 401 without asking the upstream', async () => {
      const grant = stack.sim.codex.accessToken();
      const id = await enter(grant.accessToken);
      const before = front.seen('/oauth/token');
      expect(await pool(0).report({ accountId: id, model: MODEL, outcome: 'unauthorized', message: '401' })).toEqual({ ok: true, lease: null });
      expect(front.seen('/oauth/token')).toBe(before);
      expect(await rowOf(grant.accountId)).toMatchObject({ status: 'needs_token', last_error_message: expect.stringContaining('cannot be refreshed') });
    });
  });

  describe('usage limits and headroom', () => {
    it('cools exactly the account that reached its usage limit, for every model, until the reset', async () => {
      const limited = login();
      const other = login();
      const limitedId = await enter(limited);
      const otherId = await enter(other);
      const resetsAtSec = Math.floor(Date.now() / 1000) + 600;
      await pool(0).report({ accountId: limitedId, model: MODEL, outcome: 'usage_limited', resetsAtSec, message: 'usage_limit_reached' });
      expect(new Date((await rowOf(limited.accountId)).limited_until).getTime()).toBe(resetsAtSec * 1000);
      expect((await rowOf(other.accountId)).limited_until).toBeNull();
      for (let i = 0; i < 4; i++) {
        for (const model of [MODEL, 'gpt-5.5']) {
          const reply = await pool(i % 2).lease({ tenantId, model, exclude: [], requestId: `r${i}`, kind: 'codex' });
          expect(reply.ok && reply.lease.accountId).toBe(otherId);
        }
      }
      expect((await call(`/admin/v1/accounts/${limitedId}`)).json).toMatchObject({ status: 'cooling', codex: { limitedUntil: new Date(resetsAtSec * 1000).toISOString() } });
      expect((await call('/admin/v1/accounts?status=cooling')).json.data.map((a: LooseJson) => a.id)).toEqual([limitedId]);
      // With both limited, the pool says when the first frees up (the other replica hears of the report over the bus).
      await pool(1).report({ accountId: otherId, model: MODEL, outcome: 'usage_limited', resetsAtSec: resetsAtSec + 600, message: 'usage_limit_reached' });
      const none = await waitFor(async () => {
        const reply = await lease(0);
        return reply.ok ? null : reply;
      }, 'the pool to have no account left');
      expect(none).toMatchObject({ ok: false, failure: { status: 429, error: { code: 'rate_limit_exceeded' } } });
      expect(none?.failure.retryAfterSec).toBeGreaterThan(590);
      expect(none?.failure.retryAfterSec).toBeLessThanOrEqual(600);
      // Past the reset the account is leased again.
      await db.query("UPDATE auth.upstream_accounts SET limited_until = now() - interval '1 second' WHERE id = $1", [limitedId]);
      forgetSnapshots();
      const again = await lease(1);
      expect(again.ok && again.lease.accountId).toBe(limitedId);
    });

    it('prefers the accounts with the most headroom, round-robin among equals, never a full one before its reset', async () => {
      const logins = [login(), login(), login()];
      const [a, b, c] = await Promise.all(logins.map((m) => enter(m)));
      // Both replicas hold a snapshot before the events: each takes the events into it.
      await Promise.all([lease(0), lease(1)]);
      const observe = (accountId: string, primary: ReturnType<typeof window>, secondary?: ReturnType<typeof window>) =>
        publishLimits({ accountId, observedAt: Date.now(), plan: 'plus', primary, ...(secondary ? { secondary } : {}) });
      observe(a, window(80, 3600));
      observe(b, window(5, 3600), window(12, 86_400, 10080));
      observe(c, window(100, 3600));
      await waitFor(async () => (await db.query('SELECT count(*)::int AS n FROM auth.upstream_accounts WHERE limits IS NOT NULL')).rows[0].n === 3, 'three limits events stored');
      const leasedIds = async () => {
        const ids: string[] = [];
        for (let i = 0; i < 6; i++) {
          const reply = await lease(i % 2);
          if (reply.ok) ids.push(reply.lease.accountId);
        }
        return ids;
      };
      await waitFor(async () => (await leasedIds()).every((id) => id === b), 'every lease to go to the emptiest account');
      // Its weekly window now binds: 83 % and 80 % are equals, taken in turn; the full one still never.
      observe(b, window(5, 3600), window(83, 86_400, 10080));
      await waitFor(async () => new Set(await leasedIds()).size === 2, 'both accounts with 80-89 % used to be leased');
      const ids = await leasedIds();
      expect(ids).not.toContain(c);
      expect(ids.filter((id) => id === a).length).toBe(3);
      // A window whose reset has passed starts again at 0 %.
      observe(c, window(100, -1));
      await waitFor(async () => (await leasedIds()).every((id) => id === c), 'the account whose window reset to be preferred');
    });

    it('gives the models listing one lease per distinct Codex plan, apart from the web logins', async () => {
      const plus = login({ plan: 'plus' });
      const pro = login({ plan: 'pro' });
      const plus2 = login({ plan: 'plus' });
      for (const m of [plus, pro, plus2]) await enter(m);
      const web = stack.sim.issueAccount({ plan: 'plus' });
      await call('/admin/v1/accounts/import', { body: { tokens: [web.accessToken] } });
      const codexPlans = await pool(1).plans({ tenantId, kind: 'codex' });
      expect(codexPlans.ok && codexPlans.plans.map((p) => p.plan).sort()).toEqual(['plus', 'pro']);
      for (const p of codexPlans.ok ? codexPlans.plans : []) expect(p.lease).toMatchObject({ codex: { plan: p.plan }, chatgptAccountId: expect.any(String) });
      const webPlans = await pool(1).plans({ tenantId });
      expect(webPlans.ok && webPlans.plans.map((p) => p.lease.chatgptAccountId)).toEqual([web.accountId]);
    });
  });
});
