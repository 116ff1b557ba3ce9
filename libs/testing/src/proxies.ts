// Local outbound proxies for tests: an HTTP proxy (absolute-form forwarding and CONNECT tunnels) and a SOCKS5
// proxy (no auth, or username/password), both real servers on 127.0.0.1 that record who went through them.
// The upstream in tests is plain http, so the proxies can read the Authorization header of each request
// and count requests per access token.
import { createServer as createHttpServer, request as httpRequest, type Server } from 'node:http';
import { connect, createServer as createTcpServer, type AddressInfo, type Socket } from 'node:net';

export interface ProxyRecord {
  /** Requests seen, per Bearer token sent to the upstream. */
  byToken: Record<string, number>;
  /** Connections accepted from clients. */
  connections: number;
  /** SOCKS5: how each CONNECT named its target (`domain` means the proxy resolved it). */
  targets: Array<{ type: 'ipv4' | 'ipv6' | 'domain'; host: string; port: number }>;
}

export interface TestProxy {
  /** e.g. `http://127.0.0.1:40123` or `socks5://user:pass@127.0.0.1:40124` (give the scheme you test). */
  readonly port: number;
  url(scheme?: string, credentials?: string): string;
  record(): ProxyRecord;
  /** Requests seen with this token so far. */
  count(token: string): number;
  reset(): void;
  /** Stops listening and drops every open connection (clients see resets, then refusals). */
  stop(): Promise<void>;
  /** Listens again on the same port. */
  start(): Promise<void>;
}

const BEARER = /authorization: *bearer +([^\r\n,]+)/gi;

function emptyRecord(): ProxyRecord {
  return { byToken: {}, connections: 0, targets: [] };
}

/** Counts the Bearer tokens in bytes going to the upstream (plain http, so request heads are readable). */
function sniff(record: ProxyRecord, chunk: Buffer): void {
  for (const m of chunk.toString('latin1').matchAll(BEARER)) record.byToken[m[1]] = (record.byToken[m[1]] ?? 0) + 1;
}

function tracked(server: Server | ReturnType<typeof createTcpServer>, scheme: string): TestProxy & { bind(): Promise<void>; readonly current: ProxyRecord } {
  let record = emptyRecord();
  const sockets = new Set<Socket>();
  let port = 0;
  server.on('connection', (socket: Socket) => {
    record.connections += 1;
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  const listen = () =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        port = (server.address() as AddressInfo).port;
        resolve();
      });
    });
  const proxy = {
    get port() {
      return port;
    },
    url: (s = scheme, credentials?: string) => `${s}://${credentials ? `${credentials}@` : ''}127.0.0.1:${port}`,
    record: () => structuredClone(record),
    count: (token: string) => record.byToken[token] ?? 0,
    reset: () => {
      record = emptyRecord();
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      }),
    start: listen,
    bind: listen,
    /** For the servers' handlers. */
    get current() {
      return record;
    },
  };
  return proxy;
}

/** An HTTP proxy: forwards absolute-form requests, tunnels CONNECT. Optional `user:pass` for Proxy-Authorization. */
export async function startHttpProxy(opts: { credentials?: string } = {}): Promise<TestProxy> {
  const expected = opts.credentials ? `Basic ${Buffer.from(opts.credentials).toString('base64')}` : null;
  const server = createHttpServer((req, res) => {
    if (expected && req.headers['proxy-authorization'] !== expected) {
      res.writeHead(407, { 'proxy-authenticate': 'Basic realm="test"' }).end();
      return;
    }
    let target: URL;
    try {
      target = new URL(req.url ?? '');
    } catch {
      res.writeHead(400).end('absolute-form request expected');
      return;
    }
    const auth = req.headers.authorization;
    const m = typeof auth === 'string' ? /^bearer +(.+)$/i.exec(auth) : null;
    if (m) self.current.byToken[m[1]] = (self.current.byToken[m[1]] ?? 0) + 1;
    const headers = { ...req.headers };
    delete headers['proxy-authorization'];
    delete headers['proxy-connection'];
    const upstream = httpRequest(target, { method: req.method, headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    upstream.on('error', () => (res.headersSent ? res.destroy() : res.writeHead(502).end('upstream unreachable')));
    res.on('close', () => upstream.destroy());
    req.pipe(upstream);
  });
  server.on('connect', (req, client: Socket, head: Buffer) => {
    if (expected && req.headers['proxy-authorization'] !== expected) {
      client.end('HTTP/1.1 407 Proxy Authentication Required\r\n\r\n');
      return;
    }
    const [host, port] = (req.url ?? '').split(':');
    const upstream = connect(Number(port), host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length) upstream.write(head);
      client.on('data', (chunk: Buffer) => sniff(self.current, chunk));
      client.pipe(upstream).pipe(client);
    });
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  // The handlers above run only once the server listens, after `self` exists.
  const self = tracked(server, 'http');
  await self.bind();
  return self;
}

/** A SOCKS5 proxy (RFC 1928, CONNECT only; RFC 1929 username/password when `credentials` is set). */
export async function startSocks5Proxy(opts: { credentials?: string } = {}): Promise<TestProxy> {
  const server = createTcpServer((client) => {
    client.on('error', () => undefined);
    let buffer = Buffer.alloc(0);
    let stage: 'greeting' | 'auth' | 'request' | 'open' = 'greeting';
    const onData = (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      if (stage === 'greeting') {
        if (buffer.length < 2 || buffer.length < 2 + buffer[1]) return;
        const methods = [...buffer.subarray(2, 2 + buffer[1])];
        buffer = buffer.subarray(2 + buffer[1]);
        const wanted = opts.credentials ? 0x02 : 0x00;
        if (!methods.includes(wanted)) return void client.end(Buffer.from([5, 0xff]));
        client.write(Buffer.from([5, wanted]));
        stage = opts.credentials ? 'auth' : 'request';
      }
      if (stage === 'auth') {
        if (buffer.length < 2) return;
        const ulen = buffer[1];
        if (buffer.length < 3 + ulen) return;
        const plen = buffer[2 + ulen];
        if (buffer.length < 3 + ulen + plen) return;
        const given = `${buffer.subarray(2, 2 + ulen).toString()}:${buffer.subarray(3 + ulen, 3 + ulen + plen).toString()}`;
        buffer = buffer.subarray(3 + ulen + plen);
        if (given !== opts.credentials) return void client.end(Buffer.from([1, 1]));
        client.write(Buffer.from([1, 0]));
        stage = 'request';
      }
      if (stage === 'request') {
        if (buffer.length < 5) return;
        const atyp = buffer[3];
        const addrLen = atyp === 1 ? 4 : atyp === 4 ? 16 : 1 + buffer[4];
        if (buffer.length < 4 + addrLen + 2) return;
        const raw = buffer.subarray(4, 4 + addrLen);
        const host = atyp === 1 ? [...raw].join('.') : atyp === 4 ? (raw.toString('hex').match(/.{4}/g) ?? []).join(':') : raw.subarray(1).toString();
        const port = buffer.readUInt16BE(4 + addrLen);
        const rest = buffer.subarray(4 + addrLen + 2);
        self.current.targets.push({ type: atyp === 1 ? 'ipv4' : atyp === 4 ? 'ipv6' : 'domain', host, port });
        stage = 'open';
        client.off('data', onData);
        const upstream = connect(port, host, () => {
          client.write(Buffer.from([5, 0, 0, 1, 0, 0, 0, 0, 0, 0]));
          if (rest.length) {
            sniff(self.current, rest);
            upstream.write(rest);
          }
          client.on('data', (c: Buffer) => sniff(self.current, c));
          client.pipe(upstream).pipe(client);
        });
        upstream.on('error', () => client.end(Buffer.from([5, 5, 0, 1, 0, 0, 0, 0, 0, 0])));
        client.on('close', () => upstream.destroy());
      }
    };
    client.on('data', onData);
  });
  const self = tracked(server, 'socks5');
  await self.bind();
  return self;
}
