// One undici dispatcher per outbound proxy (PROXY_URL_POOL), built on undici's own proxy agents:
// ProxyAgent for http(s) proxies, Socks5ProxyAgent for socks5/socks5h. What this module adds is telling a
// proxy that cannot be used apart from an upstream that cannot be reached through it, so the pool skips the
// proxy without blaming the upstream base (and the other way round).
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { buildConnector, Pool, ProxyAgent, Socks5ProxyAgent, type Dispatcher } from 'undici';

/** A proxy could not be connected to, refused us, or broke its handshake: the pool moves the account on. */
export class ProxyUnreachableError extends Error {
  override readonly name = 'ProxyUnreachableError';
  readonly code = 'CHATGATE_PROXY_UNREACHABLE';
  constructor(
    /** The proxy as logs may show it: scheme, host and port, never credentials. */
    readonly proxy: string,
    /** The underlying error code (ECONNREFUSED, UND_ERR_SOCKS5_AUTH_FAILED, …), for logs. */
    readonly reason: string,
  ) {
    super(`proxy ${proxy} unusable (${reason})`);
  }
}

export interface ProxyDispatcherOptions {
  connectTimeoutMs: number;
  idleTimeoutMs: number;
}

/** `socks5h://user:pass@host:1080` → `socks5h://host:1080`: what logs and errors may name. */
export function proxyLabel(url: URL): string {
  return `${url.protocol}//${url.host}`;
}

type Connector = buildConnector.connector;

/** Wraps the connector of the leg to the proxy itself: any failure there is the proxy's. */
function proxyLeg(connect: Connector, label: string): Connector {
  return (options, callback) =>
    connect(options, (err, socket) => {
      if (err) callback(new ProxyUnreachableError(label, (err as { code?: string }).code ?? err.message), null);
      else callback(null, socket!);
    });
}

/** What undici's SOCKS5 agent does per connection (not in its public types). */
interface Socks5Internals {
  createSocks5Connection(targetHost: string, targetPort: number): Promise<unknown>;
}

/**
 * SOCKS5 as the URL scheme says: `socks5h` hands the host name to the proxy (it resolves), `socks5` resolves
 * here and hands the proxy an address. undici's agent always sends the name, so for plain socks5 its
 * per-connection step is wrapped to resolve first (TLS still verifies the name: that comes from the URL).
 */
function resolvingLocally(agent: Socks5ProxyAgent): Socks5ProxyAgent {
  const internals = agent as unknown as Socks5Internals;
  const connectByName = internals.createSocks5Connection.bind(agent);
  internals.createSocks5Connection = async (targetHost, targetPort) =>
    connectByName(isIP(targetHost) ? targetHost : (await lookup(targetHost)).address, targetPort);
  return agent;
}

/** The dispatcher that sends upstream requests through one proxy. */
export function proxyDispatcher(url: URL, opts: ProxyDispatcherOptions): Dispatcher {
  const label = proxyLabel(url);
  const connect = proxyLeg(buildConnector({ timeout: opts.connectTimeoutMs }), label);
  const timeouts = { headersTimeout: opts.idleTimeoutMs, bodyTimeout: opts.idleTimeoutMs, keepAliveTimeout: 30_000 };
  if (url.protocol === 'socks5:' || url.protocol === 'socks5h:') {
    // undici knows the scheme as socks5 only; which side resolves names is decided here.
    const userinfo = url.username ? `${url.username}${url.password ? `:${url.password}` : ''}@` : '';
    const agent = new Socks5ProxyAgent(`socks5://${userinfo}${url.host}`, { connect });
    return url.protocol === 'socks5h:' ? agent : resolvingLocally(agent);
  }
  const proxyHost = url.host;
  return new ProxyAgent({
    uri: url.toString(),
    // Plain-http upstreams are forwarded in absolute form (as curl does, and as every HTTP proxy accepts);
    // https upstreams always go through a CONNECT tunnel.
    proxyTunnel: false,
    proxyTls: { timeout: opts.connectTimeoutMs },
    // The connection to the proxy: a pool (undici's default for forwarding is one connection per upstream
    // origin, which would queue concurrent streams behind each other), with failures marked as the proxy's.
    factory: (origin, options: Pool.Options & { connect?: Connector }) => {
      const target = new URL(origin);
      const toProxy = target.host === proxyHost && options.connect !== undefined;
      return new Pool(toProxy ? target.origin : origin, { ...options, ...timeouts, ...(toProxy ? { connect: proxyLeg(options.connect!, label) } : {}) });
    },
    clientFactory: (origin, options: Pool.Options & { connect?: Connector }) =>
      new Pool(origin, { ...options, ...(options.connect ? { connect: proxyLeg(options.connect, label) } : {}) }),
    ...timeouts,
  });
}

/**
 * Whether an error means the proxy (rather than the upstream behind it) could not be used: its own connection
 * failed, it wants credentials we do not have, it refused the tunnel, or its SOCKS handshake broke. A SOCKS
 * reply code (host unreachable, connection refused) is the proxy reporting on the upstream: not the proxy's fault.
 */
export function isProxyFailure(err: unknown): boolean {
  if (err instanceof ProxyUnreachableError) return true;
  const e = err as { code?: string; message?: string } | null;
  const code = e?.code ?? '';
  const message = e?.message ?? '';
  if (code.startsWith('UND_ERR_SOCKS5') && !code.startsWith('UND_ERR_SOCKS5_REPLY_')) return true;
  return /^(SOCKS5 (authentication|connection) timeout|Proxy Authentication Required|Proxy response \(\d+\) !== 200)/.test(message);
}
