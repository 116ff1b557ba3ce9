import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Which declared token (CHATGATE_BOOTSTRAP) became which account, by sha256 fingerprint only.
 * Re-applying the file skips the upstream for a token already entered: a rotated refresh token
 * presented again would be refused, and some issuers revoke the whole token family on reuse.
 */
export class CreateBootstrapTokens1763840000000 implements MigrationInterface {
  name = 'CreateBootstrapTokens1763840000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "auth"."bootstrap_tokens" (
        "tenant_id" uuid NOT NULL REFERENCES "auth"."tenants"("id") ON DELETE CASCADE,
        "fingerprint" text NOT NULL,
        "account_id" uuid NOT NULL REFERENCES "auth"."upstream_accounts"("id") ON DELETE CASCADE,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY ("tenant_id", "fingerprint")
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "auth"."bootstrap_tokens"`);
  }
}
