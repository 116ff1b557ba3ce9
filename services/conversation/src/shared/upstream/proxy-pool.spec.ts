import { describe, expect, it } from '@jest/globals';
import type { Dispatcher } from 'undici';
import { accountKeyOf } from './account-key.js';
import { isProxyFailure, proxyLabel, ProxyUnreachableError } from './proxy-dispatcher.js';
import { ProxyPool, proxyUrlsFrom } from './proxy-pool.js';

const fakeDispatcher = () => ({ close: async () => undefined }) as unknown as Dispatcher;
const pool = (urls: string[], coolOffMs = 1000) => new ProxyPool(proxyUrlsFrom(urls.join(',')), { connectTimeoutMs: 1000, idleTimeoutMs: 1000, coolOffMs, dispatcherFor: fakeDispatcher });
const URLS = ['http://10.0.0.1:3128', 'socks5://10.0.0.2:1080', 'socks5h://u:secret@10.0.0.3:1080', 'https://10.0.0.4:443'];
const keys = Array.from({ length: 400 }, (_, i) => `account:${i}`);

describe('ProxyPool', () => {
  it('joins PROXY_URL_POOL and PROXY_URL without repeats and labels proxies without credentials', () => {
    const urls = proxyUrlsFrom(' http://a:1 , socks5h://user:pw@b:2,', 'http://a:1');
    expect(urls.map((u) => u.href)).toEqual(['http://a:1/', 'socks5h://user:pw@b:2']);
    expect(urls.map(proxyLabel)).toEqual(['http://a:1', 'socks5h://b:2']);
    const labels = pool(URLS).order('account:x').map((p) => p.label);
    expect(labels.join()).not.toContain('secret');
  });

  it('gives each account the same proxy every time, and spreads accounts over all proxies', () => {
    const p = pool(URLS);
    const first = new Map(keys.map((k) => [k, p.order(k)[0].label]));
    for (const k of keys) expect(p.order(k)[0].label).toBe(first.get(k));
    const perProxy = new Map<string, number>();
    for (const label of first.values()) perProxy.set(label, (perProxy.get(label) ?? 0) + 1);
    expect(perProxy.size).toBe(4);
    for (const n of perProxy.values()) expect(n).toBeGreaterThan(60);
    // Another pool with the same list (another replica, a restart) agrees.
    const again = pool(URLS);
    for (const k of keys) expect(again.order(k)[0].label).toBe(first.get(k));
  });

  it('moves only the failed proxy’s accounts, keeps them on their next proxy, and brings them back after the cool-off', () => {
    const p = pool(URLS, 1000);
    const now = 1_000_000;
    const before = new Map(keys.map((k) => [k, p.order(k, now)[0]]));
    const dead = before.get(keys[0])!;
    p.failed(dead, now);
    for (const k of keys) {
      const chosen = p.order(k, now + 10)[0];
      if (before.get(k) === dead) {
        expect(chosen).not.toBe(dead);
        // Sticky while it lasts: the account's second-ranked proxy.
        expect(p.order(k, now + 500)[0]).toBe(chosen);
        expect(chosen).toBe(p.order(k, now + 2000)[1]);
      } else expect(chosen).toBe(before.get(k));
    }
    // Past the cool-off the proxy is tried again.
    expect(p.order(keys[0], now + 1001)[0]).toBe(dead);
  });

  it('offers only the proxy that frees up first when every proxy is cooling off', () => {
    const p = pool(URLS.slice(0, 2), 1000);
    const [a, b] = p.order('k', 0);
    p.failed(b, 100);
    p.failed(a, 200);
    expect(p.order('k', 300)).toEqual([b]);
    p.succeeded(b);
    expect(p.order('k', 300)).toEqual([b]);
    expect(p.order('k', 1300)).toEqual([a, b]);
  });

  it('has nothing to offer without proxies', () => {
    expect(pool([]).size).toBe(0);
    expect(pool([]).order('k')).toEqual([]);
  });
});

describe('isProxyFailure', () => {
  it('blames the proxy for its own connection, credentials and handshake, not for what it reports of the upstream', () => {
    expect(isProxyFailure(new ProxyUnreachableError('http://p:1', 'ECONNREFUSED'))).toBe(true);
    expect(isProxyFailure(Object.assign(new Error('Authentication failed'), { code: 'UND_ERR_SOCKS5_AUTH_FAILED' }))).toBe(true);
    expect(isProxyFailure(new Error('Proxy Authentication Required (407)'))).toBe(true);
    expect(isProxyFailure(new Error('Proxy response (403) !== 200 when HTTP Tunneling'))).toBe(true);
    expect(isProxyFailure(Object.assign(new Error('SOCKS5 connection failed: Host unreachable'), { code: 'UND_ERR_SOCKS5_REPLY_4' }))).toBe(false);
    expect(isProxyFailure(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }))).toBe(false);
  });
});

describe('accountKeyOf', () => {
  const jwt = (claims: object) => `eyJhbGciOiJIUzI1NiJ9.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.sig`;
  it('keeps one key per upstream account across tokens, and never shows a token', () => {
    const claims = { 'https://api.openai.com/auth': { chatgpt_account_id: 'acc-1' } };
    expect(accountKeyOf({ accessToken: jwt({ ...claims, n: 1 }), chatgptAccountId: null, deviceId: null })).toBe('account:acc-1');
    expect(accountKeyOf({ accessToken: jwt({ ...claims, n: 2 }), chatgptAccountId: null, deviceId: 'dev' })).toBe('account:acc-1');
    expect(accountKeyOf({ accessToken: jwt(claims), chatgptAccountId: 'team-9', deviceId: null })).toBe('account:team-9');
    expect(accountKeyOf({ accessToken: 'opaque', chatgptAccountId: null, deviceId: 'dev-1' })).toBe('device:dev-1');
    const hashed = accountKeyOf({ accessToken: 'opaque-token-value', chatgptAccountId: null, deviceId: null });
    expect(hashed).toMatch(/^token:[0-9a-f]{64}$/);
    expect(hashed).not.toContain('opaque');
  });
});
