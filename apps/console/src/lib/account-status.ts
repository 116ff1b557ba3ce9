import type { AccountView } from '@chatgate/contracts';
import { dateTime, relativeTime } from './format';

/** How the console names account kinds; a kind it does not know yet is shown as the API names it. */
export const ACCOUNT_KIND_NAMES: Record<string, string> = { chatgpt: 'ChatGPT login', codex: 'Codex login', api_key: 'API key' };
/** The filter's choices when the API's document does not list them. */
export const DEFAULT_ACCOUNT_KINDS = ['chatgpt', 'codex', 'api_key'];

export function kindName(kind: string | undefined): string {
  return ACCOUNT_KIND_NAMES[kind ?? 'chatgpt'] ?? kind ?? 'ChatGPT login';
}

/** The account's name for people: its email, a key's name, else the token's hint. */
export function accountName(account: Pick<AccountView, 'email' | 'platform' | 'tokens' | 'id'>): string {
  return account.email ?? account.platform?.name ?? account.tokens.access?.hint ?? account.id;
}

export interface StatusText {
  tone: 'ok' | 'cooling' | 'warning' | 'off';
  label: string;
  /** What to do or when it ends, in words; '' when there is nothing to add. */
  detail: string;
}

/** Active, cooling until when and for which models, needs a new login, or disabled. */
export function describeStatus(account: Pick<AccountView, 'status' | 'cooldowns' | 'kind'>, now = Date.now()): StatusText {
  switch (account.status) {
    case 'active':
      return { tone: 'ok', label: 'Active', detail: '' };
    case 'cooling': {
      const parts = account.cooldowns.map((c) => `${c.model} until ${dateTime(c.until)} (${relativeTime(c.until, now)})`);
      return { tone: 'cooling', label: 'Cooling', detail: parts.join('; ') };
    }
    case 'needs_token':
      return { tone: 'warning', label: account.kind === 'api_key' ? 'Needs a new key' : 'Needs a new login', detail: 'Import a fresh token for it.' };
    case 'disabled':
      return { tone: 'off', label: 'Disabled', detail: 'Out of the pool until enabled.' };
    default:
      return { tone: 'warning', label: String(account.status), detail: '' };
  }
}

/** Refreshing needs a refresh or session token; keys have nothing to refresh. */
export function canRefresh(account: Pick<AccountView, 'kind' | 'status' | 'tokens'>): boolean {
  return account.kind !== 'api_key' && account.status !== 'disabled' && Boolean(account.tokens.refresh || account.tokens.session);
}
