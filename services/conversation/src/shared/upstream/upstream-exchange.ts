import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { Agent, request, type Dispatcher } from 'undici';
import { proxyUnreachable, type BusError } from '@chatgate/contracts';
import { neverReachedUpstream, type BaseUrlRotation, type Logger } from '@chatgate/service-kit';
import { CONVERSATION_CONFIG, CONVERSATION_LOGGER, type ConversationConfig } from '../../conversation.config.js';
import { accountKeyOf, type AccountKeySource } from './account-key.js';
import { isProxyFailure, ProxyUnreachableError } from './proxy-dispatcher.js';
import { ProxyPool, proxyUrlsFrom } from './proxy-pool.js';

export type ExchangeMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export type ExchangeResult = { ok: true; res: Dispatcher.ResponseData } | { ok: false; failure: BusError };

/**
 * The one way out to an upstream for every client of this worker (the ChatGPT web backend, the Codex
 * backend): one keep-alive pool for direct requests, or the account's outbound proxy when proxies are
 * set (`PROXY_URL_POOL`; each account keeps its proxy by a key that survives refreshes), and the
 * caller's interchangeable base URLs taken in turn. One instance per worker, so an account has the same
 * proxy, and a failing proxy is cooled off, whichever upstream of the account is called.
 */
@Injectable()
export class UpstreamExchange implements OnApplicationShutdown {
  private readonly agent: Agent;
  private readonly proxies: ProxyPool;

  constructor(
    @Inject(CONVERSATION_CONFIG) private readonly config: ConversationConfig,
    @Inject(CONVERSATION_LOGGER) private readonly logger: Logger,
  ) {
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
   * One request as the account, through its proxy and the first reachable base. No usable proxy is a
   * mapped failure (`proxy_unreachable`); any other transport error is thrown for the caller to map.
   */
  async exchange(
    account: AccountKeySource,
    bases: BaseUrlRotation,
    method: ExchangeMethod,
    target: string,
    headers: Record<string, string>,
    body: string | Buffer | undefined,
    signal: AbortSignal,
  ): Promise<ExchangeResult> {
    try {
      const res = await this.sendAs(account, bases, (base, dispatcher) => request(`${base}${target}`, { method, headers, body, dispatcher, signal }));
      return { ok: true, res };
    } catch (err) {
      if (err instanceof ProxyUnreachableError) return { ok: false, failure: proxyUnreachable(this.proxies.size, this.config.PROXY_COOLOFF_MS) };
      throw err;
    }
  }

  /**
   * GETs an absolute URL the upstream handed out (a generated file's signed download link: no
   * credential goes with it) through the account's proxy, like every other call of that account.
   * The caller reads the body (and caps it).
   */
  async fetchUrl(account: AccountKeySource, url: string, signal: AbortSignal): Promise<ExchangeResult> {
    try {
      const res = await this.throughProxyOf(account, (dispatcher) => request(url, { method: 'GET', headers: { accept: '*/*' }, dispatcher, signal }));
      return { ok: true, res };
    } catch (err) {
      if (err instanceof ProxyUnreachableError) return { ok: false, failure: proxyUnreachable(this.proxies.size, this.config.PROXY_COOLOFF_MS) };
      throw err;
    }
  }

  private sendAs<T>(account: AccountKeySource, bases: BaseUrlRotation, send: (base: string, dispatcher: Dispatcher) => Promise<T>): Promise<T> {
    return this.throughProxyOf(account, (dispatcher) => sendToFirstReachable(bases, (base) => send(base, dispatcher)));
  }

  /**
   * Sends through the account's proxy when proxies are configured. A proxy that cannot be used is skipped
   * (and cooled off) and the account moves to its next healthy one. When none can be used the request
   * fails with ProxyUnreachableError: it never goes direct, since an operator sets proxies for a reason
   * (the address the upstream sees, the only way out of the network).
   */
  private async throughProxyOf<T>(account: AccountKeySource, send: (dispatcher: Dispatcher) => Promise<T>): Promise<T> {
    if (!this.proxies.size) return send(this.agent);
    let last: ProxyUnreachableError | null = null;
    for (const proxy of this.proxies.order(accountKeyOf(account))) {
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
}

/** Tries the bases in rotation order; moves on only when a base could not be reached at all. */
async function sendToFirstReachable<T>(bases: BaseUrlRotation, send: (base: string) => Promise<T>): Promise<T> {
  let lastError: unknown;
  for (const base of bases.order()) {
    try {
      const res = await send(base);
      bases.reachable(base);
      return res;
    } catch (err) {
      if (!neverReachedUpstream(err)) throw err;
      bases.unreachable(base);
      lastError = err;
    }
  }
  throw lastError;
}

/** A comma-separated list of base URLs (`CHATGPT_BASE_URL`, `CODEX_BASE_URL`) without trailing slashes. */
export function baseUrlsOf(list: string): string[] {
  return list
    .split(',')
    .map((b) => b.trim().replace(/\/+$/, ''))
    .filter(Boolean);
}
