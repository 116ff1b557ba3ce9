import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { request } from 'undici';
import { startHttpProxy, startSocks5Proxy, type TestProxy } from '@chatgate/testing';
import { isProxyFailure, proxyDispatcher } from './proxy-dispatcher.js';

// Real proxies on loopback (libs/testing) in front of a plain-http server named `localhost`.
describe('proxyDispatcher', () => {
  let upstream: Server;
  let base: string;
  let http: TestProxy;
  let socks: TestProxy;
  let socksAuth: TestProxy;
  let httpAuth: TestProxy;
  const opts = { connectTimeoutMs: 2000, idleTimeoutMs: 5000 };

  const get = async (proxyUrl: string, token: string) => {
    const dispatcher = proxyDispatcher(new URL(proxyUrl), opts);
    try {
      const res = await request(`${base}/hello`, { dispatcher, headers: { authorization: `Bearer ${token}` } });
      return { status: res.statusCode, body: await res.body.text() };
    } finally {
      await dispatcher.close();
    }
  };

  beforeAll(async () => {
    upstream = createServer((req, res) => res.end(`hi ${req.url}`));
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    base = `http://localhost:${(upstream.address() as AddressInfo).port}`;
    [http, socks, socksAuth, httpAuth] = await Promise.all([startHttpProxy(), startSocks5Proxy(), startSocks5Proxy({ credentials: 'user:s3cret' }), startHttpProxy({ credentials: 'user:s3cret' })]);
  });
  afterAll(async () => {
    await Promise.all([http, socks, socksAuth, httpAuth].map((p) => p?.stop()));
    await new Promise((resolve) => upstream?.close(resolve));
  });

  it('forwards plain-http requests through an HTTP proxy', async () => {
    expect(await get(http.url('http'), 'tok-http')).toEqual({ status: 200, body: 'hi /hello' });
    expect(http.count('tok-http')).toBe(1);
  });

  it('resolves names locally for socks5 and at the proxy for socks5h', async () => {
    socks.reset();
    expect((await get(socks.url('socks5'), 'tok-s5')).body).toBe('hi /hello');
    expect((await get(socks.url('socks5h'), 'tok-s5h')).body).toBe('hi /hello');
    const { targets, byToken } = socks.record();
    expect(targets.map((t) => [t.type, t.host])).toEqual([
      ['ipv4', '127.0.0.1'],
      ['domain', 'localhost'],
    ]);
    expect(byToken).toEqual({ 'tok-s5': 1, 'tok-s5h': 1 });
  });

  it('authenticates to proxies with the URL’s credentials', async () => {
    expect((await get(socksAuth.url('socks5h', 'user:s3cret'), 't1')).status).toBe(200);
    expect((await get(httpAuth.url('http', 'user:s3cret'), 't2')).status).toBe(200);
    expect(socksAuth.count('t1')).toBe(1);
    expect(httpAuth.count('t2')).toBe(1);
  });

  it('marks wrong credentials and a stopped proxy as the proxy’s failure, without showing credentials', async () => {
    const failures = await Promise.all([
      get(socksAuth.url('socks5h', 'user:wrong'), 't').catch((e: unknown) => e),
      get(httpAuth.url('http', 'user:wrong'), 't').catch((e: unknown) => e),
    ]);
    for (const err of failures) expect(isProxyFailure(err)).toBe(true);
    const stopped = await startSocks5Proxy();
    const url = stopped.url('socks5h', 'user:topsecret');
    await stopped.stop();
    const err = await get(url, 't').catch((e: unknown) => e);
    expect(isProxyFailure(err)).toBe(true);
    expect(String((err as Error).message)).not.toContain('topsecret');
    const httpStopped = await startHttpProxy();
    const httpUrl = httpStopped.url('http', 'user:topsecret');
    await httpStopped.stop();
    const httpErr = await get(httpUrl, 't').catch((e: unknown) => e);
    expect(isProxyFailure(httpErr)).toBe(true);
    expect(String((httpErr as Error).message)).not.toContain('topsecret');
  });
});
