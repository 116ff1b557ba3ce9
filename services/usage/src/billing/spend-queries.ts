import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { MICRO_USD_PER_USD, type BillingSpend, type BillingSpendRequest, type SpendPage, type SpendQueryRequest } from '@chatgate/contracts';

/** Per grouping: the column a row is keyed by, and the label shown with it. */
const GROUPS: Record<SpendQueryRequest['by'], { id: string; label: string }> = {
  tenant: { id: 'NULL::text', label: 'NULL::text' },
  user: { id: '"user_id"', label: 'max("user_name")' },
  credential: { id: '"credential_id"', label: 'max("user_name")' },
  account: { id: '"account_id"', label: 'max("account_label")' },
};

/**
 * Spend from the stored events (the truth; Redis counters only enforce budgets): one caller's in a
 * range for the billing endpoints, and totals per tenant, user, credential or account for admins.
 */
@Injectable()
export class SpendQueries {
  constructor(private readonly db: DataSource) {}

  /** Per UTC day with spend. A user's from the hourly rollups (keyed by tenant and user); a credential's from the events. */
  async spend(q: BillingSpendRequest): Promise<BillingSpend> {
    const params = [q.tenantId, q.id, new Date(q.from).toISOString(), new Date(q.to).toISOString()];
    const records: Array<{ day: Date; micro: string }> =
      q.scope === 'user'
        ? await this.db.query(
            `SELECT date_trunc('day', "hour" AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS day, sum("cost_micro_usd") AS micro
               FROM "usage"."usage_hourly"
              WHERE "tenant_id" = $1 AND "user_key" = $2 AND "hour" >= $3 AND "hour" < $4
              GROUP BY 1 ORDER BY 1`,
            params,
          )
        : await this.db.query(
            `SELECT date_trunc('day', "at" AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS day, sum("cost_micro_usd") AS micro
               FROM "usage"."usage_events"
              WHERE "credential_id" = $2 AND "tenant_id" = $1 AND "at" >= $3 AND "at" < $4
              GROUP BY 1 ORDER BY 1`,
            params,
          );
    const days = records.map((r) => ({ day: new Date(r.day).getTime(), microUsd: Number(r.micro) })).filter((d) => d.microUsd > 0);
    return { totalMicroUsd: days.reduce((sum, d) => sum + d.microUsd, 0), days };
  }

  /** Costliest first. Credentials are not in the hourly rollups, so this reads the events (indexed by time). */
  async totals(q: SpendQueryRequest): Promise<SpendPage> {
    const group = GROUPS[q.by];
    const params: unknown[] = [new Date(q.from).toISOString(), new Date(q.to).toISOString()];
    const where = ['"at" >= $1', '"at" < $2'];
    if (q.scopeTenantId !== null) where.push(`"tenant_id" = $${params.push(q.scopeTenantId)}`);
    if (q.tenant) where.push(`"tenant_id" = $${params.push(q.tenant)}`);
    params.push(q.limit, (q.page - 1) * q.limit);
    const records: Array<{ tenant_id: string; id: string | null; label: string | null; requests: string; prompt: string; completion: string; characters: string; micro: string; total: string }> = await this.db.query(
      `SELECT "tenant_id", ${group.id} AS id, ${group.label} AS label, count(*) AS requests,
              sum("prompt_tokens") AS prompt, sum("completion_tokens") AS completion, sum("characters") AS characters,
              sum("cost_micro_usd") AS micro, count(*) OVER () AS total
         FROM "usage"."usage_events"
        WHERE ${where.join(' AND ')}
        GROUP BY "tenant_id", 2
        ORDER BY micro DESC, "tenant_id", 2 NULLS LAST
        LIMIT $${params.length - 1} OFFSET $${params.length}`,
      params,
    );
    return {
      rows: records.map((r) => ({
        tenantId: r.tenant_id,
        id: r.id,
        label: r.label,
        requests: Number(r.requests),
        promptTokens: Number(r.prompt),
        completionTokens: Number(r.completion),
        characters: Number(r.characters),
        costMicroUsd: Number(r.micro),
        costUsd: Number(r.micro) / MICRO_USD_PER_USD,
      })),
      by: q.by,
      page: q.page,
      limit: q.limit,
      total: Number(records[0]?.total ?? 0),
      from: new Date(q.from).toISOString(),
      to: new Date(q.to).toISOString(),
    };
  }
}
