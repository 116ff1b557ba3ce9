import type { BudgetPeriod } from '@chatgate/contracts';

/** The period an instant falls in, as the counter's name: `d:2026-11-22` (UTC day), `m:2026-11` (UTC month), `all`. */
export function periodKey(period: BudgetPeriod, at: number): string {
  const iso = new Date(at).toISOString();
  switch (period) {
    case 'day':
      return `d:${iso.slice(0, 10)}`;
    case 'month':
      return `m:${iso.slice(0, 7)}`;
    case 'none':
      return 'all';
  }
}
