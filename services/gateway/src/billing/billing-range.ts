import { ApiError } from '../shared/errors/api-error.js';

const DAY_MS = 86_400_000;
/** OpenAI's usage endpoint answers at most 100 days at once. */
export const MAX_RANGE_DAYS = 100;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** `YYYY-MM-DD` as the UTC midnight it names; anything else (2026-02-30 included) is a 400 naming the parameter. */
export function parseBillingDate(value: unknown, param: 'start_date' | 'end_date'): number {
  if (value === undefined || value === '') throw ApiError.invalidRequest(`Missing query parameter ${param} (YYYY-MM-DD).`, param);
  const match = typeof value === 'string' ? DATE.exec(value) : null;
  const at = match ? Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])) : NaN;
  if (!match || Number.isNaN(at) || new Date(at).toISOString().slice(0, 10) !== value) {
    throw ApiError.invalidRequest(`Invalid ${param}: expected a date as YYYY-MM-DD.`, param);
  }
  return at;
}

/** `[start, end)` in epoch ms: the end date is exclusive, as at OpenAI. */
export function parseBillingRange(query: { start_date?: unknown; end_date?: unknown }): { from: number; to: number } {
  const from = parseBillingDate(query.start_date, 'start_date');
  const to = parseBillingDate(query.end_date, 'end_date');
  if (to <= from) throw ApiError.invalidRequest('end_date must be after start_date (it is exclusive).', 'end_date');
  if (to - from > MAX_RANGE_DAYS * DAY_MS) throw ApiError.invalidRequest(`Usage API has a maximum range of ${MAX_RANGE_DAYS} days.`, 'end_date');
  return { from, to };
}
