// Guarded fetch of a user-supplied URL (issue 5, "Input"): http(s) only; every hop's host is resolved here and
// refused if ANY of its addresses is private/loopback/link-local/metadata/reserved; the connection is pinned to the
// vetted addresses (so DNS rebinding between check and connect cannot win); redirects are followed by hand, each
// hop re-checked; a size cap enforced while streaming and a time cap over the whole exchange. With a proxy
// (EXPORT_PROXY_URL) the proxy resolves names, so only the scheme and literal IPs can be checked here.
import { lookup } from 'node:dns/promises';
import { isIP, type LookupFunction } from 'node:net';
import { Agent, ProxyAgent, request, type Dispatcher } from 'undici';
import { classifyAddress, hostKey, parseAllowHosts } from '@chatgate/service-kit';

export type UrlRefusedReason = 'scheme' | 'private_address' | 'dns' | 'too_large' | 'budget' | 'timeout' | 'too_many_redirects' | 'status';

/** A user-supplied URL that was not fetched. `message` is safe to return in a 400 (no addresses, no proxy). */
export class UrlRefusedError extends Error {
  override readonly name = 'UrlRefusedError';
  constructor(
    readonly reason: UrlRefusedReason,
    message: string,
  ) {
    super(message);
  }
}

export interface SafeFetchOptions {
  maxBytes: number;
  timeoutMs: number;
  /** Redirect hops followed before refusing; default 5. */
  maxRedirects?: number;
  /** Operator-configured forward proxy (EXPORT_PROXY_URL). Never user input. */
  proxyUrl?: string;
  /** Name resolution; defaults to dns.lookup(all). Injectable for tests. */
  resolve?: (host: string) => Promise<string[]>;
  /**
   * Exact `host:port` pairs (lower-case host, port always written) the operator trusts although they are or resolve
   * to private addresses (UPLOAD_ALLOW_HOSTS: an internal asset server; the end-to-end tests' local server). Only
   * that host on that port is let through; every other host, and every redirect hop elsewhere, is judged as usual.
   */
  allowHosts?: ReadonlySet<string>;
  /**
   * Takes each chunk's size from a budget shared with the other inputs of the same request (the
   * job's UPLOAD_JOB_MAX_BYTES); false refuses the URL with reason `budget` before the chunk is kept.
   */
  reserve?: (bytes: number) => boolean;
  /** There is deliberately no way to allow private addresses in general. */
  allowPrivateForTests?: never;
}

/** The allow-list's spelling and parser are shared with the platform's (service-kit `net`). */
export { hostKey, parseAllowHosts };

/**
 * TEST ONLY. Not part of SafeFetchOptions, so production call sites cannot pass it by accident through config.
 * `dialAddressOverride` is applied at the very last step — inside the pinned socket lookup, AFTER the address policy
 * has accepted every resolved address — and swaps the address the socket dials (e.g. vetted 93.184.216.34 →
 * 127.0.0.1 where a local test server listens). The URL, Host header, SNI, policy and redirect logic are unchanged.
 */
export interface SafeFetchTestHooks {
  dialAddressOverride?: (vettedAddress: string) => string;
}

export interface SafeFetchResult {
  bytes: Buffer;
  contentType: string | null;
  finalUrl: string;
}

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

async function defaultResolve(host: string): Promise<string[]> {
  const results = await lookup(host, { all: true, verbatim: true });
  return results.map((r) => r.address);
}

function parseUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UrlRefusedError('scheme', 'URL refused: not a valid absolute URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UrlRefusedError('scheme', `URL refused: scheme "${url.protocol.replace(/:$/, '')}" is not allowed (http and https only)`);
  }
  if (url.username || url.password) {
    throw new UrlRefusedError('scheme', 'URL refused: URLs with embedded credentials are not allowed');
  }
  if (!url.hostname) throw new UrlRefusedError('scheme', 'URL refused: no host');
  return url;
}

/** Strips IPv6 brackets; returns the IP literal or null for a name. */
function literalIp(url: URL): string | null {
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  return isIP(host) ? host : null;
}

function refusePrivate(category: string, reason: string): UrlRefusedError {
  // The reason names the kind of address (loopback, private…), never the address itself.
  return new UrlRefusedError('private_address', `URL refused: host is or resolves to a ${reason.replace(/ \(.*\)$/, '')} (${category})`);
}

/** Resolves and vets the host of one hop. Returns the addresses the connection may use. */
async function vetHost(url: URL, opts: SafeFetchOptions): Promise<string[] | 'via_proxy'> {
  const literal = literalIp(url);
  if (opts.allowHosts?.has(hostKey(url))) {
    if (literal) return [literal];
    if (opts.proxyUrl) return 'via_proxy';
    try {
      const addresses = await (opts.resolve ?? defaultResolve)(url.hostname.replace(/\.$/, ''));
      if (addresses.length > 0) return addresses;
    } catch {
      // reported below
    }
    throw new UrlRefusedError('dns', 'URL refused: the host name could not be resolved');
  }
  if (literal) {
    const verdict = classifyAddress(literal);
    if (!verdict.allowed) throw refusePrivate(verdict.category, verdict.reason);
    return [literal];
  }
  if (opts.proxyUrl) return 'via_proxy';
  const host = url.hostname.replace(/\.$/, '');
  if (host === 'localhost' || host.endsWith('.localhost')) throw refusePrivate('loopback', 'loopback address');
  let addresses: string[];
  try {
    addresses = await (opts.resolve ?? defaultResolve)(host);
  } catch {
    throw new UrlRefusedError('dns', 'URL refused: the host name could not be resolved');
  }
  if (addresses.length === 0) throw new UrlRefusedError('dns', 'URL refused: the host name could not be resolved');
  for (const address of addresses) {
    const verdict = classifyAddress(address);
    if (!verdict.allowed) throw refusePrivate(verdict.category, verdict.reason);
  }
  return addresses;
}

/** Drops a response body we will not read (destroying without a listener would raise an unhandled 'error'). */
function discard(body: Dispatcher.ResponseData['body']): void {
  body.on('error', () => undefined);
  body.destroy();
}

/** A socket lookup that ignores DNS and answers only with the vetted addresses. */
function pinnedLookup(vetted: string[], hooks?: SafeFetchTestHooks): LookupFunction {
  const dial = vetted.map((a) => {
    const address = hooks?.dialAddressOverride ? hooks.dialAddressOverride(a) : a;
    return { address, family: isIP(address) === 6 ? 6 : 4 };
  });
  return ((_hostname: string, options: { all?: boolean }, callback: (...args: unknown[]) => void) => {
    if (options?.all) callback(null, dial);
    else callback(null, dial[0].address, dial[0].family);
  }) as unknown as LookupFunction;
}

function dispatcherFor(vetted: string[] | 'via_proxy', opts: SafeFetchOptions, hooks?: SafeFetchTestHooks): Dispatcher {
  if (vetted === 'via_proxy' || opts.proxyUrl) return new ProxyAgent({ uri: opts.proxyUrl as string });
  // The URL keeps its host name, so the Host header and TLS SNI/certificate check stay those of the name;
  // only the socket's address lookup is replaced. (A literal-IP host is dialled as is: it was vetted.)
  return new Agent({ connect: { lookup: pinnedLookup(vetted, hooks) } });
}

/**
 * Fetches a user-supplied URL under the guard described above. Throws UrlRefusedError for every refusal;
 * other errors (connection refused, TLS failure) propagate as-is and should be reported as 400s by the caller.
 */
export async function safeFetch(rawUrl: string, opts: SafeFetchOptions, hooks?: SafeFetchTestHooks): Promise<SafeFetchResult> {
  let url = parseUrl(rawUrl);
  const maxRedirects = opts.maxRedirects ?? 5;
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, opts.timeoutMs);
  const timeoutError = () => new UrlRefusedError('timeout', `URL refused: fetching took longer than ${opts.timeoutMs} ms`);

  const aborted = new Promise<never>((_, reject) => {
    controller.signal.addEventListener('abort', () => reject(timeoutError()), { once: true });
  });
  aborted.catch(() => undefined);

  const dispatchers: Dispatcher[] = [];
  // Every await below is also raced against the time cap, so a stuck peer or proxy (e.g. a CONNECT that never
  // answers) cannot hold the caller past timeoutMs; the finally block then tears the connections down.
  const run = async (): Promise<SafeFetchResult> => {
    for (let hop = 0; ; hop++) {
      // Slow DNS is covered by the race on the time cap too.
      const vetted = await vetHost(url, opts);
      if (timedOut) throw timeoutError();
      const dispatcher = dispatcherFor(vetted, opts, hooks);
      dispatchers.push(dispatcher);

      let response: Dispatcher.ResponseData;
      try {
        response = await request(url, {
          method: 'GET',
          dispatcher,
          signal: controller.signal,
          headers: { accept: '*/*', 'user-agent': 'chatgate-fetch' },
        });
      } catch (err) {
        if (timedOut) throw timeoutError();
        throw err;
      }

      const { statusCode, headers, body } = response;
      if (REDIRECT_STATUSES.has(statusCode)) {
        discard(body);
        const location = headers.location;
        const target = Array.isArray(location) ? location[0] : location;
        if (!target) throw new UrlRefusedError('status', `URL refused: redirect (${statusCode}) without a Location`);
        if (hop >= maxRedirects) throw new UrlRefusedError('too_many_redirects', `URL refused: more than ${maxRedirects} redirects`);
        let next: string;
        try {
          next = new URL(target, url).toString();
        } catch {
          throw new UrlRefusedError('scheme', 'URL refused: redirect to an invalid URL');
        }
        url = parseUrl(next);
        continue;
      }
      if (statusCode < 200 || statusCode >= 300) {
        discard(body);
        throw new UrlRefusedError('status', `URL refused: the server answered ${statusCode}`);
      }

      const declared = Number(headers['content-length']);
      if (Number.isFinite(declared) && declared > opts.maxBytes) {
        discard(body);
        throw new UrlRefusedError('too_large', `URL refused: the content is larger than ${opts.maxBytes} bytes`);
      }
      const chunks: Buffer[] = [];
      let total = 0;
      try {
        for await (const chunk of body) {
          total += (chunk as Buffer).length;
          if (total > opts.maxBytes) {
            discard(body);
            throw new UrlRefusedError('too_large', `URL refused: the content is larger than ${opts.maxBytes} bytes`);
          }
          if (opts.reserve && !opts.reserve((chunk as Buffer).length)) {
            discard(body);
            throw new UrlRefusedError('budget', "URL refused: the request's images and files are too large together");
          }
          chunks.push(chunk as Buffer);
        }
      } catch (err) {
        if (err instanceof UrlRefusedError) throw err;
        if (timedOut) throw timeoutError();
        throw err;
      }
      if (timedOut) throw timeoutError();
      const type = headers['content-type'];
      return {
        bytes: Buffer.concat(chunks, total),
        contentType: (Array.isArray(type) ? type[0] : type) ?? null,
        finalUrl: url.toString(),
      };
    }
  };
  try {
    return await Promise.race([run(), aborted]);
  } finally {
    clearTimeout(timer);
    controller.abort();
    for (const d of dispatchers) void d.destroy().catch(() => undefined);
  }
}
