/**
 * The account's usage as the Codex backend reports it on every answer, 429s included (reference §3.2):
 * `x-codex-{primary,secondary}-{used-percent,window-minutes,reset-at,reset-after-seconds}`,
 * `x-codex-plan-type`, `x-codex-credits-{has-credits,unlimited,balance}`.
 */
export interface CodexWindow {
  usedPercent: number;
  windowMinutes: number;
  /** Unix seconds when the window starts again; null when the backend did not say. */
  resetAtSec: number | null;
}

export interface CodexCredits {
  hasCredits: boolean | null;
  unlimited: boolean | null;
  balance: number | null;
}

export interface CodexLimits {
  plan: string | null;
  primary: CodexWindow | null;
  secondary: CodexWindow | null;
  credits: CodexCredits | null;
}

type Headers = Record<string, string | string[] | undefined>;

function headerOf(headers: Headers, name: string): string | undefined {
  const value = headers[name];
  const one = Array.isArray(value) ? value[0] : value;
  return one === undefined ? undefined : one.trim();
}

function numberOf(raw: string | undefined): number | null {
  if (raw === undefined || raw === '') return null;
  const n = Number(raw);
  return Number.isFinite(n) ? n : null;
}

function boolOf(raw: string | undefined): boolean | null {
  if (raw === undefined) return null;
  const v = raw.toLowerCase();
  return v === 'true' || v === '1' ? true : v === 'false' || v === '0' ? false : null;
}

/** One window, or null when there is none (no percentage, or a window of 0 minutes: how a plan without it is sent). */
function windowOf(headers: Headers, name: 'primary' | 'secondary', nowSec: number): CodexWindow | null {
  const used = numberOf(headerOf(headers, `x-codex-${name}-used-percent`));
  const minutes = numberOf(headerOf(headers, `x-codex-${name}-window-minutes`));
  if (used === null || minutes === null || minutes <= 0) return null;
  const resetAt = numberOf(headerOf(headers, `x-codex-${name}-reset-at`));
  const resetAfter = numberOf(headerOf(headers, `x-codex-${name}-reset-after-seconds`));
  const resetAtSec = resetAt !== null ? Math.floor(resetAt) : resetAfter !== null ? nowSec + Math.ceil(resetAfter) : null;
  return { usedPercent: Math.max(0, used), windowMinutes: Math.round(minutes), resetAtSec };
}

/** The limits an answer's headers report, or null when it carries none (an answer from something else than the backend). */
export function codexLimitsOf(headers: Headers, nowSec = Math.floor(Date.now() / 1000)): CodexLimits | null {
  if (!Object.keys(headers).some((name) => name.toLowerCase().startsWith('x-codex-'))) return null;
  const hasCredits = boolOf(headerOf(headers, 'x-codex-credits-has-credits'));
  const unlimited = boolOf(headerOf(headers, 'x-codex-credits-unlimited'));
  const balance = numberOf(headerOf(headers, 'x-codex-credits-balance'));
  return {
    plan: headerOf(headers, 'x-codex-plan-type') || null,
    primary: windowOf(headers, 'primary', nowSec),
    secondary: windowOf(headers, 'secondary', nowSec),
    credits: hasCredits === null && unlimited === null && balance === null ? null : { hasCredits, unlimited, balance },
  };
}
