import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { BillingSpend, BillingSpendRequest } from '@chatgate/contracts';

/** A user's or a credential's spend in a range, from the stored events (the truth; Redis counters only enforce). */
@Injectable()
export class SpendQueries {
  constructor(private readonly db: DataSource) {}

  async spend(q: BillingSpendRequest): Promise<BillingSpend> {
    const column = q.scope === 'user' ? '"user_id"' : '"credential_id"';
    const records: Array<{ day: Date; micro: string }> = await this.db.query(
      `SELECT date_trunc('day', "at" AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS day, sum("cost_micro_usd") AS micro
         FROM "usage"."usage_events"
        WHERE "tenant_id" = $1 AND ${column} = $2 AND "at" >= $3 AND "at" < $4
        GROUP BY 1 ORDER BY 1`,
      [q.tenantId, q.id, new Date(q.from).toISOString(), new Date(q.to).toISOString()],
    );
    const days = records.map((r) => ({ day: new Date(r.day).getTime(), microUsd: Number(r.micro) })).filter((d) => d.microUsd > 0);
    return { totalMicroUsd: days.reduce((sum, d) => sum + d.microUsd, 0), days };
  }
}
