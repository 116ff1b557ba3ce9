import type { AccountLimitsEvent, CodexLimitWindow } from '@chatgate/contracts';

/**
 * A Codex account's usage as the upstream last reported it (the `x-codex-*` headers of an answer,
 * read by the worker and sent as `account.limits`), stored in `upstream_accounts.limits`.
 * A window or the credits the answer did not carry are null: the newest observation wins whole.
 */
export interface CodexLimits {
  /** When the worker read the headers (epoch ms). */
  observedAt: number;
  plan: string | null;
  primary: CodexLimitWindow | null;
  secondary: CodexLimitWindow | null;
  credits: { hasCredits: boolean | null; balance: number | null; unlimited: boolean | null } | null;
}

export function limitsOf(event: AccountLimitsEvent): CodexLimits {
  return { observedAt: event.observedAt, plan: event.plan, primary: event.primary ?? null, secondary: event.secondary ?? null, credits: event.credits ?? null };
}

/** A window's use now: 0 once its reset has passed (the upstream starts it again), else as reported. */
export function usedPercentNow(window: CodexLimitWindow | null, nowMs: number): number {
  if (!window) return 0;
  if (window.resetAtSec !== null && window.resetAtSec * 1000 <= nowMs) return 0;
  return window.usedPercent;
}

/**
 * The binding window: the one closest to its limit, whose percentage decides how much the account
 * can still take (an account with 10 % of its 5-hour window used and 95 % of its week has 5 % left).
 */
export function bindingPercent(limits: CodexLimits | null, nowMs: number): number {
  if (!limits) return 0;
  return Math.max(usedPercentNow(limits.primary, nowMs), usedPercentNow(limits.secondary, nowMs));
}

/**
 * Until when (epoch ms) the account is at a limit: the `usage_limit_reached` cool-down, or a window
 * reported at 100 % whose reset is still ahead (the upstream would answer 429 until then). Null:
 * it has headroom. A full window without a reset time holds `unknownResetMs` from when it was seen
 * (nothing else would ever tell: a held account gets no answers).
 */
export function exhaustedUntil(limits: CodexLimits | null, limitedUntilMs: number | null, nowMs: number, unknownResetMs: number): number | null {
  let until = limitedUntilMs !== null && limitedUntilMs > nowMs ? limitedUntilMs : null;
  for (const window of [limits?.primary ?? null, limits?.secondary ?? null]) {
    if (!limits || !window || usedPercentNow(window, nowMs) < 100) continue;
    const reset = window.resetAtSec !== null ? window.resetAtSec * 1000 : limits.observedAt + unknownResetMs;
    if (reset > nowMs) until = Math.max(until ?? 0, reset);
  }
  return until;
}

/**
 * Accounts whose binding windows differ by less than this many percentage points count as equals:
 * the pool chooses among them at random or round-robin, as for any other kind, so replicas whose
 * snapshots lag a little behind do not all pile onto the single emptiest account.
 */
export const HEADROOM_BAND_PERCENT = 10;

export function headroomBand(limits: CodexLimits | null, nowMs: number): number {
  return Math.floor(bindingPercent(limits, nowMs) / HEADROOM_BAND_PERCENT);
}
