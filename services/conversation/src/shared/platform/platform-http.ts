import { Agent, request, type Dispatcher } from 'undici';
import type { AccountLease } from '@chatgate/contracts';
import { vetLiteralHost, vettingLookup, type HostVetting } from '@chatgate/service-kit';
import { platformRouteOf, type PlatformRequest } from './platform-request.js';

export interface PlatformResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: AsyncIterable<Uint8Array> & { destroy(err?: Error): void };
}

/** The URL of a path on a key's base: Azure style adds its `api-version`. */
export function platformUrl(platform: NonNullable<AccountLease['platform']>, path: PlatformRequest['path'], query = ''): string {
  const params = new URLSearchParams(query);
  if (platform.apiStyle === 'azure' && platform.apiVersion) params.set('api-version', platform.apiVersion);
  const search = params.toString();
  return `${platform.baseUrl}${path}${search ? `?${search}` : ''}`;
}

/** The key as the upstream wants it: `Authorization: Bearer` (OpenAI and compatibles) or `api-key` (Azure). */
export function platformHeaders(lease: AccountLease, hasBody: boolean): Record<string, string> {
  const platform = lease.platform!;
  const headers: Record<string, string> = { accept: 'application/json, text/event-stream, */*' };
  if (platform.apiStyle === 'azure') headers['api-key'] = lease.accessToken;
  else headers.authorization = `Bearer ${lease.accessToken}`;
  if (platform.organization) headers['openai-organization'] = platform.organization;
  if (hasBody) headers['content-type'] = 'application/json';
  return headers;
}

/**
 * Sends one request with one key: the transport half of the platform upstream, nothing more. A key's
 * base URL is a tenant admin's choice, so the address it reaches is vetted on every connection (the
 * uploads' address policy): a literal private or metadata address, or a name that resolves to one,
 * is refused (`AddressRefusedError`), and the socket dials exactly the addresses that were vetted.
 * The operator's `PLATFORM_ALLOW_HOSTS` (exact host:port) go through a plain agent.
 */
export class PlatformHttp {
  private readonly trusted: Dispatcher;
  private readonly vetted: Dispatcher;
  private readonly vetting: Pick<HostVetting, 'allowHosts'>;

  constructor(opts: { connectTimeoutMs: number; idleTimeoutMs: number; allowHosts?: ReadonlySet<string>; resolve?: HostVetting['resolve']; dispatcher?: Dispatcher }) {
    this.vetting = { allowHosts: opts.allowHosts ?? new Set() };
    const agent = (lookup?: ReturnType<typeof vettingLookup>) =>
      new Agent({ keepAliveTimeout: 30_000, connections: 256, connect: { timeout: opts.connectTimeoutMs, ...(lookup ? { lookup } : {}) }, headersTimeout: opts.idleTimeoutMs, bodyTimeout: opts.idleTimeoutMs });
    this.trusted = opts.dispatcher ?? agent();
    this.vetted = opts.dispatcher ?? agent(vettingLookup(opts.resolve));
  }

  async send(lease: AccountLease, target: Pick<PlatformRequest, 'path' | 'method' | 'query'>, json: string | undefined, signal?: AbortSignal): Promise<PlatformResponse> {
    const url = platformUrl(lease.platform!, target.path, target.query);
    // Literal addresses never reach a lookup: judged here. Names are judged as each connection resolves them.
    const dispatcher = vetLiteralHost(new URL(url), this.vetting) === 'allowed' ? this.trusted : this.vetted;
    const res = await request(url, {
      method: platformRouteOf(target).method,
      headers: platformHeaders(lease, json !== undefined),
      body: json,
      signal,
      dispatcher,
    });
    return { status: res.statusCode, headers: res.headers, body: res.body };
  }

  async close(): Promise<void> {
    await Promise.all([this.trusted.close(), this.vetted === this.trusted ? undefined : this.vetted.close()]);
  }
}
