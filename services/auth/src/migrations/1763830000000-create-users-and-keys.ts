import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Users of a tenant, their gateway keys and mirror tokens, and tenant admin keys (issue 4). */
export class CreateUsersAndKeys1763830000000 implements MigrationInterface {
  name = 'CreateUsersAndKeys1763830000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "auth"."users" (
        "id" uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        "tenant_id" uuid NOT NULL REFERENCES "auth"."tenants"("id") ON DELETE CASCADE,
        "name" text NOT NULL,
        "status" text NOT NULL DEFAULT 'active' CHECK ("status" IN ('active', 'disabled')),
        "expires_at" timestamptz,
        "isolated_session" boolean NOT NULL DEFAULT false,
        "limits" jsonb NOT NULL DEFAULT '[]',
        "allowed_account_ids" jsonb,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE UNIQUE INDEX "users_tenant_name" ON "auth"."users" ("tenant_id", "name")`);
    // Keys are looked up by hash on every uncached resolution; the secret itself is never stored.
    await q.query(`
      CREATE TABLE "auth"."api_keys" (
        "id" uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        "tenant_id" uuid NOT NULL REFERENCES "auth"."tenants"("id") ON DELETE CASCADE,
        "user_id" uuid REFERENCES "auth"."users"("id") ON DELETE CASCADE,
        "kind" text NOT NULL CHECK ("kind" IN ('user', 'tenant_admin')),
        "name" text NOT NULL DEFAULT '',
        "prefix" text NOT NULL,
        "hash" text NOT NULL UNIQUE,
        "expires_at" timestamptz,
        "revoked_at" timestamptz,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        CHECK (("kind" = 'user') = ("user_id" IS NOT NULL))
      )`);
    await q.query(`CREATE INDEX "api_keys_tenant" ON "auth"."api_keys" ("tenant_id", "created_at" DESC)`);
    // One live token per (user, account): sealed so the same token can be answered again, hashed to be found.
    await q.query(`
      CREATE TABLE "auth"."mirror_tokens" (
        "id" uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        "tenant_id" uuid NOT NULL REFERENCES "auth"."tenants"("id") ON DELETE CASCADE,
        "user_id" uuid NOT NULL REFERENCES "auth"."users"("id") ON DELETE CASCADE,
        "account_id" uuid NOT NULL REFERENCES "auth"."upstream_accounts"("id") ON DELETE CASCADE,
        "hash" text NOT NULL UNIQUE,
        "token_enc" text NOT NULL,
        "revoked_at" timestamptz,
        "created_at" timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE UNIQUE INDEX "mirror_tokens_live" ON "auth"."mirror_tokens" ("user_id", "account_id") WHERE "revoked_at" IS NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "auth"."mirror_tokens"`);
    await q.query(`DROP TABLE "auth"."api_keys"`);
    await q.query(`DROP TABLE "auth"."users"`);
  }
}
