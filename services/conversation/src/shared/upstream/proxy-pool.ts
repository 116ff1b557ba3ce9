import { createHash } from 'node:crypto';
import type { Dispatcher } from 'undici';
import { proxyDispatcher, proxyLabel, type ProxyDispatcherOptions } from './proxy-dispatcher.js';

/** One outbound proxy: its dispatcher and a label that never holds credentials. */
export interface OutboundProxy {
  readonly label: string;
  readonly dispatcher: Dispatcher;
}

export interface ProxyPoolOptions extends ProxyDispatcherOptions {
  /** How long a proxy that failed is passed over. */
  coolOffMs: number;
  /** Builds the dispatcher for one proxy URL (tests swap it). */
  dispatcherFor?: (url: URL, opts: ProxyDispatcherOptions) => Dispatcher;
}

/** PROXY_URL_POOL and PROXY_URL, comma-separated, as one list without repeats (already validated by the config schema). */
export function proxyUrlsFrom(...lists: Array<string | undefined>): URL[] {
  const seen = new Set<string>();
  const urls: URL[] = [];
  for (const raw of lists.flatMap((list) => (list ?? '').split(','))) {
    const entry = raw.trim();
    if (!entry) continue;
    const url = new URL(entry);
    if (seen.has(url.href)) continue;
    seen.add(url.href);
    urls.push(url);
  }
  return urls;
}

/** A proxy's weight for one key (rendezvous hashing): the proxy with the highest weight is the key's own. */
function weight(key: string, label: string): bigint {
  return createHash('sha256').update(key).update('\0').update(label).digest().readBigUInt64BE(0);
}

/**
 * The outbound proxies, each account keeping one. The proxy of an account is chosen by rendezvous hashing
 * of a stable account key over the proxies' labels: the same on every replica and after every restart,
 * without any shared state, and spread evenly. A proxy that fails is passed over for `coolOffMs`; its
 * accounts move to their next-ranked healthy proxy (each account sticky to that one meanwhile), and come
 * back once it is tried again and works. Adding or removing a proxy moves only the accounts it gains or loses.
 */
export class ProxyPool {
  private readonly proxies: OutboundProxy[];
  private readonly coolingUntil = new Map<OutboundProxy, number>();

  constructor(
    urls: readonly URL[],
    private readonly opts: ProxyPoolOptions,
  ) {
    const build = opts.dispatcherFor ?? proxyDispatcher;
    this.proxies = urls.map((url) => ({ label: proxyLabel(url), dispatcher: build(url, opts) }));
  }

  get size(): number {
    return this.proxies.length;
  }

  /**
   * The proxies to try for one account, best first: its healthy proxies in rendezvous order. When all are
   * cooling off, only the one that frees up first (so a recovered proxy is found without waiting out the
   * cool-off, while a dead pool costs one connection attempt per request, not one per proxy).
   */
  order(key: string, now = Date.now()): OutboundProxy[] {
    const ranked = this.proxies
      .map((proxy) => ({ proxy, w: weight(key, proxy.label) }))
      .sort((a, b) => (a.w === b.w ? 0 : a.w > b.w ? -1 : 1))
      .map((r) => r.proxy);
    const healthy = ranked.filter((p) => (this.coolingUntil.get(p) ?? 0) <= now);
    if (healthy.length || !ranked.length) return healthy;
    return [ranked.reduce((soonest, p) => (this.coolingUntil.get(p)! < this.coolingUntil.get(soonest)! ? p : soonest))];
  }

  /** The proxy failed: skip it for the cool-off. Returns how long, for the log line. */
  failed(proxy: OutboundProxy, now = Date.now()): number {
    this.coolingUntil.set(proxy, now + this.opts.coolOffMs);
    return this.opts.coolOffMs;
  }

  succeeded(proxy: OutboundProxy): void {
    this.coolingUntil.delete(proxy);
  }

  async close(): Promise<void> {
    await Promise.all(this.proxies.map((p) => p.dispatcher.close().catch(() => undefined)));
  }
}
