/** How the console writes times, numbers and money. Times are shown in the browser's zone, with UTC in the title. */

export function parseTime(iso: string | null | undefined): Date | null {
  if (!iso) return null;
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? null : date;
}

/** `in 5 min`, `3 h ago`: for times near now; `null` → `—`. */
export function relativeTime(iso: string | null | undefined, now = Date.now()): string {
  const date = parseTime(iso);
  if (!date) return '—';
  const diff = date.getTime() - now;
  const abs = Math.abs(diff);
  if (abs < 1000) return 'just now';
  const units: Array<[number, string]> = [
    [86_400_000, 'd'],
    [3_600_000, 'h'],
    [60_000, 'min'],
    [1000, 's'],
  ];
  const [ms, unit] = units.find(([size]) => abs >= size) ?? units[units.length - 1];
  const n = Math.round(abs / ms);
  return diff > 0 ? `in ${n} ${unit}` : `${n} ${unit} ago`;
}

/** Date and time in the browser's locale and zone. */
export function dateTime(iso: string | null | undefined): string {
  const date = parseTime(iso);
  return date ? date.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' }) : '—';
}

export function utcTitle(iso: string | null | undefined): string | undefined {
  return parseTime(iso)?.toISOString();
}

export function integer(n: number): string {
  return n.toLocaleString(undefined, { maximumFractionDigits: 0 });
}

/** USD with cents, or more digits for amounts under a cent (spend of a few requests). */
export function usd(amount: number): string {
  const digits = amount !== 0 && Math.abs(amount) < 0.01 ? 6 : 2;
  return `$${amount.toLocaleString(undefined, { minimumFractionDigits: 2, maximumFractionDigits: digits })}`;
}

/** A `datetime-local` input's value for an ISO time (local zone), and back. */
export function toLocalInput(iso: string | null | undefined): string {
  const date = parseTime(iso);
  if (!date) return '';
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

export function fromLocalInput(value: string): string | null {
  if (!value) return null;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}
