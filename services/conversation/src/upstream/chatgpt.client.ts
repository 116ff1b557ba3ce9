import { createHash } from 'node:crypto';
import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { Agent, request, type Dispatcher } from 'undici';
import type { BusError } from '@chatgate/contracts';
import type { Logger } from '@chatgate/service-kit';
import { CONVERSATION_CONFIG, CONVERSATION_LOGGER, type ConversationConfig } from '../conversation.config.js';
import { accountKeyOf } from './account-key.js';
import { BaseUrlRotation, neverReachedUpstream } from './base-url-rotation.js';
import { isProxyFailure, ProxyUnreachableError } from './proxy-dispatcher.js';
import { ProxyPool, proxyUrlsFrom } from './proxy-pool.js';
import { mapUpstreamFailure, proxyUnreachable } from './upstream-errors.js';

export type ConversationResponse =
  | { ok: true; body: AsyncIterable<Uint8Array> & { destroy(err?: Error): void } }
  | { ok: false; failure: BusError };

/** Error bodies are read only this far: enough for a JSON detail or to spot a challenge page. */
const ERROR_BODY_LIMIT = 64 * 1024;
/** Account information answers (the models listing) are read this far. */
const JSON_BODY_LIMIT = 4 * 1024 * 1024;

async function readCapped(body: AsyncIterable<Uint8Array> & { destroy(): void }, limit = ERROR_BODY_LIMIT): Promise<string> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of body) {
    chunks.push(chunk);
    size += chunk.length;
    if (size >= limit) {
      body.destroy();
      break;
    }
  }
  return Buffer.concat(chunks).toString('utf8').slice(0, limit);
}

/** Who the upstream request is made as: one attempt's access token and workspace. */
export interface UpstreamIdentity {
  accessToken: string;
  chatgptAccountId: string | null;
  /** Pool accounts keep theirs in the database; for a caller's own token it is derived. */
  deviceId: string | null;
}

/** A stable device id per token or workspace, as the web client keeps one per browser (reference §2). */
function derivedDeviceId(identity: UpstreamIdentity): string {
  const h = createHash('sha256').update(identity.chatgptAccountId ?? identity.accessToken).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/**
 * The HTTP side of the ChatGPT upstream: one keep-alive connection pool for all requests (or one per
 * outbound proxy, each account keeping its proxy), several interchangeable base URLs taken in turn.
 */
@Injectable()
export class ChatGptClient implements OnApplicationShutdown {
  private readonly agent: Agent;
  private readonly bases: BaseUrlRotation;
  private readonly proxies: ProxyPool;

  constructor(
    @Inject(CONVERSATION_CONFIG) private readonly config: ConversationConfig,
    @Inject(CONVERSATION_LOGGER) private readonly logger: Logger,
  ) {
    this.bases = new BaseUrlRotation(config.CHATGPT_BASE_URL.split(',').map((b) => b.trim().replace(/\/+$/, '')).filter(Boolean));
    this.proxies = new ProxyPool(proxyUrlsFrom(config.PROXY_URL_POOL, config.PROXY_URL), {
      connectTimeoutMs: config.UPSTREAM_CONNECT_TIMEOUT_MS,
      idleTimeoutMs: config.UPSTREAM_IDLE_TIMEOUT_MS,
      coolOffMs: config.PROXY_COOLOFF_MS,
    });
    this.agent = new Agent({
      keepAliveTimeout: 30_000,
      connections: 512,
      pipelining: 1,
      connect: { timeout: config.UPSTREAM_CONNECT_TIMEOUT_MS },
      headersTimeout: config.UPSTREAM_IDLE_TIMEOUT_MS,
      bodyTimeout: config.UPSTREAM_IDLE_TIMEOUT_MS,
    });
  }

  async onApplicationShutdown() {
    await Promise.all([this.agent.close().catch(() => undefined), this.proxies.close()]);
  }

  /**
   * Sends through the account's proxy when proxies are configured. A proxy that cannot be used is skipped
   * (and cooled off) and the account moves to its next healthy one. When none can be used the request
   * fails with ProxyUnreachableError: it never goes direct, since an operator sets proxies for a reason
   * (the address the upstream sees, the only way out of the network).
   */
  private async sendAs<T>(identity: UpstreamIdentity, send: (base: string, dispatcher: Dispatcher) => Promise<T>): Promise<T> {
    if (!this.proxies.size) return this.sendToFirstReachable((base) => send(base, this.agent));
    let last: ProxyUnreachableError | null = null;
    for (const proxy of this.proxies.order(accountKeyOf(identity))) {
      try {
        const res = await this.sendToFirstReachable((base) => send(base, proxy.dispatcher));
        this.proxies.succeeded(proxy);
        return res;
      } catch (err) {
        if (!isProxyFailure(err)) throw err;
        const coolOffMs = this.proxies.failed(proxy);
        const reason = err instanceof ProxyUnreachableError ? err.reason : ((err as { code?: string }).code ?? (err as Error).message);
        this.logger.warn({ proxy: proxy.label, reason, coolOffMs }, 'outbound proxy unusable; its accounts move to the next one');
        last = new ProxyUnreachableError(proxy.label, reason);
      }
    }
    throw last ?? new ProxyUnreachableError('(none)', 'no proxy');
  }

  /** Tries the bases in rotation order; moves on only when a base could not be reached at all. */
  private async sendToFirstReachable<T>(send: (base: string) => Promise<T>): Promise<T> {
    let lastError: unknown;
    for (const base of this.bases.order()) {
      try {
        const res = await send(base);
        this.bases.reachable(base);
        return res;
      } catch (err) {
        if (!neverReachedUpstream(err)) throw err;
        this.bases.unreachable(base);
        lastError = err;
      }
    }
    throw lastError;
  }

  private headersFor(identity: UpstreamIdentity, accept: string): Record<string, string> {
    const headers: Record<string, string> = {
      authorization: `Bearer ${identity.accessToken}`,
      'content-type': 'application/json',
      accept,
      'oai-device-id': identity.deviceId ?? derivedDeviceId(identity),
      'oai-language': 'en-US',
    };
    if (identity.chatgptAccountId) headers['chatgpt-account-id'] = identity.chatgptAccountId;
    // Private upstream gateways (AUTH_KEY) want their key on every request.
    if (this.config.AUTH_KEY) headers.authkey = this.config.AUTH_KEY;
    return headers;
  }

  /**
   * A small JSON call to the upstream's backend API (the file endpoints): a 2xx answers its parsed
   * body, anything else the mapped failure (§7), so a 401 or 429 rotates accounts like a conversation.
   */
  async callJson(identity: UpstreamIdentity, method: 'GET' | 'POST', path: string, body: unknown, signal: AbortSignal): Promise<{ ok: true; json: Record<string, unknown> } | { ok: false; failure: BusError }> {
    const headers = this.headersFor(identity, 'application/json');
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const res = await this.sendToFirstReachable((base) => request(`${base}${path}`, { method, headers, body: payload, dispatcher: this.agent, signal }));
    const text = await readCapped(res.body);
    if (res.statusCode >= 200 && res.statusCode < 300) {
      try {
        const json = JSON.parse(text) as unknown;
        if (json && typeof json === 'object' && !Array.isArray(json)) return { ok: true, json: json as Record<string, unknown> };
      } catch {
        // a 2xx that is not JSON: a challenge or error page in disguise
      }
      return { ok: false, failure: mapUpstreamFailure(502, text) };
    }
    const retryAfter = res.headers['retry-after'];
    return { ok: false, failure: mapUpstreamFailure(res.statusCode, text, Array.isArray(retryAfter) ? retryAfter[0] : retryAfter) };
  }

  async openConversation(identity: UpstreamIdentity, body: unknown, signal: AbortSignal): Promise<ConversationResponse> {
    const headers = this.headersFor(identity, 'text/event-stream');
    const payload = JSON.stringify(body);
    let res: Dispatcher.ResponseData;
    try {
      res = await this.sendAs(identity, (base, dispatcher) =>
        request(`${base}${this.config.CHATGPT_CONVERSATION_PATH}`, { method: 'POST', headers, body: payload, dispatcher, signal }),
      );
    } catch (err) {
      if (err instanceof ProxyUnreachableError) return { ok: false, failure: proxyUnreachable(this.proxies.size, this.config.PROXY_COOLOFF_MS) };
      throw err;
    }
    const contentType = String(res.headers['content-type'] ?? '');
    if (res.statusCode >= 200 && res.statusCode < 300 && contentType.includes('text/event-stream')) {
      return { ok: true, body: res.body };
    }
    const text = await readCapped(res.body);
    const retryAfter = res.headers['retry-after'];
    // A 200 that is not a stream is a challenge or an error page in disguise.
    const status = res.statusCode >= 200 && res.statusCode < 300 ? 502 : res.statusCode;
    return { ok: false, failure: mapUpstreamFailure(status, text, Array.isArray(retryAfter) ? retryAfter[0] : retryAfter) };
  }

  /**
   * A JSON GET on the upstream as this identity (account information such as /backend-api/models), through
   * the account's proxy like its conversations. Failures come back mapped as for a conversation.
   */
  async getJson(identity: UpstreamIdentity, path: string, signal: AbortSignal): Promise<{ ok: true; body: unknown } | { ok: false; failure: BusError }> {
    const headers: Record<string, string> = {
      authorization: `Bearer ${identity.accessToken}`,
      accept: 'application/json',
      'oai-device-id': identity.deviceId ?? derivedDeviceId(identity),
      'oai-language': 'en-US',
    };
    if (identity.chatgptAccountId) headers['chatgpt-account-id'] = identity.chatgptAccountId;
    if (this.config.AUTH_KEY) headers.authkey = this.config.AUTH_KEY;
    let res: Dispatcher.ResponseData;
    try {
      res = await this.sendAs(identity, (base, dispatcher) => request(`${base}${path}`, { method: 'GET', headers, dispatcher, signal }));
    } catch (err) {
      if (err instanceof ProxyUnreachableError) return { ok: false, failure: proxyUnreachable(this.proxies.size, this.config.PROXY_COOLOFF_MS) };
      throw err;
    }
    const text = await readCapped(res.body, JSON_BODY_LIMIT);
    if (res.statusCode < 200 || res.statusCode >= 300) return { ok: false, failure: mapUpstreamFailure(res.statusCode, text) };
    try {
      return { ok: true, body: JSON.parse(text) };
    } catch {
      return { ok: false, failure: mapUpstreamFailure(502, text) };
    }
  }
}
