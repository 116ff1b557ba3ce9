// Per-account failure injection. A behaviour is looked up by account id, then by email, and
// counts itself down; an expiry (clearsIn) is checked lazily so no timer outlives the server.
import type { Behaviour, FailKind } from './types.js';

export interface Failure {
  kind: FailKind;
  clearsIn?: number;
}

interface Entry {
  fail: FailKind;
  remaining: number;
  clearsIn?: number;
  until?: number;
}

// Emails match case-insensitively; account ids are compared as given.
function normalise(key: string): string {
  return key.includes('@') ? key.toLowerCase() : key;
}

export class BehaviourStore {
  private readonly entries = new Map<string, Entry>();

  set(accountIdOrEmail: string, behaviour: Behaviour | null): void {
    const key = normalise(accountIdOrEmail);
    if (!behaviour || !behaviour.fail || (behaviour.times !== undefined && behaviour.times <= 0)) {
      this.entries.delete(key);
      return;
    }
    this.entries.set(key, {
      fail: behaviour.fail,
      remaining: behaviour.times ?? Number.POSITIVE_INFINITY,
      clearsIn: behaviour.clearsIn,
      until: behaviour.clearsIn !== undefined ? Date.now() + behaviour.clearsIn * 1000 : undefined,
    });
  }

  clear(): void {
    this.entries.clear();
  }

  /**
   * The failure this request meets, consuming one use. `tokenEndpoint` requests only meet a
   * '500' (a transient failure of the auth server); other kinds are left for conversations.
   */
  take(account: { accountId: string; email: string }, tokenEndpoint = false): Failure | undefined {
    return this.takeIf(account, (kind) => !tokenEndpoint || kind === '500');
  }

  /** The failure this request meets if `applies` says it can meet it here (consuming one use), else undefined. */
  takeIf(account: { accountId: string; email: string }, applies: (kind: FailKind) => boolean): Failure | undefined {
    const key = this.entries.has(account.accountId) ? account.accountId : normalise(account.email);
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    const now = Date.now();
    if (entry.until !== undefined && entry.until <= now) {
      this.entries.delete(key);
      return undefined;
    }
    if (!applies(entry.fail)) return undefined;
    entry.remaining -= 1;
    if (entry.remaining <= 0) this.entries.delete(key);
    // While it lasts, a 429 reports the time actually left.
    const clearsIn =
      entry.until !== undefined ? Math.max(1, Math.ceil((entry.until - now) / 1000)) : entry.clearsIn;
    return { kind: entry.fail, clearsIn };
  }
}
