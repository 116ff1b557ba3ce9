import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Spend (issue 7): each event's cost from the price table when it was stored (integer micro-USD,
 * so sums are exact), which upstream kind served it and, for speech, its characters; rollups sum
 * the cost. A user's spend in a range is read from the rollups (their key starts with tenant and
 * user); a credential's from the events, by the one index added here (each index slows ingestion).
 */
export class AddSpend1764100000000 implements MigrationInterface {
  name = 'AddSpend1764100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE "usage"."usage_events"
        ADD COLUMN "upstream" text NOT NULL DEFAULT 'chatgpt',
        ADD COLUMN "characters" integer NOT NULL DEFAULT 0,
        ADD COLUMN "cost_micro_usd" bigint NOT NULL DEFAULT 0`);
    await q.query(`ALTER TABLE "usage"."usage_hourly" ADD COLUMN "cost_micro_usd" bigint NOT NULL DEFAULT 0`);
    await q.query(`CREATE INDEX "usage_events_credential_at" ON "usage"."usage_events" ("credential_id", "at")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "usage"."usage_events_credential_at"`);
    await q.query(`ALTER TABLE "usage"."usage_hourly" DROP COLUMN "cost_micro_usd"`);
    await q.query(`ALTER TABLE "usage"."usage_events" DROP COLUMN "cost_micro_usd", DROP COLUMN "characters", DROP COLUMN "upstream"`);
  }
}
