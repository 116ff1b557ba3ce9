// The Codex side of each account: its model list (the plan's unless a test set one), its usage
// windows, and the prompt-cache it keeps per `prompt_cache_key` (cached input tokens).
import type { AccountRecord } from '../accounts.js';
import { planModels } from './catalog.js';
import { current, defaultLimits, type AccountLimits } from './limits.js';

interface CodexAccountState {
  models: string[] | null;
  limits: AccountLimits;
  /** Input tokens of the last request per prompt_cache_key: the next one with that key reads them from cache. */
  promptCache: Map<string, number>;
}

const PROMPT_CACHE_MAX = 1000;

export class CodexAccounts {
  private readonly byAccount = new Map<string, CodexAccountState>();

  of(account: AccountRecord): CodexAccountState {
    let state = this.byAccount.get(account.accountId);
    if (!state) {
      state = { models: null, limits: defaultLimits(account.plan), promptCache: new Map() };
      this.byAccount.set(account.accountId, state);
    }
    current(state.limits);
    return state;
  }

  models(account: AccountRecord): string[] {
    return this.of(account).models ?? planModels(account.plan);
  }

  /** Cached tokens for this request, then remembers its input for the next one with the same key. */
  cacheHit(account: AccountRecord, key: unknown, inputTokens: number): number {
    if (typeof key !== 'string' || key === '') return 0;
    const cache = this.of(account).promptCache;
    const hit = Math.min(cache.get(key) ?? 0, inputTokens);
    if (cache.size >= PROMPT_CACHE_MAX) cache.delete(cache.keys().next().value as string);
    cache.set(key, inputTokens);
    return hit;
  }

  /** Lifts the forced limits of every account (a test's reset). */
  liftForced(): void {
    for (const state of this.byAccount.values()) state.limits.limitedUntil = null;
  }
}
