import { fromWireLimits } from '../users/user-limits.js';
import type { DeclaredUser } from '../users/users.service.js';
import type { DeclaredKey } from '../keys/keys.service.js';
import { KEY_PREFIXES, visiblePrefix } from '../keys/key-secret.js';
import { keyHashOf, type BootstrapKey, type BootstrapUser } from './bootstrap.schema.js';

/** The file's user in the users domain's terms: fields the file omits stay undefined (kept as stored). */
export function declaredUser(u: BootstrapUser): DeclaredUser {
  return {
    name: u.name,
    status: u.status,
    expiresAt: u.expires_at === undefined ? undefined : u.expires_at === null ? null : new Date(u.expires_at),
    isolatedSession: u.isolated_session,
    limits: u.limits === undefined ? undefined : fromWireLimits(u.limits),
    budget: u.budget === undefined ? undefined : u.budget === null ? null : { amountUsd: u.budget.amount_usd, period: u.budget.period },
    chatgptList: u.chatgpt_list,
  };
}

/** The file's key in the keys domain's terms. Only a plain key shows its visible prefix; a hash says nothing beyond its kind. */
export function declaredKey(k: BootstrapKey): DeclaredKey {
  return {
    hash: keyHashOf(k),
    prefix: k.plain !== undefined ? visiblePrefix(k.plain, KEY_PREFIXES.user) : `${KEY_PREFIXES.user}…`,
    name: k.name,
    expiresAt: k.expires_at === undefined ? undefined : k.expires_at === null ? null : new Date(k.expires_at),
  };
}

/** The field a declared key's fault points at. */
export const keyField = (k: BootstrapKey) => (k.hash !== undefined ? 'hash' : 'plain');
