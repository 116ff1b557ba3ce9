import { createHash } from 'node:crypto';
import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { Agent, request, type Dispatcher } from 'undici';
import { proxyUnreachable, type BusError } from '@chatgate/contracts';
import { chatgptHttpFailure, type Logger, type UpstreamIdentity } from '@chatgate/service-kit';
import { CONVERSATION_CONFIG, CONVERSATION_LOGGER, type ConversationConfig } from '../../conversation.config.js';
import { accountKeyOf } from './account-key.js';
import { BaseUrlRotation, neverReachedUpstream } from '@chatgate/service-kit';
import { isProxyFailure, ProxyUnreachableError } from './proxy-dispatcher.js';
import { ProxyPool, proxyUrlsFrom } from './proxy-pool.js';

export type ConversationResponse =
  | { ok: true; body: AsyncIterable<Uint8Array> & { destroy(err?: Error): void } }
  | { ok: false; failure: BusError };

export interface UpstreamRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  query: string;
  headers: Record<string, string>;
  body?: Buffer;
  /** The content type a success must have (`text/event-stream`, `application/json`); also the `accept` sent. */
  expectType: string;
}

export type UpstreamResponse =
  | { ok: true; status: number; headers: Record<string, string | string[] | undefined>; body: AsyncIterable<Uint8Array> & { destroy(err?: Error): void } }
  | { ok: false; failure: BusError };

/** A JSON call's answer: the parsed object, or the failure with the upstream's status (0: no answer) and body. */
export type JsonAnswer = { ok: true; status: number; json: Record<string, unknown> } | { ok: false; status: number; text: string; failure: BusError };

/** Error bodies are read only this far: enough for a JSON detail or to spot a challenge page. */
const ERROR_BODY_LIMIT = 64 * 1024;
/** JSON answers (the models listing, a conversation's mapping) are read this far. */
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

/** A failure answer in the client's terms, per reference §7; a 2xx of the wrong kind is a challenge or error page in disguise. */
function failureFrom(statusCode: number, headers: Record<string, string | string[] | undefined>, text: string): BusError {
  const retryAfter = headers['retry-after'];
  const status = statusCode >= 200 && statusCode < 300 ? 502 : statusCode;
  return chatgptHttpFailure(status, text, Array.isArray(retryAfter) ? retryAfter[0] : retryAfter);
}

/** A failure answer, read capped, in the client's terms. */
async function failureOf(res: { statusCode: number; headers: Record<string, string | string[] | undefined>; body: AsyncIterable<Uint8Array> & { destroy(): void } }): Promise<BusError> {
  return failureFrom(res.statusCode, res.headers, await readCapped(res.body));
}

/** Who the upstream request is made as (service-kit's, shared with voice). */
export type { UpstreamIdentity };

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
    return this.throughProxyOf(identity, (dispatcher) => this.sendToFirstReachable((base) => send(base, dispatcher)));
  }

  /** Runs `send` with the account's proxy (in its order, skipping unusable ones), or direct when none is configured. */
  private async throughProxyOf<T>(identity: UpstreamIdentity, send: (dispatcher: Dispatcher) => Promise<T>): Promise<T> {
    if (!this.proxies.size) return send(this.agent);
    let last: ProxyUnreachableError | null = null;
    for (const proxy of this.proxies.order(accountKeyOf(identity))) {
      try {
        const res = await send(proxy.dispatcher);
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
   * One request as the identity, through its proxy and the first reachable base. Every upstream call
   * goes through here, so none of them can bypass the proxies; no usable proxy is a mapped failure.
   */
  private async exchange(
    identity: UpstreamIdentity,
    method: UpstreamRequest['method'],
    target: string,
    headers: Record<string, string>,
    body: string | Buffer | undefined,
    signal: AbortSignal,
  ): Promise<{ ok: true; res: Dispatcher.ResponseData } | { ok: false; failure: BusError }> {
    try {
      const res = await this.sendAs(identity, (base, dispatcher) => request(`${base}${target}`, { method, headers, body, dispatcher, signal }));
      return { ok: true, res };
    } catch (err) {
      if (err instanceof ProxyUnreachableError) return { ok: false, failure: proxyUnreachable(this.proxies.size, this.config.PROXY_COOLOFF_MS) };
      throw err;
    }
  }

  /**
   * A JSON call to the upstream's backend API (the file endpoints, account information such as
   * /backend-api/models, conversation management): a 2xx answers its parsed object, anything else
   * the mapped failure (§7), so a 401 or 429 rotates accounts like a conversation. A failure also
   * carries the upstream's status (0: no answer) and its body, read capped, for callers that say it
   * in their own words (conversation management).
   */
  async callJson(identity: UpstreamIdentity, method: 'GET' | 'POST' | 'PATCH', path: string, body: unknown, signal: AbortSignal): Promise<JsonAnswer> {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const sent = await this.exchange(identity, method, path, this.headersFor(identity, 'application/json'), payload, signal);
    if (!sent.ok) return { ...sent, status: 0, text: '' };
    const { res } = sent;
    if (res.statusCode < 200 || res.statusCode >= 300) {
      const text = await readCapped(res.body);
      return { ok: false, status: res.statusCode, text, failure: failureFrom(res.statusCode, res.headers, text) };
    }
    // Read far (a long conversation's mapping is the largest answer), never without bound.
    const text = await readCapped(res.body, JSON_BODY_LIMIT);
    try {
      const json: unknown = JSON.parse(text);
      if (json && typeof json === 'object' && !Array.isArray(json)) return { ok: true, status: res.statusCode, json: json as Record<string, unknown> };
    } catch {
      // a 2xx that is not JSON: a challenge or error page in disguise
    }
    return { ok: false, status: 502, text: text.slice(0, ERROR_BODY_LIMIT), failure: chatgptHttpFailure(502, text) };
  }

  /** A JSON GET on the upstream as this identity; failures come back mapped as for a conversation. */
  async getJson(identity: UpstreamIdentity, path: string, signal: AbortSignal): Promise<{ ok: true; body: unknown } | { ok: false; failure: BusError }> {
    const answer = await this.callJson(identity, 'GET', path, undefined, signal);
    return answer.ok ? { ok: true, body: answer.json } : { ok: false, failure: answer.failure };
  }

  /**
   * A GET whose status the caller judges itself (a file's download URL: a 404 there means the file is
   * gone, not that the account failed), with the answer's text read up to the JSON limit. Only a
   * proxy that cannot carry it comes back as a failure; a network error is thrown as for any call.
   */
  async getText(identity: UpstreamIdentity, path: string, signal: AbortSignal): Promise<{ ok: true; status: number; text: string } | { ok: false; failure: BusError }> {
    const sent = await this.exchange(identity, 'GET', path, this.headersFor(identity, 'application/json'), undefined, signal);
    if (!sent.ok) return sent;
    return { ok: true, status: sent.res.statusCode, text: await readCapped(sent.res.body, JSON_BODY_LIMIT) };
  }

  /**
   * GETs a generated file from the short-lived download URL the upstream handed out (its file store,
   * signed, no credential): through the account's proxy like every other call of that account, never
   * with the account's token. The caller reads the body (and caps it).
   */
  async fetchFile(identity: UpstreamIdentity, downloadUrl: string, signal: AbortSignal): Promise<{ ok: true; res: Dispatcher.ResponseData } | { ok: false; failure: BusError }> {
    try {
      const res = await this.throughProxyOf(identity, (dispatcher) => request(downloadUrl, { method: 'GET', headers: { accept: '*/*' }, dispatcher, signal }));
      return { ok: true, res };
    } catch (err) {
      if (err instanceof ProxyUnreachableError) return { ok: false, failure: proxyUnreachable(this.proxies.size, this.config.PROXY_COOLOFF_MS) };
      throw err;
    }
  }

  async openConversation(identity: UpstreamIdentity, body: unknown, signal: AbortSignal): Promise<ConversationResponse> {
    const answer = await this.send(identity, { method: 'POST', path: this.config.CHATGPT_CONVERSATION_PATH, query: '', headers: {}, body: Buffer.from(JSON.stringify(body)), expectType: 'text/event-stream' }, signal);
    return answer.ok ? { ok: true, body: answer.body } : answer;
  }

  /**
   * Any request on the upstream as the identity (the HTTP relay): the caller's method, path, query,
   * body and few headers, with the identity's token, workspace and device id in place of the
   * caller's. A 2xx whose content type is not `expectType` counts as a failure, like any non-2xx.
   */
  async send(identity: UpstreamIdentity, req: UpstreamRequest, signal: AbortSignal): Promise<UpstreamResponse> {
    const headers = { ...req.headers, ...this.headersFor(identity, req.expectType) };
    const target = `${req.path}${req.query ? `?${req.query}` : ''}`;
    const sent = await this.exchange(identity, req.method, target, headers, req.body, signal);
    if (!sent.ok) return sent;
    const { res } = sent;
    const contentType = String(res.headers['content-type'] ?? '');
    if (res.statusCode >= 200 && res.statusCode < 300 && contentType.includes(req.expectType)) {
      return { ok: true, status: res.statusCode, headers: res.headers, body: res.body };
    }
    return { ok: false, failure: await failureOf(res) };
  }
}
