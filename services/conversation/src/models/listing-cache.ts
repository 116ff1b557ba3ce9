/** Entries kept at most (one per plan of pooled accounts, one per caller's own account); the oldest goes first. */
const MAX_CACHED = 5000;

/**
 * What an upstream's models endpoint answered, per key (a plan, an account), kept `ttlMs`. Concurrent
 * askers share one upstream call; a call that fails is forgotten at once, so the next asker tries again.
 */
export class ListingCache<T> {
  private readonly entries = new Map<string, { at: number; value: Promise<T> }>();

  constructor(private readonly ttlMs: number) {}

  get(key: string, fetch: () => Promise<T>, now = Date.now()): Promise<T> {
    const cached = this.entries.get(key);
    if (cached && now - cached.at < this.ttlMs) return cached.value;
    const value = fetch();
    this.entries.delete(key);
    this.entries.set(key, { at: now, value });
    value.catch(() => this.entries.get(key)?.value === value && this.entries.delete(key));
    if (this.entries.size > MAX_CACHED) this.entries.delete(this.entries.keys().next().value!);
    return value;
  }
}
