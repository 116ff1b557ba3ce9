/**
 * When the daily 03:00 check starts a forced pass. Whole calendar days in the configured zone are
 * compared, never elapsed hours: across a daylight-saving change four days at 03:00 are 95 or 97
 * hours, and an hours rule would skip or double a pass there. A restart on the same day sees a
 * difference of 0 days and does nothing.
 */

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit' });
    formatters.set(tz, f);
  }
  return f;
}

/** The calendar date of `at` in `tz`, as `YYYY-MM-DD`. */
export function calendarDay(at: Date, tz: string): string {
  const parts = formatterFor(tz).formatToParts(at);
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? '';
  return `${part('year')}-${part('month')}-${part('day')}`;
}

/** Whole days from one `YYYY-MM-DD` to another (negative when `to` is earlier). */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

/** No forced pass yet, or the last one started `intervalDays` or more calendar days ago in `tz`. */
export function isForcedPassDue(lastForcedStart: Date | null, now: Date, tz: string, intervalDays: number): boolean {
  if (!lastForcedStart) return true;
  return daysBetween(calendarDay(lastForcedStart, tz), calendarDay(now, tz)) >= intervalDays;
}
