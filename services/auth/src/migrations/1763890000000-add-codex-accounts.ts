import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 13: Codex logins (ChatGPT subscriptions through Codex's OAuth client, or a workspace's
 * `at-` Codex access token) as a third kind of upstream account. Their tokens use the columns a
 * ChatGPT login uses. What is new is what the upstream reports about them: `limits` (the usage
 * windows, plan and credits of the account's last answer, as `x-codex-*` headers told) and
 * `limited_until` (a 429 `usage_limit_reached` holds the whole account, every model, until then).
 * An entered Codex refresh token's exchange waits in token_exchanges like a web one.
 */
export class AddCodexAccounts1763890000000 implements MigrationInterface {
  name = 'AddCodexAccounts1763890000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE "auth"."upstream_accounts"
        DROP CONSTRAINT "upstream_accounts_kind_check",
        ADD CONSTRAINT "upstream_accounts_kind_check" CHECK ("kind" IN ('chatgpt', 'api_key', 'codex')),
        ADD COLUMN "limits" jsonb,
        ADD COLUMN "limited_until" timestamptz`);
    await q.query(`
      ALTER TABLE "auth"."token_exchanges"
        DROP CONSTRAINT "token_exchanges_kind_check",
        ADD CONSTRAINT "token_exchanges_kind_check" CHECK ("kind" IN ('refresh', 'session', 'codex_refresh'))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DELETE FROM "auth"."token_exchanges" WHERE "kind" = 'codex_refresh'`);
    await q.query(`
      ALTER TABLE "auth"."token_exchanges"
        DROP CONSTRAINT "token_exchanges_kind_check",
        ADD CONSTRAINT "token_exchanges_kind_check" CHECK ("kind" IN ('refresh', 'session'))`);
    await q.query(`DELETE FROM "auth"."upstream_accounts" WHERE "kind" = 'codex'`);
    await q.query(`
      ALTER TABLE "auth"."upstream_accounts"
        DROP COLUMN "limited_until",
        DROP COLUMN "limits",
        DROP CONSTRAINT "upstream_accounts_kind_check",
        ADD CONSTRAINT "upstream_accounts_kind_check" CHECK ("kind" IN ('chatgpt', 'api_key'))`);
  }
}
