import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { MICRO_USD_PER_USD, type UsagePage, type UsageQueryRequest, type UsageRow } from '@chatgate/contracts';

const HOUR_MS = 3_600_000;

interface RollupRecord {
  bucket: Date;
  tenant_id: string;
  user_key: string;
  user_name: string | null;
  account_key: string;
  account_label: string | null;
  model: string;
  kind: UsageRow['kind'];
  requests: string;
  errors: string;
  cancelled: string;
  prompt_tokens: string;
  completion_tokens: string;
  cost_micro_usd: string;
  total: string;
}

/**
 * Reads the rollups (per hour or per UTC day, any filters, any range) and, for ChatGPT-Mirror's
 * per-hour account counts, the raw events (its buckets slide with the clock, rollups do not).
 * "Used" in the compatible counts means requests that did not fail, which is what a limit counts.
 */
@Injectable()
export class UsageQueries {
  constructor(private readonly db: DataSource) {}

  async rollups(q: UsageQueryRequest): Promise<UsagePage> {
    const from = Math.floor(q.from / HOUR_MS) * HOUR_MS;
    const params: unknown[] = [q.granularity, new Date(from).toISOString(), new Date(q.to).toISOString()];
    const where = ['"hour" >= $2', '"hour" < $3'];
    const add = (sql: (n: string) => string, value: unknown) => {
      params.push(value);
      where.push(sql(`$${params.length}`));
    };
    if (q.scopeTenantId !== null) add((p) => `"tenant_id" = ${p}`, q.scopeTenantId);
    if (q.tenant) add((p) => `"tenant_id" = ${p}`, q.tenant);
    if (q.user) add((p) => `("user_key" = ${p} OR "user_name" = ${p})`, q.user);
    if (q.account) add((p) => `("account_key" = ${p} OR "account_label" = ${p})`, q.account);
    if (q.model) add((p) => `"model" = ${p}`, q.model);
    if (q.kind) add((p) => `"kind" = ${p}`, q.kind);
    params.push(q.limit, (q.page - 1) * q.limit);
    const records: RollupRecord[] = await this.db.query(
      `SELECT date_trunc($1, "hour" AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS bucket, "tenant_id", "user_key", max("user_name") AS user_name,
              "account_key", max("account_label") AS account_label, "model", "kind",
              sum("requests") AS requests, sum("errors") AS errors, sum("cancelled") AS cancelled,
              sum("prompt_tokens") AS prompt_tokens, sum("completion_tokens") AS completion_tokens,
              sum("cost_micro_usd") AS cost_micro_usd, count(*) OVER () AS total
         FROM "usage"."usage_hourly"
        WHERE ${where.join(' AND ')}
        GROUP BY 1, "tenant_id", "user_key", "account_key", "model", "kind"
        ORDER BY 1, "tenant_id", "user_key", "account_key", "model", "kind"
        LIMIT $${params.length - 1} OFFSET $${params.length}`,
      params,
    );
    return {
      rows: records.map((r) => ({
        bucket: new Date(r.bucket).toISOString(),
        tenantId: r.tenant_id,
        userId: r.user_key || null,
        userName: r.user_name,
        accountId: r.account_key || null,
        accountLabel: r.account_label,
        model: r.model,
        kind: r.kind,
        requests: Number(r.requests),
        errors: Number(r.errors),
        cancelled: Number(r.cancelled),
        promptTokens: Number(r.prompt_tokens),
        completionTokens: Number(r.completion_tokens),
        costMicroUsd: Number(r.cost_micro_usd),
        costUsd: Number(r.cost_micro_usd) / MICRO_USD_PER_USD,
      })),
      page: q.page,
      limit: q.limit,
      total: Number(records[0]?.total ?? 0),
      from: new Date(from).toISOString(),
      to: new Date(q.to).toISOString(),
      granularity: q.granularity,
    };
  }

  /** Requests that did not fail since `since`, per name asked for (a user name, or a user id); 0 for the unknown. */
  async userCounts(names: string[], since: number, scopeTenantId: string | null): Promise<Record<string, number>> {
    const counts: Record<string, number> = Object.fromEntries(names.map((n) => [n, 0]));
    const records: Array<{ user_key: string; user_name: string | null; used: string }> = await this.db.query(
      `SELECT "user_key", "user_name", sum("requests" - "errors") AS used FROM "usage"."usage_hourly"
        WHERE "hour" >= $1 AND ("user_name" = ANY($2) OR "user_key" = ANY($2)) AND ($3::text IS NULL OR "tenant_id" = $3)
        GROUP BY "user_key", "user_name"`,
      [new Date(Math.floor(since / HOUR_MS) * HOUR_MS).toISOString(), names, scopeTenantId],
    );
    for (const r of records) {
      const name = r.user_name !== null && r.user_name in counts ? r.user_name : r.user_key;
      if (name in counts) counts[name] += Number(r.used);
    }
    return counts;
  }

  /** Per account (label or id) and model: `last_<n>h` = requests that did not fail in [now - n h, now - (n-1) h). */
  async accountHourly(labels: string[], hours: number, now: number, scopeTenantId: string | null): Promise<Record<string, Record<string, Record<string, number>>>> {
    const result: Record<string, Record<string, Record<string, number>>> = Object.fromEntries(labels.map((l) => [l, {}]));
    const records: Array<{ account_label: string | null; account_id: string | null; model: string; n: number; used: string }> = await this.db.query(
      `SELECT "account_label", "account_id", "model", floor(($1::double precision - extract(epoch FROM "at") * 1000) / ${HOUR_MS})::int + 1 AS n, count(*) AS used
         FROM "usage"."usage_events"
        WHERE "at" > $2 AND "at" <= $3 AND "outcome" NOT IN ('error', 'worker_lost') AND ("account_label" = ANY($4) OR "account_id" = ANY($4)) AND ($5::text IS NULL OR "tenant_id" = $5)
        GROUP BY 1, 2, 3, 4`,
      [now, new Date(now - hours * HOUR_MS).toISOString(), new Date(now).toISOString(), labels, scopeTenantId],
    );
    for (const r of records) {
      const label = r.account_label !== null && r.account_label in result ? r.account_label : r.account_id;
      if (label === null || !(label in result) || r.n < 1 || r.n > hours) continue;
      const models = result[label];
      models[r.model] ??= Object.fromEntries(Array.from({ length: hours }, (_, i) => [`last_${i + 1}h`, 0]));
      models[r.model][`last_${r.n}h`] += Number(r.used);
    }
    return result;
  }
}
