import { maskSecret } from '@chatgate/config';
import type { AccountView, CodexLimitWindow, CodexUsageView, UpstreamAccountStatus } from '@chatgate/contracts';
import { usedPercentNow } from '../accounts/codex-limits.js';
import type { UpstreamAccountEntity } from '../accounts/upstream-account.entity.js';

/** A sealed token this key cannot open (sealed by another key, or altered): shown as such, never fatal to a listing. */
export const UNREADABLE = Symbol('unreadable');
export type OpenedSecret = string | null | typeof UNREADABLE;
export interface OpenedSecrets {
  access: OpenedSecret;
  refresh: OpenedSecret;
  session: OpenedSecret;
}

export const UNREADABLE_HINT = '(cannot be opened with the current key)';

/** `eyJhbG…x9Qk`: recognisable, never usable. Tokens of 12 characters or fewer show nothing at all. */
export function tokenHint(secret: OpenedSecret): { hint: string } | null {
  if (secret === null) return null;
  return { hint: secret === UNREADABLE ? UNREADABLE_HINT : maskSecret(secret) };
}

/** Cool-downs still running at `now`, soonest first. */
export function liveCooldowns(cooldowns: Record<string, number> | null, now: number): Array<{ model: string; until: number }> {
  return Object.entries(cooldowns ?? {})
    .map(([model, until]) => ({ model, until: Number(until) }))
    .filter((c) => Number.isFinite(c.until) && c.until > now)
    .sort((a, b) => a.until - b.until);
}

/**
 * The status an admin sees. The stored `cooling` is set by a 429 and never cleared when the
 * cool-down passes (the pool checks times, not the flag), so it is derived from the times here:
 * a model's cool-down, or a Codex login's usage-limit hold.
 */
export function viewStatus(stored: UpstreamAccountStatus, cooldowns: Record<string, number> | null, now: number, limitedUntil: Date | null = null): UpstreamAccountStatus {
  if (stored !== 'active' && stored !== 'cooling') return stored;
  if (limitedUntil && limitedUntil.getTime() > now) return 'cooling';
  return liveCooldowns(cooldowns, now).length ? 'cooling' : 'active';
}

function windowView(window: CodexLimitWindow | null, now: number): CodexUsageView['primary'] {
  if (!window) return null;
  return { usedPercent: usedPercentNow(window, now), windowMinutes: window.windowMinutes, resetsAt: window.resetAtSec !== null ? new Date(window.resetAtSec * 1000).toISOString() : null };
}

/** A Codex login's usage as the upstream last reported it; null for other kinds. */
export function codexUsageView(row: Pick<UpstreamAccountEntity, 'kind' | 'plan' | 'limits' | 'limitedUntil'>, now: number): CodexUsageView | null {
  if (row.kind !== 'codex') return null;
  const limits = row.limits;
  return {
    plan: limits?.plan ?? row.plan,
    observedAt: limits ? new Date(limits.observedAt).toISOString() : null,
    primary: windowView(limits?.primary ?? null, now),
    secondary: windowView(limits?.secondary ?? null, now),
    credits: limits?.credits ?? null,
    limitedUntil: row.limitedUntil && row.limitedUntil.getTime() > now ? row.limitedUntil.toISOString() : null,
  };
}

const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);

export function toAccountView(row: UpstreamAccountEntity, secrets: OpenedSecrets, now: number): AccountView {
  const access = tokenHint(secrets.access);
  return {
    id: row.id,
    email: row.email,
    plan: row.plan,
    chatgptAccountId: row.chatgptAccountId,
    workspaces: row.workspaces ?? [],
    status: viewStatus(row.status, row.cooldowns, now, row.limitedUntil),
    tokens: {
      access: access ? { ...access, expiresAt: iso(row.accessTokenExpiresAt) } : null,
      refresh: tokenHint(secrets.refresh),
      session: tokenHint(secrets.session),
    },
    lastRefreshAt: iso(row.lastRefreshAt),
    lastError: row.lastErrorMessage ? { message: row.lastErrorMessage, at: iso(row.lastErrorAt) } : null,
    cooldowns: liveCooldowns(row.cooldowns, now).map((c) => ({ model: c.model, until: new Date(c.until).toISOString() })),
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    kind: row.kind ?? 'chatgpt',
    platform:
      row.kind === 'api_key' && row.baseUrl && row.apiStyle
        ? { name: row.name, baseUrl: row.baseUrl, apiStyle: row.apiStyle, apiVersion: row.apiVersion, organization: row.organization, models: row.models }
        : null,
    codex: codexUsageView(row, now),
  };
}

/** How chat2api's `/tokens/error` names an account: its email, else the hint of the token that needs replacing. */
export function accountLabel(row: Pick<UpstreamAccountEntity, 'id' | 'email'> & Partial<Pick<UpstreamAccountEntity, 'name'>>, secrets: OpenedSecrets): string {
  if (row.email) return row.email;
  if (row.name) return row.name;
  const hint = tokenHint(secrets.refresh) ?? tokenHint(secrets.session) ?? tokenHint(secrets.access);
  return hint?.hint ?? row.id;
}
