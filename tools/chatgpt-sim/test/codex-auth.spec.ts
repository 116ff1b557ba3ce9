import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { CODEX_CLIENT_ID, startSimulator, type CodexLogin, type Simulator } from '../src/index.js';
import type { Loose } from './support.js';

function claimsOf(token: string): Loose {
  return JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8'));
}

const WEB_CLIENT_ID = 'app_LlGpXReQgckcGGUo2JrYvtJK';

describe("Codex's OAuth client and access tokens", () => {
  let sim: Simulator;

  beforeAll(async () => {
    sim = await startSimulator();
  });
  afterAll(() => sim.close());

  const token = (body: Record<string, unknown>, form = false) =>
    fetch(`${sim.url}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': form ? 'application/x-www-form-urlencoded' : 'application/json' },
      body: form ? new URLSearchParams(body as Record<string, string>).toString() : JSON.stringify(body),
    });
  const refresh = (refreshToken: string, clientId: string | null = CODEX_CLIENT_ID) =>
    token({ grant_type: 'refresh_token', refresh_token: refreshToken, ...(clientId ? { client_id: clientId } : {}) });
  const respond = (accessToken: string, accountId: string) =>
    fetch(`${sim.codex.baseUrl}/responses`, {
      method: 'POST',
      headers: { authorization: `Bearer ${accessToken}`, 'chatgpt-account-id': accountId, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-5.4', instructions: '', input: [{ type: 'message', role: 'user', content: [{ type: 'input_text', text: 'hi' }] }], store: false, stream: true }),
    });

  it('mints a codex login: JWTs with the claims Codex reads, and the auth file `codex login` writes', () => {
    const login = sim.codex.login({ email: 'dev@sim.local', plan: 'pro' });
    const access = claimsOf(login.accessToken);
    expect(access).toMatchObject({
      client_id: CODEX_CLIENT_ID,
      iss: 'https://auth.openai.com',
      aud: ['https://api.openai.com/v1'],
      'https://api.openai.com/auth': { chatgpt_account_id: login.accountId, chatgpt_plan_type: 'pro', chatgpt_user_id: login.userId, user_id: login.userId },
      'https://api.openai.com/profile': { email: 'dev@sim.local' },
    });
    expect(access.scp).toEqual(expect.arrayContaining(['openid', 'offline_access', 'api.connectors.read']));
    expect(access.exp - access.iat).toBe(864000);
    const id = claimsOf(login.idToken);
    expect(id).toMatchObject({ aud: [CODEX_CLIENT_ID], email: 'dev@sim.local', 'https://api.openai.com/auth': { chatgpt_account_id: login.accountId, chatgpt_plan_type: 'pro' } });
    expect(login.refreshToken).toMatch(/^rt_/);
    expect(login.authFile).toEqual({
      auth_mode: 'chatgpt',
      OPENAI_API_KEY: null,
      tokens: { id_token: login.idToken, access_token: login.accessToken, refresh_token: login.refreshToken, account_id: login.accountId },
      last_refresh: login.lastRefresh,
    });
    expect(new Date(login.lastRefresh).getTime()).toBeGreaterThan(Date.now() - 5000);
    // A login for an existing (web) account names that account.
    const web = sim.issueAccount({ plan: 'team' });
    expect(sim.codex.login({ account: web.email }).accountId).toBe(web.accountId);
  });

  it('rotates single-use refresh tokens and counts refreshes per account (JSON or form bodies)', async () => {
    const login = sim.codex.login({ plan: 'plus' });
    const first = await refresh(login.refreshToken);
    expect(first.status).toBe(200);
    const tokens = (await first.json()) as Loose;
    expect(tokens).toMatchObject({ token_type: 'Bearer', expires_in: 864000 });
    expect(tokens.refresh_token).toMatch(/^rt_/);
    expect(tokens.refresh_token).not.toBe(login.refreshToken);
    expect(claimsOf(tokens.id_token).aud).toEqual([CODEX_CLIENT_ID]);
    expect(claimsOf(tokens.access_token).client_id).toBe(CODEX_CLIENT_ID);
    expect((await respond(tokens.access_token, login.accountId)).status).toBe(200);
    // The access token from before the refresh stays valid until it expires.
    expect((await respond(login.accessToken, login.accountId)).status).toBe(200);
    const second = await token({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token, client_id: CODEX_CLIENT_ID }, true);
    expect(second.status).toBe(200);
    const stats = sim.stats();
    expect(stats.codex.refreshesByAccount[login.accountId]).toBe(2);
    expect(stats.codex.refreshCallsByAccount[login.accountId]).toBe(2);
    expect(stats.refreshesByAccount[login.accountId]).toBe(2);
  });

  it('takes a reused refresh token for theft: 401 refresh_token_reused, and the whole login dies', async () => {
    const login = sim.codex.login({ plan: 'plus' });
    const rotated = (await (await refresh(login.refreshToken)).json()) as Loose;
    const reused = await refresh(login.refreshToken);
    expect(reused.status).toBe(401);
    expect(await reused.json()).toEqual({ error: { message: 'Your refresh token has already been used to generate a new access token. Please try signing in again.', type: 'invalid_request_error', param: null, code: 'refresh_token_reused' } });
    // The successor, valid a moment ago, is dead with the family; so are its access tokens.
    const successor = await refresh(rotated.refresh_token);
    expect(successor.status).toBe(401);
    expect(((await successor.json()) as Loose).error.code).toBe('refresh_token_invalidated');
    const backend = await respond(rotated.access_token, login.accountId);
    expect(backend.status).toBe(401);
    expect(((await backend.json()) as Loose).error.code).toBe('token_invalidated');
    expect(sim.codex.account(login.accountId).logins).toEqual([{ alive: false, diedOf: 'reused', clientId: CODEX_CLIENT_ID }]);
    expect(sim.stats().codex.refreshFailures).toMatchObject({ refresh_token_reused: expect.any(Number), refresh_token_invalidated: expect.any(Number) });
    // A new login works again.
    const again = sim.codex.login({ account: login.accountId });
    expect((await refresh(again.refreshToken)).status).toBe(200);
  });

  it('two refreshes of one token at once: one succeeds, the other is reuse and kills the login (what single-flight avoids)', async () => {
    const login = sim.codex.login({ plan: 'plus' });
    const answers = await Promise.all([refresh(login.refreshToken), refresh(login.refreshToken)]);
    expect(answers.map((a) => a.status).sort()).toEqual([200, 401]);
    const ok = (await answers.find((a) => a.status === 200)!.json()) as Loose;
    await answers.find((a) => a.status === 401)!.text();
    expect((await refresh(ok.refresh_token)).status).toBe(401);
    expect(sim.stats().codex.refreshCallsByAccount[login.accountId]).toBe(3);
    expect(sim.stats().codex.refreshesByAccount[login.accountId]).toBe(1);
  });

  it('needs the client id that issued the token: none is a 400, another is invalid_grant, neither uses the token up', async () => {
    const login = sim.codex.login({ plan: 'plus' });
    const missing = await refresh(login.refreshToken, null);
    expect(missing.status).toBe(400);
    expect(((await missing.json()) as Loose).error.message).toBe("Missing 'client_id'");
    const wrong = await refresh(login.refreshToken, WEB_CLIENT_ID);
    expect(wrong.status).toBe(400);
    expect(await wrong.json()).toEqual({ error: 'invalid_grant', error_description: 'The refresh token was issued to another client.' });
    expect((await refresh(login.refreshToken)).status).toBe(200);
    expect(sim.stats().codex.refreshFailures).toMatchObject({ missing_client_id: expect.any(Number), invalid_grant: expect.any(Number) });

    // A web refresh token presented as Codex's client is another client's too; the web flow itself is unchanged.
    const web = sim.issueAccount({ plan: 'plus' });
    const crossed = await refresh(web.refreshToken, CODEX_CLIENT_ID);
    expect(crossed.status).toBe(400);
    expect(((await crossed.json()) as Loose).error).toBe('invalid_grant');
    const webRefresh = await refresh(web.refreshToken, WEB_CLIENT_ID);
    expect(webRefresh.status).toBe(200);
    expect(claimsOf(((await webRefresh.json()) as Loose).access_token).client_id).toBe('app_X8zY6vW2pQ9tR3dE7nK1jL5gH');

    sim.codex.setQuirks({ crossClientRefresh: true });
    try {
      const other = sim.codex.login({ plan: 'plus' });
      expect((await refresh(other.refreshToken, WEB_CLIENT_ID)).status).toBe(200);
    } finally {
      sim.codex.setQuirks({ crossClientRefresh: false });
    }
  });

  it('fails the next refreshes as a test orders: reused, expired, invalidated (each kills the login)', async () => {
    for (const outcome of ['reused', 'expired', 'invalidated'] as const) {
      const login = sim.codex.login({ plan: 'plus' });
      expect(sim.codex.setAccount(login.accountId, { nextRefresh: outcome }).pendingRefreshOutcomes).toEqual([outcome]);
      const res = await refresh(login.refreshToken);
      expect(res.status).toBe(401);
      expect(((await res.json()) as Loose).error.code).toBe(`refresh_token_${outcome}`);
      expect(sim.codex.account(login.accountId).pendingRefreshOutcomes).toEqual([]);
      expect(sim.codex.account(login.accountId).logins[0]).toMatchObject({ alive: false, diedOf: outcome });
      expect((await respond(login.accessToken, login.accountId)).status).toBe(401);
    }
    const expiredLogin = sim.codex.login({ plan: 'plus' });
    const next = (await (await refresh(expiredLogin.refreshToken)).json()) as Loose;
    sim.codex.setAccount(expiredLogin.accountId, { nextRefresh: 'expired' });
    await (await refresh(next.refresh_token)).text();
    // The login stays expired for any of its tokens.
    const stale = sim.codex.login({ account: expiredLogin.accountId });
    sim.codex.setAccount(expiredLogin.accountId, { revoke: true });
    expect(((await (await refresh(stale.refreshToken)).json()) as Loose).error.code).toBe('refresh_token_invalidated');
  });

  it('a transient 500 (behaviour) leaves the token unused', async () => {
    const login = sim.codex.login({ plan: 'plus' });
    sim.setBehaviour(login.accountId, { fail: '500', times: 1 });
    const failed = await refresh(login.refreshToken);
    expect(failed.status).toBe(500);
    await failed.text();
    expect((await refresh(login.refreshToken)).status).toBe(200);
  });

  it('issues at- access tokens: whoami names the account, revoke kills them', async () => {
    const grant = sim.codex.accessToken({ plan: 'enterprise', email: 'ops@corp.example' });
    expect(grant).toMatchObject({ plan: 'enterprise', email: 'ops@corp.example' });
    const whoami = await fetch(`${sim.url}/api/accounts/v1/user-auth-credential/whoami`, { headers: { authorization: `Bearer ${grant.accessToken}` } });
    expect(whoami.status).toBe(200);
    const me = (await whoami.json()) as Loose;
    expect(me).toEqual({ chatgpt_account_id: grant.accountId, chatgpt_plan_type: 'enterprise', chatgpt_user_id: expect.stringMatching(/^user-/), email: 'ops@corp.example', chatgpt_account_is_fedramp: false });
    expect((await respond(grant.accessToken, grant.accountId)).status).toBe(200);
    sim.codex.setAccount(grant.accountId, { revoke: true });
    const revoked = await respond(grant.accessToken, grant.accountId);
    expect(revoked.status).toBe(401);
    expect(((await revoked.json()) as Loose).error.code).toBe('token_invalidated');
    expect((await fetch(`${sim.url}/api/accounts/v1/user-auth-credential/whoami`, { headers: { authorization: 'Bearer at-unknown' } })).status).toBe(401);
    expect(sim.stats().codex.whoamiRequests).toBe(2);
  });

  it('control endpoints drive a separately running simulator', async () => {
    const postJson = (path: string, body: unknown) => fetch(`${sim.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const login = (await (await postJson('/_sim/codex/logins', { plan: 'plus', email: 'ctl@sim.local' })).json()) as CodexLogin;
    expect(login.authFile.tokens.account_id).toBe(login.accountId);
    const at = (await (await postJson('/_sim/codex/access-tokens', { account: 'ctl@sim.local' })).json()) as Loose;
    expect(at).toMatchObject({ accountId: login.accountId, accessToken: expect.stringMatching(/^at-/) });
    const updated = await postJson('/_sim/codex/account', { account: login.accountId, models: ['gpt-5.4'], limits: { primary: { usedPercent: 10 } }, nextRefresh: ['expired'] });
    expect(updated.status).toBe(200);
    expect((await updated.json()) as Loose).toMatchObject({ models: ['gpt-5.4'], limits: { primary: { usedPercent: 10 } }, pendingRefreshOutcomes: ['expired'] });
    expect(((await (await fetch(`${sim.url}/_sim/codex/account?account=ctl@sim.local`)).json()) as Loose).models).toEqual(['gpt-5.4']);
    expect((await postJson('/_sim/codex/account', { account: login.accountId, nextRefresh: 'bogus' })).status).toBe(400);
    expect((await postJson('/_sim/codex/account', { account: 'nobody@sim.local' })).status).toBe(404);
    expect(((await (await postJson('/_sim/codex/quirks', { emptyCompletedOutput: false })).json()) as Loose).emptyCompletedOutput).toBe(false);
    expect((await postJson('/_sim/codex/quirks', { nonsense: true })).status).toBe(400);
    expect((await postJson('/_sim/codex/quirks', { instructions: 'maybe' })).status).toBe(400);
    // /_sim/reset puts the switches back and lifts forced failures; logins and models stay.
    expect((await postJson('/_sim/reset', {})).status).toBe(200);
    expect(sim.codex.quirks().emptyCompletedOutput).toBe(true);
    expect(sim.codex.account(login.accountId)).toMatchObject({ models: ['gpt-5.4'], pendingRefreshOutcomes: [] });
    expect(sim.stats().codex.refreshCallsByAccount).toEqual({});
  });
});
