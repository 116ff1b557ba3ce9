import { Agent, request, type Dispatcher } from 'undici';
import type { AccountLease } from '@chatgate/contracts';
import { PLATFORM_PATHS, type PlatformPath } from './platform-request.js';

export interface PlatformResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: AsyncIterable<Uint8Array> & { destroy(err?: Error): void };
}

/** The URL of a path on a key's base: Azure style adds its `api-version`. */
export function platformUrl(platform: NonNullable<AccountLease['platform']>, path: PlatformPath): string {
  const url = `${platform.baseUrl}${path}`;
  return platform.apiStyle === 'azure' && platform.apiVersion ? `${url}?api-version=${encodeURIComponent(platform.apiVersion)}` : url;
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

/** Sends one request with one key: the transport half of the platform upstream, nothing more. */
export class PlatformHttp {
  private readonly agent: Dispatcher;

  constructor(opts: { connectTimeoutMs: number; idleTimeoutMs: number; dispatcher?: Dispatcher }) {
    this.agent =
      opts.dispatcher ??
      new Agent({ keepAliveTimeout: 30_000, connections: 256, connect: { timeout: opts.connectTimeoutMs }, headersTimeout: opts.idleTimeoutMs, bodyTimeout: opts.idleTimeoutMs });
  }

  async send(lease: AccountLease, path: PlatformPath, json: string | undefined, signal?: AbortSignal): Promise<PlatformResponse> {
    const res = await request(platformUrl(lease.platform!, path), {
      method: PLATFORM_PATHS[path].method,
      headers: platformHeaders(lease, json !== undefined),
      body: json,
      signal,
      dispatcher: this.agent,
    });
    return { status: res.statusCode, headers: res.headers, body: res.body };
  }

  async close(): Promise<void> {
    await this.agent.close();
  }
}
