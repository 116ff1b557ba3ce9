export interface UnknownBearerPolicy {
  /** Distinct refused Bearers one client may present per window before it must wait. */
  perWindow: number;
  windowMs: number;
  /** Clients remembered at most; the stalest go first. */
  maxTracked: number;
}

/** 30 unknown Bearers a minute per client (an IPv4 address, an IPv6 /64). */
export const UNKNOWN_BEARER_POLICY: UnknownBearerPolicy = { perWindow: 30, windowMs: 60_000, maxTracked: 50_000 };

/**
 * Counts, per client, the Bearers auth refused for what they are (guessing keys, or spraying strings
 * that look like ChatGPT tokens to make chatgate call the upstream's token endpoint). Past the
 * allowance, until the window ends, the client's Bearers go to auth marked as throttled: credentials
 * chatgate issued and pool codes still resolve (a user behind the same address keeps working), but no
 * token exchange is made for it (429 `too_many_invalid_keys`). In memory per gateway replica: a fixed
 * window per client, cheap on the hot path and with no dependency that could stop the client API;
 * auth's own refusal cache (Redis) keeps the upstream's load at one exchange per Bearer across replicas.
 */
export class UnknownBearerLimiter {
  // Map order is the order of first refusal in the window, so the first entries are the stalest.
  private readonly byClient = new Map<string, { count: number; windowStart: number }>();

  constructor(private readonly policy: UnknownBearerPolicy = UNKNOWN_BEARER_POLICY) {}

  /** Milliseconds the client must wait before presenting an unknown Bearer again; 0 when it may. */
  waitMs(client: string, now = Date.now()): number {
    const entry = this.byClient.get(client);
    if (!entry || now - entry.windowStart >= this.policy.windowMs) return 0;
    return entry.count >= this.policy.perWindow ? entry.windowStart + this.policy.windowMs - now : 0;
  }

  /** Counts one refused Bearer of the client. */
  refused(client: string, now = Date.now()): void {
    const entry = this.byClient.get(client);
    if (entry && now - entry.windowStart < this.policy.windowMs) {
      entry.count += 1;
      return;
    }
    this.byClient.delete(client);
    if (this.byClient.size >= this.policy.maxTracked) {
      const stalest = this.byClient.keys().next().value;
      if (stalest !== undefined) this.byClient.delete(stalest);
    }
    this.byClient.set(client, { count: 1, windowStart: now });
  }

  get size(): number {
    return this.byClient.size;
  }
}
