// API keys of the simulated OpenAI platform API, and per-key failure injection. A behaviour
// counts itself down, like the ChatGPT accounts' behaviours do.
import { randomAlnum } from '../ids.js';

/** `missing_scope`: a 401 for a restricted key without the scope (the key itself is valid). */
export type ApiKeyFailKind = '401' | 'missing_scope' | '429' | '500';

export interface ApiKeyBehaviour {
  fail: ApiKeyFailKind;
  /** How many requests it applies to; default unlimited. */
  times?: number;
  /**
   * For 429: the `retry-after` header, seconds (a number) or an HTTP date (a string); null sends
   * no header at all. Default 20.
   */
  retryAfter?: number | string | null;
}

export interface IssueApiKeyOptions {
  /** Models this key may use; absent: every model the simulator lists. */
  models?: string[];
}

interface KeyRecord {
  models: string[] | null;
}

interface Entry {
  behaviour: ApiKeyBehaviour;
  remaining: number;
}

export const API_KEY_FAIL_KINDS: readonly ApiKeyFailKind[] = ['401', 'missing_scope', '429', '500'];

export class PlatformKeys {
  private readonly keys = new Map<string, KeyRecord>();
  private readonly behaviours = new Map<string, Entry>();

  issue(opts: IssueApiKeyOptions = {}): string {
    const key = `sk-sim-${randomAlnum(40)}`;
    this.keys.set(key, { models: opts.models ?? null });
    return key;
  }

  known(key: string): KeyRecord | undefined {
    return this.keys.get(key);
  }

  setBehaviour(key: string, behaviour: ApiKeyBehaviour | null): void {
    if (!behaviour || (behaviour.times !== undefined && behaviour.times <= 0)) this.behaviours.delete(key);
    else this.behaviours.set(key, { behaviour, remaining: behaviour.times ?? Number.POSITIVE_INFINITY });
  }

  /** The failure this request gets, if any (counted down). */
  takeFailure(key: string): ApiKeyBehaviour | undefined {
    const entry = this.behaviours.get(key);
    if (!entry) return undefined;
    entry.remaining -= 1;
    if (entry.remaining <= 0) this.behaviours.delete(key);
    return entry.behaviour;
  }

  clearBehaviours(): void {
    this.behaviours.clear();
  }
}
