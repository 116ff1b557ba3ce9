import type { Principal } from '@chatgate/contracts';

interface Entry {
  principal: Principal;
  expiresAt: number;
}

/**
 * Resolved credentials, keyed by a hash of the Bearer (the cache never holds a credential as a key).
 * Bounded: the oldest entry goes first when it is full (Map keeps insertion order).
 */
export class CredentialCache {
  private readonly byKey = new Map<string, Entry>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries = 50_000,
  ) {}

  get(key: string, now = Date.now()): Principal | undefined {
    const entry = this.byKey.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= now) {
      this.byKey.delete(key);
      return undefined;
    }
    return entry.principal;
  }

  set(key: string, principal: Principal, now = Date.now()): void {
    if (this.byKey.size >= this.maxEntries) {
      const oldest = this.byKey.keys().next().value;
      if (oldest !== undefined) this.byKey.delete(oldest);
    }
    this.byKey.set(key, { principal, expiresAt: Math.min(principal.expiresAt, now + this.ttlMs) });
  }

  /** Drops every entry of a credential (a revoked key, a logged-out user): the event path, not the TTL. */
  evictCredential(credentialId: string): number {
    let evicted = 0;
    for (const [key, entry] of this.byKey) {
      if (entry.principal.credentialId === credentialId) {
        this.byKey.delete(key);
        evicted++;
      }
    }
    return evicted;
  }

  /** Drops every principal of a tenant (its routing table changed). */
  evictTenant(tenantId: string): number {
    let evicted = 0;
    for (const [key, entry] of this.byKey) {
      if (entry.principal.tenantId === tenantId) {
        this.byKey.delete(key);
        evicted++;
      }
    }
    return evicted;
  }

  get size(): number {
    return this.byKey.size;
  }
}
