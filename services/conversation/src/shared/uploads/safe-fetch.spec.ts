import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { parseAllowHosts, safeFetch, UrlRefusedError, type SafeFetchOptions, type SafeFetchTestHooks, type UrlRefusedReason } from './safe-fetch.js';

// Local servers listen on 127.0.0.1. Tests reach them through fake names whose injected resolver answers a PUBLIC
// address (93.184.216.34), so the real address policy runs and accepts it; the test-only dialAddressOverride hook
// then swaps that vetted address for 127.0.0.1 at socket-connect time. Nothing in the policy is relaxed.
const PUBLIC = '93.184.216.34';
const PUBLIC_2 = '93.184.216.35';

const dns: Record<string, string[]> = {
  'files.example.test': [PUBLIC],
  'other.example.test': [PUBLIC_2],
  'internal.example.test': ['10.0.0.5'],
  'loop.example.test': ['127.0.0.1'],
  'meta.example.test': ['169.254.169.254'],
  'v6private.example.test': ['fd00::1'],
  'mixed.example.test': [PUBLIC, '10.0.0.1'],
  'mixed6.example.test': ['2606:4700:4700::1111', '::1'],
  'empty.example.test': [],
};
const resolver = jest.fn(async (host: string): Promise<string[]> => {
  const hit = dns[host];
  if (!hit) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
  return hit;
});
const dial = jest.fn((vetted: string) => (vetted === PUBLIC || vetted === PUBLIC_2 ? '127.0.0.1' : vetted));
const hooks: SafeFetchTestHooks = { dialAddressOverride: dial };

let server: Server;
let port: number;
const seenHosts: string[] = [];
const timers = new Set<NodeJS.Timeout>();

function handler(req: IncomingMessage, res: ServerResponse): void {
  seenHosts.push(req.headers.host ?? '');
  const path = (req.url ?? '/').replace(/^https?:\/\/[^/]+/, '');
  const redirect = (to: string) => {
    res.writeHead(302, { location: to });
    res.end();
  };
  switch (path) {
    case '/file.txt':
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('hello, file');
      return;
    case '/image.png':
      res.writeHead(200, { 'content-type': 'image/png', 'content-length': '8' });
      res.end(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
      return;
    case '/redirect-ok':
      return redirect('/file.txt');
    case '/redirect-other':
      return redirect(`http://other.example.test:${port}/file.txt`);
    case '/redirect-loopback':
      return redirect(`http://127.0.0.1:${port}/file.txt`);
    case '/redirect-v6-loopback':
      return redirect(`http://[::1]:${port}/file.txt`);
    case '/redirect-metadata':
      return redirect('http://169.254.169.254/latest/meta-data/');
    case '/redirect-private-name':
      return redirect(`http://internal.example.test:${port}/file.txt`);
    case '/redirect-ftp':
      return redirect('ftp://files.example.test/file.txt');
    case '/loop':
      return redirect('/loop');
    case '/not-found':
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('nope');
      return;
    case '/big-cl':
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(64 * 1024) });
      res.end(Buffer.alloc(64 * 1024, 1));
      return;
    case '/big-chunked': {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      let sent = 0;
      const pump = () => {
        while (sent < 1024 * 1024) {
          sent += 4096;
          if (!res.write(Buffer.alloc(4096, 2))) return void res.once('drain', pump);
        }
        res.end();
      };
      res.on('error', () => undefined);
      pump();
      return;
    }
    case '/lying-cl':
      // Declares a small length but the cap is also enforced on what actually streams (chunked, no CL here).
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'transfer-encoding': 'chunked' });
      res.write(Buffer.alloc(600, 3));
      res.end(Buffer.alloc(600, 3));
      return;
    case '/slow-body': {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('a');
      const t = setInterval(() => res.write('a'), 100);
      timers.add(t);
      res.on('close', () => clearInterval(t));
      return;
    }
    case '/slow-headers': {
      const t = setTimeout(() => res.end('late'), 5000);
      timers.add(t);
      res.on('close', () => clearTimeout(t));
      return;
    }
    default:
      res.writeHead(404);
      res.end();
  }
}

beforeAll(async () => {
  server = createServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  for (const t of timers) clearTimeout(t);
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

const base = (): SafeFetchOptions => ({ maxBytes: 1000, timeoutMs: 2000, resolve: resolver });
const url = (host: string, path: string) => `http://${host}:${port}${path}`;

async function refusal(p: Promise<unknown>): Promise<UrlRefusedError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof UrlRefusedError) return err;
    throw err;
  }
  throw new Error('expected a refusal, but the fetch succeeded');
}

async function expectRefused(p: Promise<unknown>, reason: UrlRefusedReason): Promise<UrlRefusedError> {
  const err = await refusal(p);
  expect(err.reason).toBe(reason);
  expect(err.message).toMatch(/^URL refused: /);
  return err;
}

describe('safeFetch: allowed', () => {
  it('returns a small file with its content type, dialling the vetted address with the original Host', async () => {
    resolver.mockClear();
    dial.mockClear();
    seenHosts.length = 0;
    const result = await safeFetch(url('files.example.test', '/file.txt'), base(), hooks);
    expect(result.bytes.toString()).toBe('hello, file');
    expect(result.contentType).toBe('text/plain; charset=utf-8');
    expect(result.finalUrl).toBe(url('files.example.test', '/file.txt'));
    expect(resolver).toHaveBeenCalledTimes(1);
    expect(resolver).toHaveBeenCalledWith('files.example.test');
    expect(dial).toHaveBeenCalledWith(PUBLIC); // the hook only ever sees addresses the policy accepted
    expect(seenHosts).toEqual([`files.example.test:${port}`]);
  });

  it('returns binary content exactly at a Content-Length within the cap', async () => {
    const result = await safeFetch(url('files.example.test', '/image.png'), { ...base(), maxBytes: 8 }, hooks);
    expect(result.contentType).toBe('image/png');
    expect([...result.bytes]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  });

  it('follows allowed redirects, re-resolving each new host, and reports the final URL', async () => {
    resolver.mockClear();
    const same = await safeFetch(url('files.example.test', '/redirect-ok'), base(), hooks);
    expect(same.finalUrl).toBe(url('files.example.test', '/file.txt'));
    const other = await safeFetch(url('files.example.test', '/redirect-other'), base(), hooks);
    expect(other.bytes.toString()).toBe('hello, file');
    expect(other.finalUrl).toBe(url('other.example.test', '/file.txt'));
    expect(resolver.mock.calls.map((c) => c[0])).toEqual(['files.example.test', 'files.example.test', 'files.example.test', 'other.example.test']);
  });

  it('never dials without the hook to anything but the vetted address (no second DNS lookup at connect)', async () => {
    // Rebinding resolver: first answer public, any later answer loopback. Only one lookup must happen per hop.
    let calls = 0;
    const rebinding = jest.fn(async () => (calls++ === 0 ? [PUBLIC] : ['127.0.0.1']));
    dial.mockClear();
    await safeFetch(url('rebind.example.test', '/file.txt'), { ...base(), resolve: rebinding }, hooks);
    expect(rebinding).toHaveBeenCalledTimes(1);
    expect(dial.mock.calls.map((c) => c[0])).toEqual([PUBLIC]);
  });
});

describe('safeFetch: refused schemes', () => {
  it.each(['ftp://files.example.test/x', 'file:///etc/passwd', 'data:text/plain;base64,aGk=', 'gopher://files.example.test/', 'javascript:alert(1)', 'not a url', '/relative/path'])(
    'refuses %s',
    async (u) => {
      resolver.mockClear();
      await expectRefused(safeFetch(u, base(), hooks), 'scheme');
      expect(resolver).not.toHaveBeenCalled();
    },
  );

  it('refuses embedded credentials without echoing them', async () => {
    const err = await expectRefused(safeFetch('http://user:s3cret@files.example.test/file.txt', base(), hooks), 'scheme');
    expect(err.message).not.toContain('s3cret');
  });
});

describe('safeFetch: refused addresses', () => {
  it.each([
    'http://127.0.0.1/',
    `http://127.0.0.1:${0}/file.txt`,
    'http://[::1]/',
    'http://[::ffff:127.0.0.1]/',
    'http://169.254.169.254/latest/meta-data/',
    'http://10.0.0.1/',
    'http://10.20.30.40:8080/x',
    'http://192.168.1.1/',
    'http://172.16.5.4/',
    'http://0.0.0.0/',
    'http://2130706433/', // 127.0.0.1 in decimal, normalised by the URL parser
    'http://0x7f.1/',
    'https://[fe80::1]/',
    'https://[fd00::1]/',
  ])('refuses the literal %s without resolving or connecting', async (u) => {
    resolver.mockClear();
    dial.mockClear();
    await expectRefused(safeFetch(u, base(), hooks), 'private_address');
    expect(resolver).not.toHaveBeenCalled();
    expect(dial).not.toHaveBeenCalled();
  });

  it.each(['internal.example.test', 'loop.example.test', 'meta.example.test', 'v6private.example.test', 'localhost', 'app.localhost'])(
    'refuses %s, which resolves to a private address',
    async (host) => {
      dial.mockClear();
      await expectRefused(safeFetch(url(host, '/file.txt'), base(), hooks), 'private_address');
      expect(dial).not.toHaveBeenCalled();
    },
  );

  it.each(['mixed.example.test', 'mixed6.example.test'])('refuses %s, which resolves to one public and one private address', async (host) => {
    dial.mockClear();
    await expectRefused(safeFetch(url(host, '/file.txt'), base(), hooks), 'private_address');
    expect(dial).not.toHaveBeenCalled();
  });

  it('does not reveal the resolved address in the message', async () => {
    const err = await expectRefused(safeFetch(url('internal.example.test', '/'), base(), hooks), 'private_address');
    expect(err.message).not.toContain('10.0.0.5');
    expect(err.message).toMatch(/private/);
  });

  it.each(['nxdomain.example.test', 'empty.example.test'])('refuses %s when resolution fails or is empty', async (host) => {
    await expectRefused(safeFetch(url(host, '/'), base(), hooks), 'dns');
  });
});

describe('safeFetch: redirects', () => {
  it.each([
    ['/redirect-loopback', 'private_address'],
    ['/redirect-v6-loopback', 'private_address'],
    ['/redirect-metadata', 'private_address'],
    ['/redirect-private-name', 'private_address'],
    ['/redirect-ftp', 'scheme'],
  ] as const)('refuses %s from an allowed server (%s)', async (path, reason) => {
    seenHosts.length = 0;
    await expectRefused(safeFetch(url('files.example.test', path), base(), hooks), reason);
    expect(seenHosts).toEqual([`files.example.test:${port}`]); // the redirect target was never requested
  });

  it('refuses too many redirects', async () => {
    seenHosts.length = 0;
    await expectRefused(safeFetch(url('files.example.test', '/loop'), { ...base(), maxRedirects: 3 }, hooks), 'too_many_redirects');
    expect(seenHosts).toHaveLength(4);
  });

  it('refuses a redirect at all when maxRedirects is 0', async () => {
    await expectRefused(safeFetch(url('files.example.test', '/redirect-ok'), { ...base(), maxRedirects: 0 }, hooks), 'too_many_redirects');
  });
});

describe('safeFetch: status, size and time caps', () => {
  it('refuses a non-2xx answer', async () => {
    const err = await expectRefused(safeFetch(url('files.example.test', '/not-found'), base(), hooks), 'status');
    expect(err.message).toContain('404');
  });

  it('refuses early on a Content-Length over the cap', async () => {
    await expectRefused(safeFetch(url('files.example.test', '/big-cl'), base(), hooks), 'too_large');
  });

  it('refuses a body without Content-Length once it streams past the cap', async () => {
    const started = Date.now();
    await expectRefused(safeFetch(url('files.example.test', '/big-chunked'), base(), hooks), 'too_large');
    expect(Date.now() - started).toBeLessThan(1500);
  });

  it('counts actual bytes, not declarations: 1200 chunked bytes over a 1000-byte cap', async () => {
    await expectRefused(safeFetch(url('files.example.test', '/lying-cl'), base(), hooks), 'too_large');
    const ok = await safeFetch(url('files.example.test', '/lying-cl'), { ...base(), maxBytes: 1200 }, hooks);
    expect(ok.bytes).toHaveLength(1200);
  });

  it('refuses a slow body past the overall time cap', async () => {
    const started = Date.now();
    await expectRefused(safeFetch(url('files.example.test', '/slow-body'), { ...base(), maxBytes: 1_000_000, timeoutMs: 400 }, hooks), 'timeout');
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(350);
    expect(elapsed).toBeLessThan(1500);
  });

  it('refuses slow headers past the time cap', async () => {
    await expectRefused(safeFetch(url('files.example.test', '/slow-headers'), { ...base(), timeoutMs: 300 }, hooks), 'timeout');
  });

  it('refuses a proxy that never answers past the time cap', async () => {
    const silent = createServer(() => undefined);
    const sockets = new Set<Socket>();
    silent.on('connection', (socket: Socket) => sockets.add(socket));
    silent.on('connect', () => undefined); // accepts the CONNECT, never replies
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    try {
      const proxyUrl = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
      await expectRefused(safeFetch(url('files.example.test', '/file.txt'), { ...base(), timeoutMs: 300, proxyUrl }), 'timeout');
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((r) => silent.close(r));
    }
  });

  it('refuses slow DNS past the time cap', async () => {
    const slowDns = () => new Promise<string[]>((r) => setTimeout(() => r([PUBLIC]), 1000).unref());
    await expectRefused(safeFetch(url('files.example.test', '/file.txt'), { ...base(), timeoutMs: 200, resolve: slowDns }, hooks), 'timeout');
  });
});

describe('safeFetch: through EXPORT_PROXY_URL', () => {
  let proxy: Server;
  let proxyUrl: string;
  const proxied: string[] = [];

  beforeAll(async () => {
    // A minimal forward proxy for absolute-form http requests. It does the name resolution (here: the fake
    // names map to the local server), as a real egress proxy would.
    proxy = createServer((req, res) => {
      proxied.push(req.url ?? '');
      const target = new URL(req.url ?? '');
      const up = httpRequest(
        { host: '127.0.0.1', port: Number(target.port), path: target.pathname + target.search, method: req.method, headers: { ...req.headers, host: target.host } },
        (upRes) => {
          res.writeHead(upRes.statusCode ?? 502, upRes.headers);
          upRes.pipe(res);
        },
      );
      up.on('error', () => res.destroy());
      req.pipe(up);
    });
    // undici's ProxyAgent tunnels (CONNECT) by default, for http targets too.
    proxy.on('connect', (req, clientSocket: Socket, head: Buffer) => {
      proxied.push(`CONNECT ${req.url ?? ''}`);
      const [host, targetPort] = (req.url ?? '').split(':');
      if (!host.endsWith('.example.test')) return void clientSocket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
      const upstream = connect(Number(targetPort), '127.0.0.1', () => {
        clientSocket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        upstream.write(head);
        upstream.pipe(clientSocket);
        clientSocket.pipe(upstream);
      });
      upstream.on('error', () => clientSocket.destroy());
      clientSocket.on('error', () => upstream.destroy());
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
    proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    proxy.closeAllConnections();
    await new Promise((r) => proxy.close(r));
  });

  it('fetches through the proxy, which does the resolution', async () => {
    resolver.mockClear();
    dial.mockClear();
    proxied.length = 0;
    const result = await safeFetch(url('files.example.test', '/redirect-ok'), { ...base(), proxyUrl });
    expect(result.bytes.toString()).toBe('hello, file');
    expect(result.finalUrl).toBe(url('files.example.test', '/file.txt'));
    expect(proxied).toEqual([`CONNECT files.example.test:${port}`, `CONNECT files.example.test:${port}`]);
    expect(seenHosts.slice(-2)).toEqual([`files.example.test:${port}`, `files.example.test:${port}`]);
    expect(resolver).not.toHaveBeenCalled();
  });

  it('still refuses literal private IPs and bad schemes, on the first hop and on redirects', async () => {
    proxied.length = 0;
    await expectRefused(safeFetch('http://127.0.0.1/', { ...base(), proxyUrl }), 'private_address');
    await expectRefused(safeFetch('http://[::1]/', { ...base(), proxyUrl }), 'private_address');
    await expectRefused(safeFetch('file:///etc/passwd', { ...base(), proxyUrl }), 'scheme');
    expect(proxied).toEqual([]);
    await expectRefused(safeFetch(url('files.example.test', '/redirect-metadata'), { ...base(), proxyUrl }), 'private_address');
    await expectRefused(safeFetch(url('files.example.test', '/redirect-ftp'), { ...base(), proxyUrl }), 'scheme');
    expect(proxied).toEqual([`CONNECT files.example.test:${port}`, `CONNECT files.example.test:${port}`]);
  });

  it('keeps the size cap through the proxy', async () => {
    await expectRefused(safeFetch(url('files.example.test', '/big-chunked'), { ...base(), proxyUrl }), 'too_large');
  });
});

describe('safeFetch: operator-trusted hosts (UPLOAD_ALLOW_HOSTS)', () => {
  it('parses exact host:port pairs and refuses anything looser', () => {
    expect([...parseAllowHosts(' 127.0.0.1:8080, Assets.Internal:443 ,[::1]:9000')]).toEqual(['127.0.0.1:8080', 'assets.internal:443', '::1:9000']);
    expect(parseAllowHosts('').size).toBe(0);
    expect(() => parseAllowHosts('127.0.0.1')).toThrow(/host:port/);
    expect(() => parseAllowHosts('10.0.0.1:80/path')).toThrow(/host:port/);
  });

  it('fetches from the trusted loopback host:port without any hook', async () => {
    const allowHosts = parseAllowHosts(`127.0.0.1:${port}`);
    const res = await safeFetch(url('127.0.0.1', '/file.txt'), { ...base(), allowHosts });
    expect(res.bytes.toString()).toBe('hello, file');
  });

  it('still refuses the same host on another port, and a redirect from the trusted host to a private one', async () => {
    const allowHosts = parseAllowHosts(`127.0.0.1:${port}`);
    await expectRefused(safeFetch(`http://127.0.0.1:${port + 1}/file.txt`, { ...base(), allowHosts }), 'private_address');
    await expectRefused(safeFetch(url('127.0.0.1', '/redirect-metadata'), { ...base(), allowHosts }), 'private_address');
    await expectRefused(safeFetch(url('127.0.0.1', '/redirect-private-name'), { ...base(), allowHosts }), 'private_address');
  });

  it('keeps the size and time caps for a trusted host', async () => {
    const allowHosts = parseAllowHosts(`127.0.0.1:${port}`);
    await expectRefused(safeFetch(url('127.0.0.1', '/big-chunked'), { ...base(), allowHosts }), 'too_large');
    await expectRefused(safeFetch(url('127.0.0.1', '/slow-body'), { ...base(), timeoutMs: 300, allowHosts }), 'timeout');
  });
});
