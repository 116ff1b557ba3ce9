/**
 * The upstream's usage windows of an account (Codex logins report them: a 5-hour and a weekly
 * window with the share used and when each resets, the plan, credits). The admin API is growing
 * them; the console shows whatever shape it answers, so it reads the usual spellings (camelCase as
 * chatgate writes, snake_case as the upstream does) rather than one fixed field list.
 */
export interface UsageWindow {
  name: string;
  usedPercent: number;
  /** `5 h`, `7 d`; null when the window's length is not given. */
  length: string | null;
  resetsAt: string | null;
}

export interface UsageWindows {
  windows: UsageWindow[];
  plan: string | null;
  credits: { balance: string | null; unlimited: boolean; hasCredits: boolean | null } | null;
  observedAt: string | null;
}

type Json = Record<string, unknown>;

const SOURCES = ['usage', 'usageWindows', 'usage_windows', 'rateLimits', 'rate_limits', 'limits', 'quota', 'codex'];

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const pick = (o: Json, ...names: string[]): unknown => names.map((n) => o[n]).find((v) => v !== undefined && v !== null);

function numberOf(v: unknown): number | null {
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
  return typeof n === 'number' && Number.isFinite(n) ? n : null;
}

/** ISO text as it is; a number as unix seconds (or ms when it is that large). */
function timeOf(v: unknown): string | null {
  if (typeof v === 'string') return Number.isNaN(Date.parse(v)) ? (numberOf(v) !== null ? timeOf(numberOf(v)) : null) : new Date(v).toISOString();
  const n = numberOf(v);
  if (n === null) return null;
  return new Date(n > 1e12 ? n : n * 1000).toISOString();
}

function lengthOf(minutes: number | null): string | null {
  if (minutes === null || minutes <= 0) return null;
  if (minutes % 1440 === 0) return `${minutes / 1440} d`;
  if (minutes % 60 === 0) return `${minutes / 60} h`;
  return `${minutes} min`;
}

function windowOf(name: string, o: Json, now: number): UsageWindow | null {
  const used = numberOf(pick(o, 'usedPercent', 'used_percent', 'percentUsed', 'percent_used'));
  if (used === null) return null;
  const seconds = numberOf(pick(o, 'windowSeconds', 'window_seconds', 'limitWindowSeconds', 'limit_window_seconds'));
  const minutes = numberOf(pick(o, 'windowMinutes', 'window_minutes')) ?? (seconds !== null ? seconds / 60 : null);
  const after = numberOf(pick(o, 'resetAfterSeconds', 'reset_after_seconds', 'resetsInSeconds', 'resets_in_seconds'));
  const resetsAt = timeOf(pick(o, 'resetsAt', 'resetAt', 'resets_at', 'reset_at')) ?? (after !== null ? new Date(now + after * 1000).toISOString() : null);
  const label = typeof o.name === 'string' ? o.name : typeof o.limitName === 'string' ? o.limitName : name;
  return { name: label.replace(/[_-]?window$/i, '') || name, usedPercent: used, length: lengthOf(minutes), resetsAt };
}

/** Windows anywhere in the source (an array, `primary`/`secondary`, `rate_limit.primary_window`), at most three levels deep. */
function collect(value: unknown, name: string, depth: number, now: number, into: UsageWindow[]): void {
  if (depth > 3) return;
  if (Array.isArray(value)) {
    value.forEach((v, i) => collect(v, `${name || 'window'} ${i + 1}`, depth + 1, now, into));
    return;
  }
  if (!isObject(value)) return;
  const window = windowOf(name || 'window', value, now);
  if (window) {
    into.push(window);
    return;
  }
  for (const [key, v] of Object.entries(value)) if (key !== 'credits') collect(v, key === 'windows' ? '' : key, depth + 1, now, into);
}

function findPlan(o: Json): string | null {
  const plan = pick(o, 'planType', 'plan_type', 'plan');
  return typeof plan === 'string' ? plan : null;
}

export function usageWindowsOf(account: Json, now = Date.now()): UsageWindows | null {
  const source = SOURCES.map((name) => account[name]).find((v) => isObject(v) || Array.isArray(v));
  if (source === undefined) return null;
  const windows: UsageWindow[] = [];
  collect(source, '', 0, now, windows);
  const o = isObject(source) ? source : {};
  const rawCredits = o.credits;
  const credits = isObject(rawCredits)
    ? {
        balance: ((b) => (b === undefined || b === null ? null : String(b)))(pick(rawCredits, 'balance')),
        unlimited: pick(rawCredits, 'unlimited') === true,
        hasCredits: ((h) => (typeof h === 'boolean' ? h : null))(pick(rawCredits, 'hasCredits', 'has_credits')),
      }
    : null;
  const observedAt = timeOf(pick(o, 'observedAt', 'observed_at', 'updatedAt', 'updated_at', 'at'));
  if (!windows.length && !credits && !findPlan(o)) return null;
  return { windows, plan: findPlan(o), credits, observedAt };
}
