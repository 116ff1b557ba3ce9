import type { BusError } from '@chatgate/contracts';

/** The longest a refusal is answered from memory, whatever auth allows. */
const MAX_REFUSAL_MS = 60_000;

/**
 * Refusals auth marked as lasting (`refusedForMs`: the Bearer is no chatgate credential), keyed like
 * the principal cache by a hash of the Bearer, so a client repeating a bad key costs no bus hop.
 * Bounded: the oldest entry goes first when full.
 */
export class RefusalCache {
  private readonly byKey = new Map<string, { failure: BusError; until: number }>();

  constructor(private readonly maxEntries = 50_000) {}

  get(key: string, now = Date.now()): BusError | undefined {
    const entry = this.byKey.get(key);
    if (!entry) return undefined;
    if (entry.until <= now) {
      this.byKey.delete(key);
      return undefined;
    }
    return entry.failure;
  }

  set(key: string, failure: BusError, forMs: number, now = Date.now()): void {
    if (this.byKey.size >= this.maxEntries) {
      const oldest = this.byKey.keys().next().value;
      if (oldest !== undefined) this.byKey.delete(oldest);
    }
    this.byKey.delete(key);
    this.byKey.set(key, { failure, until: now + Math.min(forMs, MAX_REFUSAL_MS) });
  }
}
