import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * API keys for the OpenAI platform API (or any OpenAI-compatible server) as a second kind of
 * upstream account, and each tenant's model routing table. The key itself is sealed in
 * `access_token_enc`, the column the pool hands out and the key rotation CLI re-seals.
 */
export class AddApiKeyAccounts1763856000000 implements MigrationInterface {
  name = 'AddApiKeyAccounts1763856000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE "auth"."upstream_accounts"
        ADD COLUMN "kind" text NOT NULL DEFAULT 'chatgpt' CHECK ("kind" IN ('chatgpt', 'api_key')),
        ADD COLUMN "name" text,
        ADD COLUMN "base_url" text,
        ADD COLUMN "api_style" text CHECK ("api_style" IN ('openai', 'azure')),
        ADD COLUMN "api_version" text,
        ADD COLUMN "organization" text,
        ADD COLUMN "models" jsonb,
        ADD CONSTRAINT "upstream_accounts_api_key_base" CHECK ("kind" <> 'api_key' OR ("base_url" IS NOT NULL AND "api_style" IS NOT NULL))`);
    await q.query(`CREATE INDEX "upstream_accounts_tenant_kind" ON "auth"."upstream_accounts" ("tenant_id", "kind")`);
    await q.query(`ALTER TABLE "auth"."tenants" ADD COLUMN "model_routes" jsonb`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "auth"."tenants" DROP COLUMN "model_routes"`);
    await q.query(`DROP INDEX "auth"."upstream_accounts_tenant_kind"`);
    await q.query(`
      ALTER TABLE "auth"."upstream_accounts"
        DROP CONSTRAINT "upstream_accounts_api_key_base",
        DROP COLUMN "models", DROP COLUMN "organization", DROP COLUMN "api_version",
        DROP COLUMN "api_style", DROP COLUMN "base_url", DROP COLUMN "name", DROP COLUMN "kind"`);
  }
}
