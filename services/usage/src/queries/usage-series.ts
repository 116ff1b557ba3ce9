import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { MICRO_USD_PER_USD, type UsageSeries, type UsageSeriesDimension, type UsageSeriesRequest } from '@chatgate/contracts';

const HOUR_MS = 3_600_000;

/** Where a series is read from, in SQL: the table, its time column, the measures, the group's key and label, the filters' columns. */
interface SeriesSource {
  table: string;
  time: string;
  requests: string;
  errors: string;
  prompt: string;
  completion: string;
  cost: string;
  user: { key: string; name: string };
  account: { key: string; label: string };
}

/** The hourly rollups: what every dimension but the upstream kind reads (they are keyed by tenant, user, account, model and kind). */
const ROLLUPS: SeriesSource = {
  table: '"usage"."usage_hourly"',
  time: '"hour"',
  requests: 'sum("requests")',
  errors: 'sum("errors")',
  prompt: 'sum("prompt_tokens")',
  completion: 'sum("completion_tokens")',
  cost: 'sum("cost_micro_usd")',
  user: { key: '"user_key"', name: '"user_name"' },
  account: { key: '"account_key"', label: '"account_label"' },
};

/** The events: only they say which kind of upstream served a request. */
const EVENTS: SeriesSource = {
  table: '"usage"."usage_events"',
  time: '"at"',
  requests: 'count(*)',
  errors: `count(*) FILTER (WHERE "outcome" = 'error')`,
  prompt: 'sum("prompt_tokens")',
  completion: 'sum("completion_tokens")',
  cost: 'sum("cost_micro_usd")',
  user: { key: `coalesce("user_id", '')`, name: '"user_name"' },
  account: { key: `coalesce("account_id", '')`, label: '"account_label"' },
};

/** Per dimension: the source, the group's key and the label shown with it. */
const DIMENSIONS: Record<UsageSeriesDimension, { source: SeriesSource; key: string; label: string }> = {
  user: { source: ROLLUPS, key: ROLLUPS.user.key, label: `max(${ROLLUPS.user.name})` },
  account: { source: ROLLUPS, key: ROLLUPS.account.key, label: `max(${ROLLUPS.account.label})` },
  model: { source: ROLLUPS, key: '"model"', label: 'NULL::text' },
  kind: { source: ROLLUPS, key: '"kind"', label: 'NULL::text' },
  upstream: { source: EVENTS, key: '"upstream"', label: 'NULL::text' },
};

interface SeriesRecord {
  bucket: Date;
  key: string | null;
  label: string | null;
  other: boolean;
  requests: string;
  errors: string;
  prompt: string;
  completion: string;
  cost: string;
}

/**
 * Usage per hour or UTC day split by one dimension, for the console's charts: the busiest groups of
 * the range by name, the rest summed per bucket, so an answer is at most buckets × (groups + 1) rows.
 */
@Injectable()
export class UsageSeriesQueries {
  constructor(private readonly db: DataSource) {}

  async series(q: UsageSeriesRequest): Promise<UsageSeries> {
    const { source, key, label } = DIMENSIONS[q.by];
    const from = Math.floor(q.from / HOUR_MS) * HOUR_MS;
    const params: unknown[] = [q.granularity, new Date(from).toISOString(), new Date(q.to).toISOString(), q.groups];
    const where = [`${source.time} >= $2`, `${source.time} < $3`];
    const add = (sql: (p: string) => string, value: unknown) => where.push(sql(`$${params.push(value)}`));
    if (q.scopeTenantId !== null) add((p) => `"tenant_id" = ${p}`, q.scopeTenantId);
    if (q.tenant) add((p) => `"tenant_id" = ${p}`, q.tenant);
    if (q.user) add((p) => `(${source.user.key} = ${p} OR ${source.user.name} = ${p})`, q.user);
    if (q.account) add((p) => `(${source.account.key} = ${p} OR ${source.account.label} = ${p})`, q.account);
    if (q.model) add((p) => `"model" = ${p}`, q.model);
    if (q.kind) add((p) => `"kind" = ${p}`, q.kind);
    const records: SeriesRecord[] = await this.db.query(
      `WITH base AS (
         SELECT date_trunc($1, ${source.time} AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS bucket, ${key} AS key, ${label} AS label,
                ${source.requests} AS requests, ${source.errors} AS errors, ${source.prompt} AS prompt,
                ${source.completion} AS completion, ${source.cost} AS cost
           FROM ${source.table}
          WHERE ${where.join(' AND ')}
          GROUP BY 1, 2
       ), ranked AS (
         SELECT key, row_number() OVER (ORDER BY sum(requests) DESC, key) AS rank FROM base GROUP BY key
       )
       SELECT b.bucket, r.rank > $4 AS other, CASE WHEN r.rank <= $4 THEN b.key END AS key,
              max(b.label) FILTER (WHERE r.rank <= $4) AS label,
              sum(b.requests) AS requests, sum(b.errors) AS errors, sum(b.prompt) AS prompt,
              sum(b.completion) AS completion, sum(b.cost) AS cost
         FROM base b JOIN ranked r ON r.key = b.key
        GROUP BY b.bucket, 2, 3
        ORDER BY b.bucket, min(r.rank)`,
      params,
    );
    return {
      by: q.by,
      granularity: q.granularity,
      from: new Date(from).toISOString(),
      to: new Date(q.to).toISOString(),
      rows: records.map((r) => ({
        bucket: new Date(r.bucket).toISOString(),
        key: r.key,
        label: r.label,
        other: r.other,
        requests: Number(r.requests),
        errors: Number(r.errors),
        promptTokens: Number(r.prompt),
        completionTokens: Number(r.completion),
        costMicroUsd: Number(r.cost),
        costUsd: Number(r.cost) / MICRO_USD_PER_USD,
      })),
    };
  }
}
