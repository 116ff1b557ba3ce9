import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import pg from 'pg';
import { authEnv, ConfigError, parseConfig } from '@chatgate/config';
import {
  AccountPoolService,
  AccountRefresher,
  AccountsService,
  BootstrapService,
  CredentialResolverService,
  loadBootstrapFile,
  MirrorTokensService,
  redisKey,
  rotateTokenKey,
  sealedAt,
  startAuth,
  TokenCipher,
  UsersService,
} from '@chatgate/auth';
import type { RunningService } from '@chatgate/service-kit';
import { testEnv, waitFor, type LooseJson } from '@chatgate/testing';
import { startFaultFront, type FaultFront } from '../support/fault-front.js';
import { startStack, type Stack } from '../support/stack.js';
import { connectStackDatabase } from '../support/stack-database.js';
import { developmentCipher, openStored } from '../support/stored-tokens.js';

const PASSWORD = 'admin-password-for-token-safety-9d2';
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const ME = '/backend-api/me';
const TOKEN = '/oauth/token';

/**
 * Issue 12 item 9, each fault sent for real: a rotated refresh token (or session cookie) is never
 * lost, whatever fails after the upstream has rotated it. Auth's upstream calls go through a fault
 * front to the simulator, which fails or slows the paths a test names.
 */
describe('rotated refresh tokens are never lost', () => {
  let front: FaultFront;
  let simUrl = '';
  let stack: Stack;
  let db: pg.Client;
  let tenantId: string;
  let redis: Redis;
  const dir = mkdtempSync(join(tmpdir(), 'chatgate-token-safety-'));
  const replicas: RunningService[] = [];

  const authEnvFor = (extra: Record<string, string> = {}) =>
    parseConfig(authEnv, testEnv({ DATABASE_URL: stack.databaseUrl, CHATGPT_BASE_URL: front.url, CHATGPT_AUTH_URL: front.url, CHATGPT_AUTH0_URL: front.url, CODEX_AUTH_URL: front.url, CHATGPT_JWKS_URL: stack.sim.jwksUrl, ...extra }));
  const startReplica = async (extra: Record<string, string> = {}) => {
    const replica = await startAuth(authEnvFor(extra));
    replicas.push(replica);
    return replica;
  };
  async function call(path: string, body?: unknown): Promise<{ status: number; json: LooseJson }> {
    const res = await fetch(`${stack.gatewayUrl}${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { authorization: `Bearer ${PASSWORD}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, json: await res.json() };
  }
  const accountRow = async (email: string) => (await db.query('SELECT * FROM auth.upstream_accounts WHERE email = $1', [email])).rows[0];
  const exchangeRow = async (token: string) => (await db.query('SELECT * FROM auth.token_exchanges WHERE fingerprint = $1', [sha256(token)])).rows[0];
  const refreshes = (accountId: string) => stack.sim.stats().refreshesByAccount[accountId] ?? 0;

  beforeAll(async () => {
    front = await startFaultFront(() => simUrl);
    stack = await startStack({
      gateway: { ADMIN_PASSWORD: PASSWORD },
      auth: (sim) => {
        simUrl = sim.url;
        return { CHATGPT_BASE_URL: front.url, CHATGPT_AUTH_URL: front.url, CHATGPT_AUTH0_URL: front.url, RANDOM_TOKEN: false };
      },
    });
    ({ db, tenantId } = await connectStackDatabase(stack));
    redis = new Redis(testEnv().REDIS_URL ?? 'redis://127.0.0.1:6379');
  });
  afterAll(async () => {
    for (const replica of replicas.splice(0)) await replica.close();
    redis?.disconnect();
    await db?.end();
    await stack?.close();
    await front?.close();
    rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(() => {
    for (const path of [ME, TOKEN]) front.set(path, null);
    stack.sim.resetStats();
  });

  it('entering a refresh token: `me` fails after the exchange, the successor is already stored, and entering it again continues from it', async () => {
    const account = stack.sim.issueAccount({ plan: 'plus' });
    front.set(ME, { status: 500 });
    const failed = await call('/admin/v1/accounts/import', { tokens: [account.refreshToken] });
    expect(failed.json.results[0]).toMatchObject({ status: 'error', error: expect.stringMatching(/could not be reached/) });
    expect(refreshes(account.accountId)).toBe(1);
    expect(await accountRow(account.email)).toBeUndefined();
    // Sealed, bound to its row, before `me` was asked.
    const pending = await exchangeRow(account.refreshToken);
    const successor = developmentCipher.open(pending.successor_enc, sealedAt('tokenExchanges', 'successor_enc', sha256(account.refreshToken)));
    expect(successor).toMatch(/^rt_/);
    expect(successor).not.toBe(account.refreshToken);
    expect(JSON.stringify(pending)).not.toContain(successor);

    front.set(ME, null);
    const entered = await call('/admin/v1/accounts/import', { tokens: [account.refreshToken] });
    expect(entered.json.results[0]).toMatchObject({ status: 'created', email: account.email });
    // The stored access token was still fresh: no second exchange of anything.
    expect(refreshes(account.accountId)).toBe(1);
    const row = await accountRow(account.email);
    expect(openStored(row, 'refresh_token_enc')).toBe(successor);
    expect(await exchangeRow(account.refreshToken)).toBeUndefined();
    // And the stored successor is the live one: a refresh works with it.
    expect((await stack.auth.app.get(AccountRefresher).refresh(row.id)).ok).toBe(true);
    expect(refreshes(account.accountId)).toBe(2);
  });

  it('a session token entered while accounts/check fails is not spent either', async () => {
    const account = stack.sim.issueAccount({ plan: 'plus' });
    front.set('/backend-api/accounts/check/v4-2023-04-27', { status: 503 });
    await expect(stack.auth.app.get(AccountsService).enter(tenantId, account.sessionToken)).rejects.toMatchObject({ code: 'upstream_unavailable' });
    front.set('/backend-api/accounts/check/v4-2023-04-27', null);
    const before = front.seen('/api/auth/session');
    const entered = await stack.auth.app.get(AccountsService).enter(tenantId, account.sessionToken);
    expect(entered).toMatchObject({ created: true, email: account.email });
    expect(front.seen('/api/auth/session')).toBe(before);
    expect((await stack.auth.app.get(AccountRefresher).refresh(entered.accountId)).ok).toBe(true);
  });

  it('a bootstrap file with a bad entry after good ones is refused before any token is exchanged', async () => {
    const account = stack.sim.issueAccount();
    const exchangesBefore = front.seen(TOKEN);
    writeFileSync(join(dir, 'good.token'), account.refreshToken);
    const file = join(dir, 'bad-after-good.yaml');
    writeFileSync(
      file,
      `tenants:\n  - slug: careful\n    accounts:\n      - token_file: good.token\n    users:\n      - name: fine\n      - name: wrong\n        chatgpt_list: [${randomUUID()}]\n`,
    );
    const fault = await startAuth(authEnvFor({ CHATGATE_BOOTSTRAP: file })).catch((err: unknown) => err);
    expect(fault).toBeInstanceOf(ConfigError);
    expect((fault as Error).message).toContain(`${file} line 8, field tenants[0].users[1].chatgpt_list[0]: No upstream account`);
    writeFileSync(file, `tenants:\n  - slug: careful\n    accounts:\n      - token_file: good.token\n    api_keys:\n      - key_file: bad.key\n`);
    writeFileSync(join(dir, 'bad.key'), 'sk-abc def-ghi');
    const keyFault = await startAuth(authEnvFor({ CHATGATE_BOOTSTRAP: file })).catch((err: unknown) => err);
    expect((keyFault as Error).message).toMatch(/line 6, field tenants\[0\]\.api_keys\[0\]: the key must be printable/);
    expect(front.seen(TOKEN)).toBe(exchangesBefore);
    expect(stack.sim.stats().tokenRequests).toBe(0);
    expect((await db.query(`SELECT count(*)::int AS n FROM auth.tenants WHERE slug = 'careful'`)).rows[0].n).toBe(0);
  });

  it('a bootstrap file refused inside its transaction spends nothing: applied again, it continues from the stored successor', async () => {
    const account = stack.sim.issueAccount({ plan: 'plus' });
    writeFileSync(join(dir, 'second.token'), account.refreshToken);
    const file = join(dir, 'late-fault.yaml');
    // The refresh token's email is unknown until it is exchanged, so this entry can only be checked after.
    const yaml = (ref: string) => `tenants:\n  - slug: later\n    accounts:\n      - token_file: second.token\n    users:\n      - name: carol\n        chatgpt_list: [${ref}]\n`;
    writeFileSync(file, yaml('nobody@example.com'));
    const apply = () => stack.auth.app.get(BootstrapService).apply(loadBootstrapFile(file, { nodeEnv: 'test', env: {} }));
    await expect(apply()).rejects.toThrow(/line 7, field tenants\[0\]\.users\[0\]\.chatgpt_list\[0\]: No upstream account/);
    expect(refreshes(account.accountId)).toBe(1);
    expect(await exchangeRow(account.refreshToken)).toBeDefined();
    expect(await accountRow(account.email)).toBeUndefined();

    writeFileSync(file, yaml(account.email));
    const summary = await apply();
    expect(summary.accounts).toMatchObject({ created: 1, failed: 0 });
    expect(refreshes(account.accountId)).toBe(1);
    const row = await accountRow(account.email);
    expect((await db.query(`SELECT allowed_account_ids FROM auth.users WHERE name = 'carol'`)).rows[0].allowed_account_ids).toEqual([row.id]);
    expect(await exchangeRow(account.refreshToken)).toBeUndefined();
    expect((await stack.auth.app.get(AccountRefresher).refresh(row.id)).ok).toBe(true);
  });

  it('the refresher holds no transaction (nor a pooled connection) while the upstream answers', async () => {
    const accounts = Array.from({ length: 12 }, () => stack.sim.issueAccount());
    const ids: string[] = [];
    for (const a of accounts) ids.push((await stack.auth.app.get(AccountsService).enter(tenantId, a.refreshToken)).accountId);
    const arrived = front.seen(TOKEN);
    front.set(TOKEN, { delayMs: 1500 });
    const refresher = stack.auth.app.get(AccountRefresher);
    // More refreshes at once than auth's database pool has connections (10).
    const running = Promise.all(ids.map((id) => refresher.refresh(id)));
    await waitFor(() => front.seen(TOKEN) - arrived === ids.length, 'every refresh to be waiting on the upstream', 1400);
    const idle = await db.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND state LIKE 'idle in transaction%'`);
    expect(idle.rows[0].n).toBe(0);
    // Auth's database work goes on meanwhile.
    const started = Date.now();
    await stack.auth.app.get(UsersService).list(tenantId, { page: 1, limit: 10 });
    expect(Date.now() - started).toBeLessThan(500);
    expect((await running).every((r) => r.ok)).toBe(true);
  });

  it('a refreshed token the database will not store is kept aside, and the next refresh stores it first', async () => {
    const account = stack.sim.issueAccount();
    const { accountId } = await stack.auth.app.get(AccountsService).enter(tenantId, account.refreshToken);
    await db.query(`CREATE OR REPLACE FUNCTION auth.refuse_token_write() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'injected: the write of a refreshed token fails'; END $$ LANGUAGE plpgsql`);
    await db.query(`CREATE TRIGGER refuse_token_write BEFORE UPDATE OF access_token_enc ON auth.upstream_accounts FOR EACH ROW EXECUTE FUNCTION auth.refuse_token_write()`);
    const refresher = stack.auth.app.get(AccountRefresher);
    try {
      expect(await refresher.refresh(accountId)).toMatchObject({ ok: false, dead: false, message: expect.stringMatching(/kept aside/) });
      expect(await redis.exists(redisKey('successor', accountId))).toBe(1);
      expect(await redis.get(redisKey('successor', accountId))).toMatch(/^v2:/);
    } finally {
      await db.query('DROP TRIGGER refuse_token_write ON auth.upstream_accounts');
    }
    // The stored refresh token was spent by that refresh: only the kept successor works now.
    const result = await refresher.refresh(accountId);
    expect(result.ok).toBe(true);
    expect(await redis.exists(redisKey('successor', accountId))).toBe(0);
    expect((await accountRow(account.email)).status).toBe('active');
    expect(refreshes(account.accountId)).toBe(3);
  });

  it('one raw refresh token sent at once to two auth replicas is exchanged once', async () => {
    const replica = await startReplica();
    const account = stack.sim.issueAccount();
    front.set(TOKEN, { delayMs: 300 });
    const resolvers = [stack.auth.app.get(CredentialResolverService), replica.app.get(CredentialResolverService)];
    const replies = await Promise.all(Array.from({ length: 6 }, (_, i) => resolvers[i % 2].resolve({ bearer: account.refreshToken })));
    expect(replies.map((r) => r.ok)).toEqual(replies.map(() => true));
    const tokens = new Set(replies.map((r) => (r.ok && r.principal.upstream.kind === 'chatgpt_access_token' ? r.principal.upstream.accessToken : null)));
    expect(tokens.size).toBe(1);
    expect(stack.sim.stats().tokenRequests).toBe(1);
    expect(refreshes(account.accountId)).toBe(1);
    // The client sees one answer too: the official client with the raw token chats.
    front.set(TOKEN, null);
    const reply = await stack.client(account.refreshToken).chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'once' }] });
    expect(reply.choices[0].message.content).toBe('You said: once');
    expect(stack.sim.stats().tokenRequests).toBe(1);
  });

  it('a token ciphertext copied to another account does not open there: that account leaves the pool, the others serve', async () => {
    const [a, b] = [stack.sim.issueAccount({ plan: 'plus' }), stack.sim.issueAccount({ plan: 'plus' })];
    const entry = stack.auth.app.get(AccountsService);
    const [aId, bId] = [(await entry.enter(tenantId, a.accessToken)).accountId, (await entry.enter(tenantId, b.accessToken)).accountId];
    // Someone with write access to the table moves A's sealed token onto B.
    await db.query(`UPDATE auth.upstream_accounts SET access_token_enc = (SELECT access_token_enc FROM auth.upstream_accounts WHERE id = $1) WHERE id = $2`, [aId, bId]);
    stack.auth.app.get(AccountPoolService).announceChanged(tenantId, [bId]);
    const pool = stack.auth.app.get(AccountPoolService);
    expect(await pool.lease({ tenantId, model: 'gpt-4o', exclude: [], allowed: [bId], requestId: 'copied' })).toMatchObject({ ok: false, failure: { error: { code: 'no_usable_account' } } });
    expect(await pool.lease({ tenantId, model: 'gpt-4o', exclude: [], allowed: [aId, bId], requestId: 'copied' })).toMatchObject({ ok: true, lease: { accountId: aId, accessToken: a.accessToken } });
    const view = await fetch(`${stack.gatewayUrl}/admin/v1/accounts/${bId}`, { headers: { authorization: `Bearer ${PASSWORD}` } });
    expect(((await view.json()) as LooseJson).tokens.access.hint).toBe('(cannot be opened with the current key)');
    // (A key rotation refuses to run over a value it cannot open: the damaged account goes.)
    await db.query('DELETE FROM auth.upstream_accounts WHERE id = $1', [bId]);
  });

  // Last: it moves the stack's database to another key.
  it('after rotate-token-key, accounts, mirror tokens and the exchanged-token cache open with the new key', async () => {
    const pooled = stack.sim.issueAccount({ plan: 'plus' });
    const { accountId } = await stack.auth.app.get(AccountsService).enter(tenantId, pooled.accessToken);
    const mirror = await stack.auth.app.get(MirrorTokensService).forEmails(tenantId, { user_name: 'mia', chatgpt_list: [pooled.email] });
    const raw = stack.sim.issueAccount();
    const resolved = await stack.auth.app.get(CredentialResolverService).resolve({ bearer: raw.refreshToken });
    expect(resolved.ok).toBe(true);

    const newKey = randomBytes(32);
    const client = new pg.Client({ connectionString: stack.databaseUrl });
    await client.connect();
    try {
      const summary = await rotateTokenKey(client, developmentCipher, new TokenCipher(newKey), { redis });
      expect(summary.rotated).toBeGreaterThan(3);
    } finally {
      await client.end();
    }
    stack.sim.resetStats();
    const rotated = await startReplica({ TOKEN_ENCRYPTION_KEY: newKey.toString('base64') });
    // The same mirror token is answered again (one it could not open would be replaced by a new one).
    expect(await rotated.app.get(MirrorTokensService).forEmails(tenantId, { user_name: 'mia', chatgpt_list: [pooled.email] })).toEqual(mirror);
    // The raw refresh token resolves from the cache: no exchange.
    const again = await rotated.app.get(CredentialResolverService).resolve({ bearer: raw.refreshToken });
    expect(again).toEqual(resolved);
    expect(stack.sim.stats().tokenRequests).toBe(0);
    const lease = await rotated.app.get(AccountPoolService).lease({ tenantId, model: 'gpt-4o', exclude: [], allowed: [accountId], requestId: 'after-rotation' });
    expect(lease).toMatchObject({ ok: true, lease: { accessToken: pooled.accessToken } });
  });
});
