import { createPublicKey, generateKeyPairSync, verify, type JsonWebKey } from 'node:crypto';
import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { startSimulator, type Simulator, type SimAccount } from '../src/index.js';
import { parseSse, postConversation, type Loose } from './support.js';

function claimsOf(token: string): Loose {
  return JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8'));
}

describe('credentials and account endpoints', () => {
  let sim: Simulator;
  let account: SimAccount;

  beforeAll(async () => {
    sim = await startSimulator({ jwtSecret: 'test-secret' });
    account = sim.issueAccount({ email: 'Alice@Example.com', plan: 'plus' });
  });
  afterAll(() => sim.close());

  const get = (path: string, token?: string, headers: Record<string, string> = {}) =>
    fetch(`${sim.url}${path}`, { headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers } });
  const postJson = (path: string, body: unknown) =>
    fetch(`${sim.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  it('issues credentials in upstream shapes', () => {
    expect(sim.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(account.accessToken.startsWith('eyJhbGciOi')).toBe(true);
    expect(account.accessToken.split('.')).toHaveLength(3);
    expect(account.refreshToken.startsWith('rt_')).toBe(true);
    expect(account.legacyRefreshToken).toHaveLength(45);
    expect(account.legacyRefreshToken).not.toContain('.');
    expect(account.sessionToken.length).toBeGreaterThan(1000);
    expect(account.sessionToken.split('.').length).not.toBe(3);
    const claims = claimsOf(account.accessToken);
    expect(claims).toMatchObject({
      iss: 'https://auth.openai.com',
      aud: ['https://api.openai.com/v1'],
      'https://api.openai.com/profile': { email: 'Alice@Example.com', email_verified: true },
      'https://api.openai.com/auth': {
        chatgpt_account_id: account.accountId,
        chatgpt_user_id: account.userId,
        chatgpt_plan_type: 'plus',
        user_id: account.userId,
      },
    });
    expect(claims.exp - claims.iat).toBe(864000);
  });

  it('rejects missing, malformed, forged and expired tokens', async () => {
    const invalid = { detail: expect.objectContaining({ code: 'invalid_jwt', type: 'invalid_request_error' }) };
    for (const token of [undefined, 'not-a-jwt', `${account.accessToken.slice(0, -4)}AAAA`]) {
      const res = await get('/backend-api/me', token);
      expect(res.status).toBe(401);
      expect(await res.json()).toEqual(invalid);
    }
    // Signed by another simulator: not one this one issued.
    const other = await startSimulator();
    const foreign = other.issueAccount().accessToken;
    await other.close();
    expect((await get('/backend-api/me', foreign)).status).toBe(401);

    const expired = sim.issueAccount({ expiresInSec: -60 });
    const res = await postConversation(sim.url, { prompt: 'hi', token: expired.accessToken });
    expect(res.status).toBe(401);
    expect(((await res.json()) as { detail: { code: string } }).detail.code).toBe('token_expired');
  });

  it('signs access and id tokens RS256 under the key it publishes as a JWKS', async () => {
    const header = JSON.parse(Buffer.from(account.accessToken.split('.')[0], 'base64url').toString('utf8')) as Loose;
    expect(header).toEqual({ alg: 'RS256', kid: expect.any(String), typ: 'JWT' });
    const discovery = (await (await get('/.well-known/openid-configuration')).json()) as Loose;
    expect(discovery).toMatchObject({ issuer: 'https://auth.openai.com', jwks_uri: sim.jwksUrl });
    const res = await get('/.well-known/jwks.json');
    expect(res.status).toBe(200);
    const { keys } = (await res.json()) as { keys: Array<Loose> };
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig', kid: header.kid });
    const [h, p, sig] = account.accessToken.split('.');
    const key = createPublicKey({ key: keys[0] as JsonWebKey, format: 'jwk' });
    expect(verify('sha256', Buffer.from(`${h}.${p}`), key, Buffer.from(sig, 'base64url'))).toBe(true);
    // One byte of the claims changed: the published key refuses it.
    const tampered = Buffer.from(p, 'base64url');
    tampered[10] ^= 1;
    expect(verify('sha256', Buffer.from(`${h}.${tampered.toString('base64url')}`), key, Buffer.from(sig, 'base64url'))).toBe(false);

    sim.setJwksAvailable(false);
    expect((await get('/.well-known/jwks.json')).status).toBe(503);
    sim.setJwksAvailable(true);
    expect(sim.stats().jwksRequests).toBeGreaterThanOrEqual(2);
  });

  it('accepts tokens it signed before a restart with the same key', async () => {
    const pem = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    const first = await startSimulator({ jwtPrivateKey: pem });
    const acc = first.issueAccount({ accountId: 'acc-restart' });
    await first.close();
    const again = await startSimulator({ jwtPrivateKey: pem });
    try {
      again.issueAccount({ accountId: 'acc-restart' });
      const res = await fetch(`${again.url}/backend-api/me`, { headers: { authorization: `Bearer ${acc.accessToken}` } });
      expect(res.status).toBe(200);
    } finally {
      await again.close();
    }
  });

  it('rotates refresh tokens: the old one becomes invalid_grant', async () => {
    const acc = sim.issueAccount();
    const first = await postJson('/oauth/token', {
      client_id: 'app_LlGpXReQgckcGGUo2JrYvtJK',
      grant_type: 'refresh_token',
      redirect_uri: 'com.openai.chat://auth0.openai.com/ios/com.openai.chat/callback',
      refresh_token: acc.refreshToken,
    });
    expect(first.status).toBe(200);
    const tokens = (await first.json()) as Loose;
    expect(tokens).toMatchObject({ expires_in: 864000, token_type: 'Bearer' });
    expect(tokens.refresh_token).toMatch(/^rt_/);
    expect(tokens.refresh_token).not.toBe(acc.refreshToken);
    expect(tokens.id_token.split('.')).toHaveLength(3);
    expect(tokens.access_token).not.toBe(acc.accessToken);
    expect((await get('/backend-api/me', tokens.access_token)).status).toBe(200);

    const reused = await postJson('/oauth/token', { grant_type: 'refresh_token', refresh_token: acc.refreshToken });
    expect(reused.status).toBe(400);
    expect(await reused.json()).toMatchObject({ error: 'invalid_grant' });

    const second = await postJson('/oauth/token', { grant_type: 'refresh_token', refresh_token: tokens.refresh_token });
    expect(second.status).toBe(200);
    // Only the two exchanges that rotated a token count; the refused reuse does not.
    expect(sim.stats().refreshesByAccount[acc.accountId]).toBe(2);
    expect(sim.stats().tokenRequests).toBeGreaterThanOrEqual(3);
  });

  it('refreshes legacy 45-character tokens too', async () => {
    const acc = sim.issueAccount();
    const res = await postJson('/oauth/token', {
      client_id: 'pdlLIX2Y72MIl2rhLhTE9VV9bN905kBh',
      grant_type: 'refresh_token',
      refresh_token: acc.legacyRefreshToken,
    });
    expect(res.status).toBe(200);
    const tokens = (await res.json()) as Record<string, string>;
    expect(tokens.refresh_token).toHaveLength(45);
    expect(claimsOf(tokens.access_token)['https://api.openai.com/auth'].chatgpt_account_id).toBe(acc.accountId);
  });

  it('a 500 behaviour fails the token endpoint transiently without using the token', async () => {
    const acc = sim.issueAccount();
    sim.setBehaviour(acc.email, { fail: '500', times: 1 });
    const failed = await postJson('/oauth/token', { grant_type: 'refresh_token', refresh_token: acc.refreshToken });
    expect(failed.status).toBe(500);
    await failed.text();
    const retried = await postJson('/oauth/token', { grant_type: 'refresh_token', refresh_token: acc.refreshToken });
    expect(retried.status).toBe(200);
  });

  it('exchanges a session cookie and rotates it', async () => {
    const acc = sim.issueAccount({ plan: 'team' });
    const res = await get('/api/auth/session', undefined, { cookie: `foo=bar; __Secure-next-auth.session-token=${acc.sessionToken}` });
    expect(res.status).toBe(200);
    const session = (await res.json()) as Loose;
    expect(session).toMatchObject({
      user: { id: acc.userId, email: acc.email },
      authProvider: 'auth0',
      account: { id: acc.accountId, planType: 'team' },
    });
    expect((await get('/backend-api/me', session.accessToken)).status).toBe(200);
    const cookie = res.headers.get('set-cookie') ?? '';
    const rotated = /__Secure-next-auth\.session-token=([^;]+)/.exec(cookie)?.[1];
    expect(rotated).toBeDefined();
    expect(rotated).not.toBe(acc.sessionToken);
    const again = await get('/api/auth/session', undefined, { cookie: `__Secure-next-auth.session-token=${rotated}` });
    expect(((await again.json()) as Loose).user.email).toBe(acc.email);

    const unknown = await get('/api/auth/session', undefined, { cookie: '__Secure-next-auth.session-token=nope' });
    expect(unknown.status).toBe(200);
    expect(await unknown.json()).toEqual({});
  });

  it('serves models, me, accounts check and conversation limit', async () => {
    const models = (await (await get('/backend-api/models?history_and_training_disabled=false', account.accessToken)).json()) as Loose;
    expect(models.models.map((m: { slug: string }) => m.slug)).toEqual(expect.arrayContaining(['auto', 'gpt-4o', 'o3']));
    expect(models.categories[0]).toHaveProperty('default_model');
    const free = sim.issueAccount({ plan: 'free' });
    const freeModels = (await (await get('/backend-api/models', free.accessToken)).json()) as Loose;
    expect(freeModels.models.map((m: { slug: string }) => m.slug).sort()).toEqual(
      ['auto', 'gpt-4o', 'gpt-4o-mini', 'text-davinci-002-render-sha'].sort(),
    );

    const me = (await (await get('/backend-api/me', account.accessToken)).json()) as Loose;
    expect(me).toMatchObject({ id: account.userId, email: account.email, orgs: { data: [expect.any(Object)] } });

    const check = (await (await get('/backend-api/accounts/check/v4-2023-04-27', account.accessToken)).json()) as Loose;
    expect(check.accounts[account.accountId].account).toMatchObject({ account_id: account.accountId, plan_type: 'plus', structure: 'personal' });
    expect(check.accounts[account.accountId].entitlement.has_active_subscription).toBe(true);
    expect(check.account_ordering).toEqual([account.accountId]);

    const limit = (await (await get('/public-api/conversation_limit', account.accessToken)).json()) as Loose;
    expect(limit).toHaveProperty('message_cap');
    expect(limit).toHaveProperty('message_cap_window');
  });

  it('answers unknown paths with 404 and bad JSON with 400', async () => {
    const unknown = await get('/nope');
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({ detail: 'Not Found' });
    const bad = await fetch(`${sim.url}/backend-api/conversation`, {
      method: 'POST',
      headers: { authorization: `Bearer ${account.accessToken}`, 'content-type': 'application/json' },
      body: '{not json',
    });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ detail: 'Invalid JSON body' });
    const wrongMethod = await get('/backend-api/conversation', account.accessToken);
    expect(wrongMethod.status).toBe(405);
  });

  it('counts workspace ids from ChatGPT-Account-Id and the token suffix', async () => {
    sim.resetStats();
    const headers = { 'chatgpt-account-id': 'ws-123' };
    await (await postConversation(sim.url, { prompt: 'a', token: account.accessToken, headers })).text();
    await (await postConversation(sim.url, { prompt: 'a', token: `${account.accessToken},ws-456` })).text();
    const stats = sim.stats();
    expect(stats.byWorkspace).toEqual({ 'ws-123': 1, 'ws-456': 1 });
    expect(stats.byAccount).toEqual({ [account.accountId]: 2 });
  });

  it('control endpoints drive a separately running simulator', async () => {
    const created = await postJson('/_sim/accounts', { email: 'bob@sim.local', plan: 'pro' });
    expect(created.status).toBe(200);
    const bob = (await created.json()) as SimAccount;
    expect(bob).toMatchObject({ email: 'bob@sim.local', plan: 'pro' });
    expect(bob.accessToken.startsWith('eyJhbGciOi')).toBe(true);

    expect((await postJson('/_sim/behaviour', { account: 'bob@sim.local', fail: '500', times: 1 })).status).toBe(200);
    expect((await postConversation(sim.url, { prompt: 'x', token: bob.accessToken })).status).toBe(500);
    const ok = await postConversation(sim.url, { prompt: 'x', token: bob.accessToken });
    expect(parseSse(await ok.text()).pop()?.data).toBe('[DONE]');
    expect((await postJson('/_sim/behaviour', { account: 'bob@sim.local', fail: 'nonsense' })).status).toBe(400);

    const stats = (await (await get('/_sim/stats')).json()) as Loose;
    expect(stats.byAccount[bob.accountId]).toBe(2);
    expect((await postJson('/_sim/reset', {})).status).toBe(200);
    expect(((await (await get('/_sim/stats')).json()) as Loose).conversationRequests).toBe(0);
  });
});
