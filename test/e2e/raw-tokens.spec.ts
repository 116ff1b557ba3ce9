import { createHash, createPrivateKey, generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { jsonOf } from '@chatgate/testing';
import { startStack, type Stack } from '../support/stack.js';

/**
 * A caller's own ChatGPT token as the Bearer (issue 12, item 2): the attacks sent as a stranger would,
 * with the simulator as the issuer (it signs RS256 and publishes its JWKS). The test holds the
 * simulator's signing key, so it can mint tokens the issuer would never mint (no exp, another issuer).
 */
const ISSUER_KEY = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
const POOL_CODE = 'raw-tokens-pool-code-2f9';
// Auth remembers refused Bearers in Redis for a minute: each run sends strings of its own.
const RUN = randomBytes(6).toString('hex');

interface Claims {
  [claim: string]: unknown;
}

function b64(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/** An RS256 JWT under `pem` with the header's kid (the simulator's, unless another is named). */
function jwt(claims: Claims, pem: string, kid: string): string {
  const input = `${b64({ alg: 'RS256', kid, typ: 'JWT' })}.${b64(claims)}`;
  return `${input}.${sign('sha256', Buffer.from(input), createPrivateKey(pem)).toString('base64url')}`;
}

function accessClaims(accountId: string, overrides: Claims = {}): Claims {
  const now = Math.floor(Date.now() / 1000);
  return {
    aud: ['https://api.openai.com/v1'],
    iss: 'https://auth.openai.com',
    iat: now,
    exp: now + 3600,
    'https://api.openai.com/auth': { chatgpt_account_id: accountId, chatgpt_plan_type: 'plus', chatgpt_user_id: 'user-forged' },
    'https://api.openai.com/profile': { email: 'forged@example.com' },
    ...overrides,
  };
}

describe('raw ChatGPT tokens as the Bearer', () => {
  let stack: Stack;
  let kid: string;

  const chat = (bearer: string, headers: Record<string, string> = {}) =>
    fetch(`${stack.gatewayUrl}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hello' }] }),
    });

  beforeAll(async () => {
    // Two of every service: refusals and exchanges must hold across replicas. 127.0.0.1 is a trusted
    // proxy, so X-Forwarded-For names the client the limits count.
    stack = await startStack({ replicas: 2, sim: { jwtPrivateKey: ISSUER_KEY }, auth: { AUTHORIZATION: POOL_CODE }, gateway: { TRUSTED_PROXIES: '127.0.0.1' } });
    kid = ((await (await fetch(stack.sim.jwksUrl)).json()) as { keys: Array<{ kid: string }> }).keys[0].kid;
  }, 60_000);
  afterAll(() => stack?.close());

  it("refuses with 503 while the issuer's keys cannot be fetched and none are held, then verifies with the held keys through an outage", async () => {
    const first = stack.sim.issueAccount();
    stack.sim.setJwksAvailable(false);
    const unverifiable = await chat(first.accessToken, { 'x-forwarded-for': '198.51.100.1' });
    expect(unverifiable.status).toBe(503);
    expect((await jsonOf(unverifiable)).error).toMatchObject({ code: 'upstream_unavailable', type: 'server_error' });
    expect(stack.sim.stats().conversationRequests).toBe(0);

    stack.sim.setJwksAvailable(true);
    stack.sim.resetStats();
    // Not remembered as a refusal: the same token works once the keys are back.
    expect((await chat(first.accessToken, { 'x-forwarded-for': '198.51.100.1' })).status).toBe(200);
    // Until both auth replicas hold the keys (each fetches them once, on its first token).
    for (let i = 0; i < 40 && stack.sim.stats().jwksRequests < 2; i++) expect((await chat(stack.sim.issueAccount().accessToken, { 'x-forwarded-for': '198.51.100.1' })).status).toBe(200);
    expect(stack.sim.stats().jwksRequests).toBe(2);

    stack.sim.setJwksAvailable(false);
    for (let i = 0; i < 4; i++) expect((await chat(stack.sim.issueAccount().accessToken, { 'x-forwarded-for': '198.51.100.1' })).status).toBe(200);
    stack.sim.setJwksAvailable(true);
  });

  it('refuses forged access tokens with 401 and never sends them upstream', async () => {
    const account = stack.sim.issueAccount();
    const stranger = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    const [header, payload] = account.accessToken.split('.');
    const forged = {
      'unsigned (alg none)': `${b64({ alg: 'none', typ: 'JWT' })}.${payload}.`,
      'any eyJ string': 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl',
      'claims swapped under a real signature': `${header}.${b64(accessClaims(account.accountId, { exp: Math.floor(Date.now() / 1000) + 9_999_999 }))}.${account.accessToken.split('.')[2]}`,
      "another key under the issuer's kid": jwt(accessClaims(account.accountId), stranger, kid),
      'no exp': jwt(accessClaims(account.accountId, { exp: undefined }), ISSUER_KEY, kid),
      'another issuer': jwt(accessClaims(account.accountId, { iss: 'https://evil.example' }), ISSUER_KEY, kid),
      'no issuer': jwt(accessClaims(account.accountId, { iss: undefined }), ISSUER_KEY, kid),
      'another audience (an id token)': jwt(accessClaims(account.accountId, { aud: ['app_X8zY6vW2pQ9tR3dE7nK1jL5gH'] }), ISSUER_KEY, kid),
    };
    stack.sim.resetStats();
    for (const [what, token] of Object.entries(forged)) {
      const res = await chat(token, { 'x-forwarded-for': '198.51.100.2' });
      const body = await jsonOf(res);
      expect([what, res.status, body.error.code]).toEqual([what, 401, 'invalid_api_key']);
      expect(JSON.stringify(body)).not.toContain(payload);
    }
    const expired = jwt(accessClaims(account.accountId, { exp: Math.floor(Date.now() / 1000) - 60 }), ISSUER_KEY, kid);
    const res = await chat(expired, { 'x-forwarded-for': '198.51.100.2' });
    expect(res.status).toBe(401);
    expect((await jsonOf(res)).error.code).toBe('token_expired');
    expect(stack.sim.stats().conversationRequests).toBe(0);

    // The real token of the same account works: the issuer's keys are what decides.
    expect((await chat(account.accessToken, { 'x-forwarded-for': '198.51.100.2' })).status).toBe(200);
    // A token the test minted with the issuer's key and full claims is as good as the issuer's own.
    expect((await chat(jwt(accessClaims(account.accountId), ISSUER_KEY, kid), { 'x-forwarded-for': '198.51.100.2' })).status).toBe(200);
  });

  it('exchanges a bogus refresh token at most once, however often and however concurrently it is sent', async () => {
    stack.sim.resetStats();
    const bogus = `rt_${createHash('sha256').update(`bogus refresh token ${RUN}`).digest('base64url')}`;
    // 50 at once, half on each gateway replica, from 50 addresses (no limiter in the way).
    const answers = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        fetch(`${stack.gateways[i % 2].url}/v1/chat/completions`, {
          method: 'POST',
          headers: { authorization: `Bearer ${bogus}`, 'content-type': 'application/json', 'x-forwarded-for': `203.0.113.${i + 1}` },
          body: JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'x' }] }),
        }),
      ),
    );
    for (const res of answers) expect(res.status).toBe(401);
    expect(stack.sim.stats().tokenRequests).toBe(1);
    // Again, later, on both replicas: the refusal is remembered (gateway memory, auth's Redis).
    for (const gateway of stack.gateways) {
      const again = await fetch(`${gateway.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${bogus}`, 'content-type': 'application/json', 'x-forwarded-for': '203.0.113.200' },
        body: JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'x' }] }),
      });
      expect(again.status).toBe(401);
    }
    // A 45-character (legacy) refresh token and a session-token-shaped string: one exchange each as well.
    const legacy = `${RUN}${'L'.repeat(45 - RUN.length)}`;
    const session = `${RUN}${'S'.repeat(240)}`;
    for (let round = 0; round < 3; round++) {
      await Promise.all([legacy, session].flatMap((token) => stack.gateways.map((g) => fetch(`${g.url}/v1/models`, { headers: { authorization: `Bearer ${token}`, 'x-forwarded-for': '203.0.113.201' } }))));
    }
    expect(stack.sim.stats().tokenRequests).toBe(2);
    expect(stack.sim.stats().sessionRequests).toBe(1);
  });

  it('limits unknown Bearers per client (an IPv6 /64 is one client), and never a known credential', async () => {
    const from = (address: string) => ({ 'x-forwarded-for': address });
    stack.sim.resetStats();
    // One /64, a new address and a new bogus refresh token each time, as a rotating sprayer would send them:
    // each costs one exchange upstream, until the client's allowance (30 a minute per gateway replica) is spent.
    for (let i = 1; i <= 30; i++) expect((await chat(`rt_spray-${RUN}-${i}-${'x'.repeat(30)}`, from(`2001:db8:77:1::${i.toString(16)}`))).status).toBe(401);
    expect(stack.sim.stats().tokenRequests).toBe(30);
    for (let i = 31; i <= 40; i++) {
      const res = await chat(`rt_spray-${RUN}-${i}-${'x'.repeat(30)}`, from(`2001:db8:77:1:${i.toString(16)}::1`));
      expect(res.status).toBe(429);
      expect((await jsonOf(res)).error).toMatchObject({ code: 'too_many_invalid_keys', type: 'rate_limit_error' });
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    }
    expect(stack.sim.stats().tokenRequests).toBe(30);
    // Credentials chatgate knows still work from the same /64, never seen before included; the caller's own
    // access token too (verified locally, no upstream call).
    // (The pool has no account to chat with: the models listing shows the code was accepted.)
    expect((await fetch(`${stack.gatewayUrl}/v1/models`, { headers: { authorization: `Bearer ${POOL_CODE}`, ...from('2001:db8:77:1::ffff') } })).status).toBe(200);
    const own = await chat(stack.sim.issueAccount().accessToken, from('2001:db8:77:1::fffe'));
    expect([own.status, own.status === 200 ? null : await own.text()]).toEqual([200, null]);
    // Another /64 is another client.
    expect((await chat(`rt_spray-${RUN}-other-net-${'x'.repeat(30)}`, from('2001:db8:77:2::1'))).status).toBe(401);
    expect(stack.sim.stats().tokenRequests).toBe(31);
    // Without a trusted proxy in between, X-Forwarded-For is not believed: the connection's address counts.
    const untrusted = await startStack({ gateway: {} });
    try {
      const statuses: number[] = [];
      for (let i = 1; i <= 31; i++) statuses.push((await fetch(`${untrusted.gatewayUrl}/v1/models`, { headers: { authorization: `Bearer rt_spray-${RUN}-${i}-${'y'.repeat(30)}`, ...from(`203.0.113.${i}`) } })).status);
      expect(statuses.slice(0, 30).every((s) => s === 401)).toBe(true);
      expect(statuses[30]).toBe(429);
    } finally {
      await untrusted.close();
    }
  }, 60_000);
});

describe('with RAW_TOKENS off (the production default)', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ auth: { RAW_TOKENS: 'false' } });
  });
  afterAll(() => stack?.close());

  it('refuses every raw token with 401 and calls nothing upstream, the key set included', async () => {
    const account = stack.sim.issueAccount();
    stack.sim.resetStats();
    for (const token of [account.accessToken, account.refreshToken, account.legacyRefreshToken, account.sessionToken]) {
      const res = await fetch(`${stack.gatewayUrl}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hello' }] }),
      });
      expect(res.status).toBe(401);
      const body = await jsonOf(res);
      expect(body.error.code).toBe('invalid_api_key');
      expect(body.error.message).not.toContain('ChatGPT token');
    }
    const stats = stack.sim.stats();
    expect([stats.conversationRequests, stats.tokenRequests, stats.sessionRequests, stats.jwksRequests]).toEqual([0, 0, 0, 0]);
    // The account itself is fine: it simply is not a chatgate credential.
    expect((await fetch(`${stack.sim.url}/backend-api/me`, { headers: { authorization: `Bearer ${account.accessToken}` } })).status).toBe(200);
  });
});
