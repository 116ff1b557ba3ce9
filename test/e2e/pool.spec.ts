import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import OpenAI from 'openai';
import pg from 'pg';
import { AccountPoolService, AccountsService, TokenCipher } from '@chatgate/auth';
import type { SimAccount } from '@chatgate/chatgpt-sim';
import { startStack, type Stack } from '../support/stack.js';
import { connectStackDatabase } from '../support/stack-database.js';
import { openStored } from '../support/stored-tokens.js';

const POOL_CODE = 'pool-code-for-tests-0123456789';

/** The account pool through the gateway: pool codes, rotation before the first byte, cool-downs, refresh on 401. */
describe('account pool', () => {
  let stack: Stack;
  let accounts: AccountsService;
  let client: OpenAI;
  let db: pg.Client;
  let tenantId: string;

  const ask = (content: string) => client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content }] });
  const row = async (email: string) => (await db.query('SELECT * FROM auth.upstream_accounts WHERE email = $1', [email])).rows[0];
  const enter = (token: string) => accounts.enter(tenantId, token);

  beforeAll(async () => {
    stack = await startStack({ auth: { AUTHORIZATION: `other-code,${POOL_CODE}`, RANDOM_TOKEN: false, DEFAULT_COOLDOWN_SEC: 120 }, conversation: { RETRY_TIMES: 3, UPSTREAM_IDLE_TIMEOUT_MS: 1000 } });
    accounts = stack.auth.app.get(AccountsService);
    client = stack.client(POOL_CODE);
    ({ db, tenantId } = await connectStackDatabase(stack));
  });
  afterAll(async () => {
    await db?.end();
    await stack?.close();
  });
  beforeEach(async () => {
    await db.query('DELETE FROM auth.upstream_accounts');
    // Rows removed behind the service's back: tell the pool, as an admin action would.
    stack.auth.app.get(AccountPoolService).announceChanged(tenantId, []);
    stack.sim.resetStats();
  });

  describe('entering tokens', () => {
    it.each([
      ['an access token', (a: SimAccount) => a.accessToken, null],
      ['a current refresh token', (a: SimAccount) => a.refreshToken, 'refresh_token_enc'],
      ['a legacy refresh token', (a: SimAccount) => a.legacyRefreshToken, 'refresh_token_enc'],
      ['a session token', (a: SimAccount) => a.sessionToken, 'session_token_enc'],
    ])('stores the account from %s', async (_, pick, secretColumn) => {
      const account = stack.sim.issueAccount({ plan: 'plus' });
      const entered = await enter(pick(account));
      expect(entered).toMatchObject({ created: true, email: account.email, plan: 'plus', chatgptAccountId: account.accountId });
      const stored = await row(account.email);
      expect(stored.status).toBe('active');
      expect(stored.access_token_enc).toMatch(/^v2:/);
      if (secretColumn) expect(stored[secretColumn]).toMatch(/^v2:/);
    });

    it('updates the same account when it is entered twice', async () => {
      const account = stack.sim.issueAccount();
      const first = await enter(account.accessToken);
      const second = await enter(account.refreshToken);
      expect(second).toMatchObject({ accountId: first.accountId, created: false });
      expect((await db.query('SELECT count(*)::int AS n FROM auth.upstream_accounts')).rows[0].n).toBe(1);
      expect((await row(account.email)).refresh_token_enc).toMatch(/^v2:/);
    });

    it('keeps tokens unreadable without the key', async () => {
      const account = stack.sim.issueAccount();
      await enter(account.refreshToken);
      const stored = await row(account.email);
      const dump = JSON.stringify(stored);
      expect(dump).not.toContain(account.refreshToken);
      expect(dump).not.toContain(account.accessToken.split('.')[1]);
      const otherKey = new TokenCipher(Buffer.alloc(32, 7));
      expect(() => otherKey.decrypt(stored.access_token_enc)).toThrow();
    });

    it('refuses a token that is not a ChatGPT token', async () => {
      await expect(enter('sk-not-a-chatgpt-token')).rejects.toThrow(/not a ChatGPT/);
    });
  });

  describe('requests with a pool code', () => {
    it('uses the tenant pool', async () => {
      const account = stack.sim.issueAccount();
      await enter(account.accessToken);
      const completion = await ask('hello pool');
      expect(completion.choices[0].message.content).toBe('You said: hello pool');
      expect(stack.sim.stats().byAccount[account.accountId]).toBe(1);
    });

    it('goes round-robin over the usable accounts', async () => {
      const a = stack.sim.issueAccount();
      const b = stack.sim.issueAccount();
      await enter(a.accessToken);
      await enter(b.accessToken);
      for (let i = 0; i < 6; i++) await ask(`rr ${i}`);
      expect(stack.sim.stats().byAccount[a.accountId]).toBe(3);
      expect(stack.sim.stats().byAccount[b.accountId]).toBe(3);
    });

    it("never hands a free plan's account a model free plans lack, and answers 503 when only such accounts are left", async () => {
      const free = stack.sim.issueAccount({ plan: 'free' });
      const plus = stack.sim.issueAccount({ plan: 'plus' });
      await enter(free.accessToken);
      await enter(plus.accessToken);
      const askFor = (model: string) => client.chat.completions.create({ model, messages: [{ role: 'user', content: `plan ${model}` }] });
      for (let i = 0; i < 4; i++) await askFor('o1');
      expect(stack.sim.stats().byAccount[plus.accountId]).toBe(4);
      expect(stack.sim.stats().byAccount[free.accountId] ?? 0).toBe(0);
      // A model the free plan has: both in turn.
      for (let i = 0; i < 2; i++) await askFor('gpt-4o');
      expect(stack.sim.stats().byAccount[free.accountId]).toBe(1);
      await db.query('DELETE FROM auth.upstream_accounts WHERE email = $1', [plus.email]);
      stack.auth.app.get(AccountPoolService).announceChanged(tenantId, []);
      const refused = await askFor('o1').catch((err: unknown) => err);
      expect(refused).toBeInstanceOf(OpenAI.APIError);
      expect(refused).toMatchObject({ status: 503, code: 'no_usable_account' });
      expect(stack.sim.stats().byAccount[free.accountId]).toBe(1);
    });

    it.each(['429', '500', '403', '404', 'cut', 'stall'])('rotates to the next account when the first answers %s before the first byte', async (fail) => {
      const bad = stack.sim.issueAccount();
      const good = stack.sim.issueAccount();
      await enter(bad.accessToken);
      await enter(good.accessToken);
      stack.sim.setBehaviour(bad.email, { fail: fail as never, clearsIn: 90 });
      for (let i = 0; i < 2; i++) expect((await ask(`rotate ${i} [[sim after=0]]`)).choices[0].message.content).toBe(`You said: rotate ${i}`);
      expect(stack.sim.stats().byAccount[good.accountId]).toBe(2);
      expect((await row(bad.email)).last_error_message).toBeTruthy();
    });

    it('cools a rate-limited account down for that model and says when the pool frees up', async () => {
      const only = stack.sim.issueAccount();
      await enter(only.accessToken);
      stack.sim.setBehaviour(only.email, { fail: '429', clearsIn: 45 });
      const err = await ask('limited').catch((e) => e);
      expect(err).toBeInstanceOf(OpenAI.RateLimitError);
      const stored = await row(only.email);
      expect(Number(stored.cooldowns['gpt-4o'])).toBeGreaterThan(Date.now() + 40_000);
      stack.sim.setBehaviour(only.email, null);
      // Still cooling: refused without reaching the upstream, with the time it frees up.
      const before = stack.sim.stats().conversationRequests;
      const again = await ask('still limited').catch((e) => e);
      expect(again).toBeInstanceOf(OpenAI.RateLimitError);
      expect(Number(again.headers.get('retry-after'))).toBeGreaterThan(30);
      expect(stack.sim.stats().conversationRequests).toBe(before);
      // Another model is not affected.
      const other = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'other model' }] });
      expect(other.choices[0].message.content).toBe('You said: other model');
      // When the cool-down has passed, the account is used again.
      await db.query(`UPDATE auth.upstream_accounts SET cooldowns = jsonb_build_object('gpt-4o', $1::bigint)`, [Date.now() - 1000]);
      stack.auth.app.get(AccountPoolService).announceChanged(tenantId, []);
      expect((await ask('free again')).choices[0].message.content).toBe('You said: free again');
    });

    it('refreshes an account once on 401 and retries it, saving the rotated refresh token', async () => {
      const account = stack.sim.issueAccount();
      await enter(account.refreshToken);
      const before = await row(account.email);
      stack.sim.setBehaviour(account.email, { fail: '401', times: 1 });
      expect((await ask('after refresh')).choices[0].message.content).toBe('You said: after refresh');
      const after = await row(account.email);
      expect(after.access_token_enc).not.toBe(before.access_token_enc);
      expect(after.refresh_token_enc).not.toBe(before.refresh_token_enc);
      expect(after.last_refresh_at).not.toBeNull();
      expect(stack.sim.stats().byAccount[account.accountId]).toBe(2);
    });

    it('refreshes a token that is about to expire before leasing it', async () => {
      const account = stack.sim.issueAccount();
      await enter(account.refreshToken);
      const refreshesBefore = stack.sim.stats().refreshesByAccount?.[account.accountId] ?? 0;
      await db.query(`UPDATE auth.upstream_accounts SET access_token_expires_at = now() + interval '30 seconds'`);
      stack.auth.app.get(AccountPoolService).announceChanged(tenantId, []);
      expect((await ask('fresh please')).choices[0].message.content).toBe('You said: fresh please');
      expect(stack.sim.stats().refreshesByAccount?.[account.accountId]).toBe(refreshesBefore + 1);
      expect(new Date((await row(account.email)).access_token_expires_at).getTime()).toBeGreaterThan(Date.now() + 3600_000);
    });

    it('marks an account whose refresh token is dead as needing a token, and moves on', async () => {
      const dead = stack.sim.issueAccount();
      const good = stack.sim.issueAccount();
      await enter(dead.refreshToken);
      await enter(good.accessToken);
      // Someone else used the refresh token: the upstream rotated it away, so ours is dead.
      await fetch(`${stack.sim.url}/oauth/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ grant_type: 'refresh_token', client_id: 'x', refresh_token: (await enterRotated(dead)) }) });
      stack.sim.setBehaviour(dead.email, { fail: '401' });
      for (let i = 0; i < 3; i++) expect((await ask(`moving on ${i}`)).choices[0].message.content).toBe(`You said: moving on ${i}`);
      expect((await row(dead.email)).status).toBe('needs_token');
    });

    it('answers 503 when the tenant has no usable account', async () => {
      await expect(ask('nobody home')).rejects.toMatchObject({ status: 503, code: 'no_usable_account' });
    });
  });

  describe('raw refresh and session tokens as the Bearer', () => {
    it.each([
      ['a refresh token', (a: SimAccount) => a.refreshToken],
      ['a session token', (a: SimAccount) => a.sessionToken],
    ])('exchanges %s once and keeps the result', async (_, pick) => {
      const account = stack.sim.issueAccount();
      const own = stack.client(pick(account));
      expect((await own.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'mine' }] })).choices[0].message.content).toBe('You said: mine');
      // Another workspace header misses the gateway's cache, so auth resolves again: from its own
      // cache, since the upstream rotated the refresh token away on the first exchange.
      const again = await own.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'again' }] }, { headers: { 'ChatGPT-Account-Id': account.accountId } });
      expect(again.choices[0].message.content).toBe('You said: again');
      expect(stack.sim.stats().byAccount[account.accountId]).toBe(2);
    });

    it('refuses a dead refresh token with 401', async () => {
      await expect(stack.client(`rt_${'x'.repeat(40)}`).chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'x' }] })).rejects.toMatchObject({ status: 401 });
    });
  });

  /** The refresh token the pool holds for an account after entering it (the sim rotated it on entry). */
  async function enterRotated(account: SimAccount): Promise<string> {
    const stored = await row(account.email);
    return openStored(stored, 'refresh_token_enc');
  }
});
