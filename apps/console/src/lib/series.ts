import type { UsageSeries, UsageSeriesDimension, UsageSeriesRow } from '@chatgate/contracts';

export type Metric = 'requests' | 'tokens' | 'cost';

export const METRIC_NAMES: Record<Metric, string> = { requests: 'Requests', tokens: 'Tokens', cost: 'Spend (USD)' };

export function metricOf(row: Pick<UsageSeriesRow, 'requests' | 'promptTokens' | 'completionTokens' | 'costUsd'>, metric: Metric): number {
  switch (metric) {
    case 'requests':
      return row.requests;
    case 'tokens':
      return row.promptTokens + row.completionTokens;
    case 'cost':
      return row.costUsd;
  }
}

/** How the console names upstream kinds; a kind it does not know yet is shown as the API names it. */
export const UPSTREAM_NAMES: Record<string, string> = { chatgpt: 'ChatGPT logins', codex: 'Codex logins', platform: 'API keys' };

/** The name a group is shown under. */
export function groupName(by: UsageSeriesDimension, row: Pick<UsageSeriesRow, 'key' | 'label' | 'other'>): string {
  if (row.other || row.key === null) return 'Others';
  switch (by) {
    case 'user':
      return row.label ?? (row.key === '' ? 'No user (pool code or own token)' : row.key);
    case 'account':
      return row.label ?? (row.key === '' ? "Caller's own token" : row.key);
    case 'upstream':
      return UPSTREAM_NAMES[row.key] ?? row.key;
    case 'model':
    case 'kind':
      return row.key;
  }
}

export interface GroupTotals {
  requests: number;
  errors: number;
  promptTokens: number;
  completionTokens: number;
  costUsd: number;
}

export interface SeriesGroup {
  /** Stable within one answer: the key, or `\u0000other` for the summed rest. */
  id: string;
  name: string;
  other: boolean;
  totals: GroupTotals;
}

export interface ChartData {
  /** Bucket starts (ISO), every hour or UTC day of the range, with or without usage. */
  buckets: string[];
  groups: SeriesGroup[];
  /** `values[group][bucket]` in the chosen metric. */
  values: number[][];
}

const STEP_MS = { hour: 3_600_000, day: 86_400_000 } as const;
/** A chart never draws more bars than this; a longer range would not be readable anyway. */
export const MAX_BUCKETS = 800;

/** Every bucket start from `from` (rounded down to its hour or UTC day) up to `to` (exclusive). */
export function bucketsBetween(from: string, to: string, granularity: 'hour' | 'day'): string[] {
  const step = STEP_MS[granularity];
  const start = Math.floor(Date.parse(from) / step) * step;
  const end = Date.parse(to);
  const buckets: string[] = [];
  for (let t = start; t < end && buckets.length < MAX_BUCKETS; t += step) buckets.push(new Date(t).toISOString());
  return buckets;
}

const OTHER_ID = '\u0000other';

/** Rows per (bucket, group) into one value per group and bucket, groups busiest first and `Others` last. */
export function pivot(series: UsageSeries, metric: Metric): ChartData {
  const buckets = bucketsBetween(series.from, series.to, series.granularity);
  const index = new Map(buckets.map((b, i) => [b, i]));
  for (const row of series.rows) {
    const bucket = new Date(row.bucket).toISOString();
    if (!index.has(bucket)) index.set(bucket, buckets.push(bucket) - 1);
  }
  const groups = new Map<string, SeriesGroup & { values: number[] }>();
  for (const row of series.rows) {
    const id = row.other || row.key === null ? OTHER_ID : row.key;
    let group = groups.get(id);
    if (!group) {
      group = { id, name: groupName(series.by, row), other: id === OTHER_ID, totals: { requests: 0, errors: 0, promptTokens: 0, completionTokens: 0, costUsd: 0 }, values: buckets.map(() => 0) };
      groups.set(id, group);
    }
    if (row.label && !group.other) group.name = groupName(series.by, row);
    const at = index.get(new Date(row.bucket).toISOString())!;
    group.values[at] = (group.values[at] ?? 0) + metricOf(row, metric);
    group.totals.requests += row.requests;
    group.totals.errors += row.errors;
    group.totals.promptTokens += row.promptTokens;
    group.totals.completionTokens += row.completionTokens;
    group.totals.costUsd += row.costUsd;
  }
  const ordered = [...groups.values()].sort((a, b) => Number(a.other) - Number(b.other) || metricOf(b.totals, metric) - metricOf(a.totals, metric) || a.name.localeCompare(b.name));
  return {
    buckets,
    groups: ordered.map(({ values: _values, ...group }) => group),
    values: ordered.map((g) => buckets.map((_, i) => g.values[i] ?? 0)),
  };
}
