import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import OpenAI from 'openai';
import pg from 'pg';
import { AccountPoolService, AccountsService } from '@chatgate/auth';
import type { SimAccount } from '@chatgate/chatgpt-sim';
import { startHttpProxy, startSocks5Proxy, type TestProxy } from '@chatgate/testing';
import { startStack, type Stack } from '../support/stack.js';
import { connectStackDatabase } from '../support/stack-database.js';

const POOL_CODE = 'pool-code-for-proxy-tests-0123456789';
const COOL_OFF_MS = 1500;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Outbound proxies (PROXY_URL_POOL): a local HTTP proxy and a local SOCKS5 proxy (with credentials, socks5h) in
 * front of the simulator, each counting the upstream requests per access token that went through it.
 */
describe('outbound proxies', () => {
  let stack: Stack;
  let http: TestProxy;
  let socks: TestProxy;
  let db: pg.Client;
  let tenantId: string;

  const ask = (token: string, content: string) => stack.client(token).chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content }] });
  /** Which proxy carried this token's requests, asserting there is exactly one. */
  const proxyOf = (account: SimAccount): TestProxy => {
    const via = [http, socks].filter((p) => p.count(account.accessToken) > 0);
    expect(via).toHaveLength(1);
    return via[0];
  };
  /** Accounts until each proxy owns at least one (the assignment hashes account ids, so it takes a few). */
  const oneOnEach = async (): Promise<{ onHttp: SimAccount; onSocks: SimAccount }> => {
    const found = new Map<TestProxy, SimAccount>();
    for (let i = 0; i < 40 && found.size < 2; i++) {
      const account = stack.sim.issueAccount();
      await ask(account.accessToken, `find ${i}`);
      found.set(proxyOf(account), account);
    }
    return { onHttp: found.get(http)!, onSocks: found.get(socks)! };
  };

  beforeAll(async () => {
    [http, socks] = await Promise.all([startHttpProxy(), startSocks5Proxy({ credentials: 'proxyuser:proxy-s3cret' })]);
    stack = await startStack({
      auth: { AUTHORIZATION: POOL_CODE },
      conversation: {
        PROXY_URL_POOL: http.url('http'),
        PROXY_URL: socks.url('socks5h', 'proxyuser:proxy-s3cret'),
        PROXY_COOLOFF_MS: COOL_OFF_MS,
        UPSTREAM_CONNECT_TIMEOUT_MS: 1000,
      },
    });
    ({ db, tenantId } = await connectStackDatabase(stack));
  });
  afterAll(async () => {
    await db?.end();
    await stack?.close();
    await Promise.all([http?.stop(), socks?.stop()]);
  });
  beforeEach(async () => {
    await Promise.all([http.start().catch(() => undefined), socks.start().catch(() => undefined)]);
    http.reset();
    socks.reset();
    stack.sim.resetStats();
    // Past any cool-off a previous test left behind.
    await sleep(COOL_OFF_MS + 100);
  });

  it('sends every request of an account through the same proxy, and uses both proxies', async () => {
    const accounts = Array.from({ length: 8 }, () => stack.sim.issueAccount());
    for (let round = 0; round < 3; round++) for (const a of accounts) await ask(a.accessToken, `round ${round}`);
    for (const a of accounts) expect(proxyOf(a).count(a.accessToken)).toBe(3);
    const { onHttp, onSocks } = await oneOnEach();
    expect(onHttp).toBeDefined();
    expect(onSocks).toBeDefined();
    // Nothing went around the proxies.
    const through = [http, socks].reduce((sum, p) => sum + Object.values(p.record().byToken).reduce((a, b) => a + b, 0), 0);
    expect(through).toBe(stack.sim.stats().conversationRequests);
  });

  it('streams through a SOCKS5 proxy and an HTTP proxy alike', async () => {
    const { onHttp, onSocks } = await oneOnEach();
    for (const account of [onHttp, onSocks]) {
      const stream = await stack.client(account.accessToken).chat.completions.create({ model: 'gpt-4o', stream: true, messages: [{ role: 'user', content: 'stream me' }] });
      let text = '';
      for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
      expect(text).toBe('You said: stream me');
    }
  });

  it('skips a stopped proxy: its accounts move to the other proxy and stay there, the others do not move, and it is retried after the cool-off', async () => {
    const { onHttp, onSocks } = await oneOnEach();
    await socks.stop();
    http.reset();
    // The socks account moves to the http proxy, with no failed request.
    for (let i = 0; i < 3; i++) expect((await ask(onSocks.accessToken, `moved ${i}`)).choices[0].message.content).toBe(`You said: moved ${i}`);
    expect(http.count(onSocks.accessToken)).toBe(3);
    expect((await ask(onHttp.accessToken, 'unmoved')).choices[0].message.content).toBe('You said: unmoved');
    expect(http.count(onHttp.accessToken)).toBe(1);

    // Back, but still cooling off: the account stays where it moved.
    await socks.start();
    socks.reset();
    await ask(onSocks.accessToken, 'still moved');
    expect(http.count(onSocks.accessToken)).toBe(4);
    expect(socks.count(onSocks.accessToken)).toBe(0);

    // After the cool-off it is tried again and the account returns to its own proxy.
    await sleep(COOL_OFF_MS + 100);
    await ask(onSocks.accessToken, 'home again');
    await ask(onSocks.accessToken, 'home again 2');
    expect(socks.count(onSocks.accessToken)).toBe(2);
    expect(http.count(onSocks.accessToken)).toBe(4);
  });

  it('answers 502 proxy_unreachable when no proxy can be used, never going direct, and never showing proxy credentials', async () => {
    await Promise.all([http.stop(), socks.stop()]);
    const account = stack.sim.issueAccount();
    const err = await ask(account.accessToken, 'nowhere to go').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.APIError);
    const apiError = err as InstanceType<typeof OpenAI.APIError>;
    expect(apiError.status).toBe(502);
    expect(apiError.code).toBe('proxy_unreachable');
    expect(apiError.message).toMatch(/proxy/);
    expect(apiError.message).not.toContain('s3cret');
    expect(apiError.message).not.toContain('127.0.0.1');
    expect(stack.sim.stats().conversationRequests).toBe(0);
  });

  it('asks for a generated file\'s download URL, and reads the saved conversation for a late image, through the account\'s proxy', async () => {
    const account = stack.sim.issueAccount();
    const draw = async (prompt: string): Promise<string> => {
      const reply = await ask(account.accessToken, prompt);
      const link = /!\[image\]\((\S+?)\)/.exec(reply.choices[0].message.content ?? '');
      expect(link).not.toBeNull();
      return link![1];
    };
    const link = await draw('Draw [[sim tool=dalle]]');
    const proxy = proxyOf(account);
    expect(proxy.count(account.accessToken)).toBe(1);
    // A link to a file made with the caller's own token opens with that token as the Bearer.
    const res = await fetch(link, { headers: { authorization: `Bearer ${account.accessToken}` } });
    expect(res.status).toBe(200);
    await res.arrayBuffer();
    expect(proxy.count(account.accessToken)).toBe(2);
    // An image made after the stream: the conversation, then at least one read of the saved conversation.
    await draw('Draw [[sim tool=image_async]]');
    expect(proxyOf(account).count(account.accessToken)).toBeGreaterThanOrEqual(4);
  });

  it('keeps a pool account on one proxy too', async () => {
    const accounts = stack.auth.app.get(AccountsService);
    const account = stack.sim.issueAccount();
    await db.query('DELETE FROM auth.upstream_accounts');
    await accounts.enter(tenantId, account.accessToken);
    stack.auth.app.get(AccountPoolService).announceChanged(tenantId, []);
    for (let i = 0; i < 4; i++) await ask(POOL_CODE, `pool ${i}`);
    expect(proxyOf(account).count(account.accessToken)).toBe(4);
  });
});
