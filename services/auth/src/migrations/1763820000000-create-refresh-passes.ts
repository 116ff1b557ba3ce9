import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateRefreshPasses1763820000000 implements MigrationInterface {
  name = 'CreateRefreshPasses1763820000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "auth"."refresh_passes" (
        "id" uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        "forced" boolean NOT NULL,
        "trigger" text NOT NULL CHECK ("trigger" IN ('startup', 'schedule', 'admin')),
        "status" text NOT NULL CHECK ("status" IN ('running', 'finished')),
        "total" integer NOT NULL DEFAULT 0,
        "done" integer NOT NULL DEFAULT 0,
        "failed" integer NOT NULL DEFAULT 0,
        "started_at" timestamptz NOT NULL,
        "finished_at" timestamptz,
        "schedule_day" date,
        "updated_at" timestamptz NOT NULL DEFAULT now()
      )`);
    // One pass at a time across all replicas: a second start finds this index taken.
    await q.query(`CREATE UNIQUE INDEX "refresh_passes_one_running" ON "auth"."refresh_passes" ("status") WHERE "status" = 'running'`);
    // One scheduled forced pass per calendar day, however many replicas or restarts fire the check.
    await q.query(`CREATE UNIQUE INDEX "refresh_passes_schedule_day" ON "auth"."refresh_passes" ("schedule_day") WHERE "schedule_day" IS NOT NULL`);
    await q.query(`CREATE INDEX "refresh_passes_started" ON "auth"."refresh_passes" ("started_at" DESC)`);
    // No foreign key to the account: a deleted account must still be counted (as failed) by its job.
    await q.query(`
      CREATE TABLE "auth"."refresh_pass_accounts" (
        "pass_id" uuid NOT NULL REFERENCES "auth"."refresh_passes"("id") ON DELETE CASCADE,
        "account_id" uuid NOT NULL,
        "outcome" text CHECK ("outcome" IN ('done', 'failed')),
        "finished_at" timestamptz,
        PRIMARY KEY ("pass_id", "account_id")
      )`);
    await q.query(`CREATE INDEX "refresh_pass_accounts_open" ON "auth"."refresh_pass_accounts" ("account_id") WHERE "outcome" IS NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "auth"."refresh_pass_accounts"`);
    await q.query(`DROP TABLE "auth"."refresh_passes"`);
  }
}
