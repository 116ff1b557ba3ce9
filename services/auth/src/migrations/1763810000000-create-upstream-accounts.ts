import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateUpstreamAccounts1763810000000 implements MigrationInterface {
  name = 'CreateUpstreamAccounts1763810000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "auth"."upstream_accounts" (
        "id" uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        "tenant_id" uuid NOT NULL REFERENCES "auth"."tenants"("id") ON DELETE CASCADE,
        "identity_key" text NOT NULL,
        "email" text,
        "chatgpt_account_id" text,
        "chatgpt_user_id" text,
        "plan" text,
        "workspaces" jsonb NOT NULL DEFAULT '[]',
        "access_token_enc" text,
        "access_token_expires_at" timestamptz,
        "refresh_token_enc" text,
        "session_token_enc" text,
        "status" text NOT NULL DEFAULT 'active' CHECK ("status" IN ('active', 'cooling', 'needs_token', 'disabled')),
        "last_refresh_at" timestamptz,
        "last_error_message" text,
        "last_error_at" timestamptz,
        "cooldowns" jsonb NOT NULL DEFAULT '{}',
        "device_id" uuid NOT NULL DEFAULT gen_random_uuid(),
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE UNIQUE INDEX "upstream_accounts_identity" ON "auth"."upstream_accounts" ("tenant_id", "identity_key")`);
    await q.query(`CREATE INDEX "upstream_accounts_tenant_status" ON "auth"."upstream_accounts" ("tenant_id", "status")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "auth"."upstream_accounts"`);
  }
}
