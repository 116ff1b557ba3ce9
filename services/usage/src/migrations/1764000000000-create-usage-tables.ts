import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Raw events (idempotent by request id) and hourly rollups. Rollup keys use '' for "no user" or
 * "no account" so that the primary key can hold them (NULLs never conflict). Hours are UTC.
 */
export class CreateUsageTables1764000000000 implements MigrationInterface {
  name = 'CreateUsageTables1764000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "usage"."usage_events" (
        "request_id" text PRIMARY KEY,
        "tenant_id" text NOT NULL,
        "user_id" text,
        "user_name" text,
        "credential_id" text NOT NULL,
        "account_id" text,
        "account_label" text,
        "model" text NOT NULL,
        "kind" text NOT NULL,
        "prompt_tokens" integer NOT NULL,
        "completion_tokens" integer NOT NULL,
        "estimated" boolean NOT NULL,
        "outcome" text NOT NULL,
        "status" integer NOT NULL,
        "latency_ms" real NOT NULL,
        "at" timestamptz NOT NULL,
        "stored_at" timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX "usage_events_at" ON "usage"."usage_events" ("at")`);
    await q.query(`CREATE INDEX "usage_events_account_label_at" ON "usage"."usage_events" ("account_label", "at")`);
    await q.query(`
      CREATE TABLE "usage"."usage_hourly" (
        "tenant_id" text NOT NULL,
        "user_key" text NOT NULL,
        "account_key" text NOT NULL,
        "model" text NOT NULL,
        "kind" text NOT NULL,
        "hour" timestamptz NOT NULL,
        "user_name" text,
        "account_label" text,
        "requests" integer NOT NULL,
        "errors" integer NOT NULL,
        "cancelled" integer NOT NULL,
        "prompt_tokens" bigint NOT NULL,
        "completion_tokens" bigint NOT NULL,
        PRIMARY KEY ("tenant_id", "user_key", "account_key", "model", "kind", "hour")
      )`);
    await q.query(`CREATE INDEX "usage_hourly_hour" ON "usage"."usage_hourly" ("hour")`);
    await q.query(`CREATE INDEX "usage_hourly_user_name_hour" ON "usage"."usage_hourly" ("user_name", "hour")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "usage"."usage_hourly"`);
    await q.query(`DROP TABLE "usage"."usage_events"`);
  }
}
