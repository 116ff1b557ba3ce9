import type { UsageEvent } from '@chatgate/contracts';

const HOUR_MS = 3_600_000;

/** The UTC hour an instant falls in, as epoch ms of its start. */
export function hourOf(at: number): number {
  return Math.floor(at / HOUR_MS) * HOUR_MS;
}

export interface HourlyRow {
  tenantId: string;
  /** '' when the request had no user (pool code, raw token). */
  userKey: string;
  /** '' when no pool account was leased (the caller's own token). */
  accountKey: string;
  model: string;
  kind: string;
  hour: number;
  userName: string | null;
  accountLabel: string | null;
  requests: number;
  errors: number;
  cancelled: number;
  promptTokens: number;
  completionTokens: number;
  costMicroUsd: number;
}

/** An event with its cost from the price table, as it is stored. */
export type PricedEvent = UsageEvent & { costMicroUsd?: number };

/**
 * Folds events into one row per (tenant, user, account, model, kind, hour), so one upsert per
 * row adds them to the stored rollups. Give it only the events that were actually inserted.
 */
export function rollup(events: readonly PricedEvent[]): HourlyRow[] {
  const rows = new Map<string, HourlyRow>();
  for (const e of events) {
    const hour = hourOf(e.at);
    const userKey = e.userId ?? '';
    const accountKey = e.accountId ?? '';
    const key = JSON.stringify([e.tenantId, userKey, accountKey, e.model, e.kind, hour]);
    let row = rows.get(key);
    if (!row) {
      row = { tenantId: e.tenantId, userKey, accountKey, model: e.model, kind: e.kind, hour, userName: null, accountLabel: null, requests: 0, errors: 0, cancelled: 0, promptTokens: 0, completionTokens: 0, costMicroUsd: 0 };
      rows.set(key, row);
    }
    row.userName = e.userName ?? row.userName;
    row.accountLabel = e.accountLabel ?? row.accountLabel;
    row.requests++;
    // A lost worker is a failed request to its client (and its slot was given back, as an error's).
    if (e.outcome === 'error' || e.outcome === 'worker_lost') row.errors++;
    if (e.outcome === 'cancelled') row.cancelled++;
    row.promptTokens += e.promptTokens;
    row.completionTokens += e.completionTokens;
    row.costMicroUsd += e.costMicroUsd ?? 0;
  }
  return [...rows.values()];
}
