// An account's Codex usage windows (reference §3.2, §3.3): what the `x-codex-*` headers report on
// every answer, what /backend-api/wham/usage answers, and when a request meets 429
// `usage_limit_reached` (a window at 100 %, or a test forcing one until a given time).
import type { Plan } from '../types.js';

export interface UsageWindow {
  usedPercent: number;
  windowMinutes: number;
  /** Unix seconds. A window whose reset time has passed starts again at 0 %. */
  resetAt: number;
}

export interface Credits {
  hasCredits: boolean;
  unlimited: boolean;
  balance: string;
}

export interface AccountLimits {
  primary: UsageWindow | null;
  secondary: UsageWindow | null;
  credits: Credits;
  /** Percent added to every window by each completed /responses request (0: usage never moves by itself). */
  percentPerRequest: number;
  /** Unix seconds: every request until then is a 429 usage_limit_reached; null: none forced. */
  limitedUntil: number | null;
}

function nowSec(): number {
  return Math.floor(Date.now() / 1000);
}

function window(minutes: number, now: number): UsageWindow {
  return { usedPercent: 0, windowMinutes: minutes, resetAt: now + minutes * 60 };
}

/** Free: one weekly window; the paid plans: 5 hours and a week (the shapes the reference observed). */
export function defaultLimits(plan: Plan): AccountLimits {
  const now = nowSec();
  const free = plan === 'free';
  return {
    primary: window(free ? 10080 : 300, now),
    secondary: free ? null : window(10080, now),
    credits: { hasCredits: false, unlimited: false, balance: '0' },
    percentPerRequest: 0,
    limitedUntil: null,
  };
}

/** A window past its reset starts again (empty), as many whole windows later as have passed. */
function roll(w: UsageWindow | null, now: number): void {
  if (!w || w.resetAt > now) return;
  const span = Math.max(60, w.windowMinutes * 60);
  const periods = Math.floor((now - w.resetAt) / span) + 1;
  w.resetAt += periods * span;
  w.usedPercent = 0;
}

export function current(limits: AccountLimits): AccountLimits {
  const now = nowSec();
  roll(limits.primary, now);
  roll(limits.secondary, now);
  if (limits.limitedUntil !== null && limits.limitedUntil <= now) limits.limitedUntil = null;
  return limits;
}

export function consume(limits: AccountLimits): void {
  if (limits.percentPerRequest <= 0) return;
  for (const w of [limits.primary, limits.secondary]) if (w) w.usedPercent = Math.min(100, w.usedPercent + limits.percentPerRequest);
}

/** When the account's usage is exhausted: the unix time it clears; null while it has headroom. */
export function exhaustedUntil(limits: AccountLimits): number | null {
  const l = current(limits);
  const times = [l.primary, l.secondary].filter((w): w is UsageWindow => w !== null && w.usedPercent >= 100).map((w) => w.resetAt);
  if (l.limitedUntil !== null) times.push(l.limitedUntil);
  return times.length ? Math.max(...times) : null;
}

/** The `x-codex-*` headers. A plan without a second window still sends its headers, with 0 minutes and no reset time. */
export function limitHeaders(limits: AccountLimits, plan: Plan): Record<string, string> {
  const l = current(limits);
  const now = nowSec();
  const headers: Record<string, string> = {};
  for (const [name, w] of [['primary', l.primary], ['secondary', l.secondary]] as const) {
    headers[`x-codex-${name}-used-percent`] = String(w?.usedPercent ?? 0);
    headers[`x-codex-${name}-window-minutes`] = String(w?.windowMinutes ?? 0);
    headers[`x-codex-${name}-reset-at`] = w ? String(w.resetAt) : '';
    headers[`x-codex-${name}-reset-after-seconds`] = w ? String(Math.max(0, w.resetAt - now)) : '';
  }
  const over = l.primary && l.secondary ? Math.max(0, l.primary.usedPercent - l.secondary.usedPercent) : 0;
  headers['x-codex-primary-over-secondary-limit-percent'] = String(over);
  headers['x-codex-plan-type'] = plan;
  headers['x-codex-credits-has-credits'] = String(l.credits.hasCredits);
  headers['x-codex-credits-unlimited'] = String(l.credits.unlimited);
  headers['x-codex-credits-balance'] = l.credits.balance;
  return headers;
}

/** The 429 body (reference §3.3), with the time the limit clears. */
export function usageLimitBody(plan: Plan, resetsAt: number): Record<string, unknown> {
  return {
    error: {
      type: 'usage_limit_reached',
      message: 'The usage limit has been reached',
      plan_type: plan,
      resets_at: resetsAt,
      eligible_promo: null,
      resets_in_seconds: Math.max(0, resetsAt - nowSec()),
    },
  };
}

function windowBody(w: UsageWindow | null, now: number): Record<string, unknown> | null {
  if (!w) return null;
  return { used_percent: w.usedPercent, limit_window_seconds: w.windowMinutes * 60, reset_after_seconds: Math.max(0, w.resetAt - now), reset_at: w.resetAt };
}

/** GET /backend-api/wham/usage. */
export function usageBody(limits: AccountLimits, plan: Plan): Record<string, unknown> {
  const exhausted = exhaustedUntil(limits) !== null;
  const now = nowSec();
  return {
    plan_type: plan,
    rate_limit: { allowed: !exhausted, limit_reached: exhausted, primary_window: windowBody(limits.primary, now), secondary_window: windowBody(limits.secondary, now) },
    credits: { has_credits: limits.credits.hasCredits, unlimited: limits.credits.unlimited, balance: limits.credits.balance },
  };
}
