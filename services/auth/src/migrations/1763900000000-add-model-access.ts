import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Model allow-lists per user and per user key (globs; null: every model), and per-key request and
 * token rate limits (per minute; null: none). They travel in the principal, enforced by the gateway.
 */
export class AddModelAccess1763900000000 implements MigrationInterface {
  name = 'AddModelAccess1763900000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "auth"."users" ADD COLUMN "allowed_models" jsonb`);
    await q.query(`ALTER TABLE "auth"."api_keys" ADD COLUMN "allowed_models" jsonb`);
    await q.query(`ALTER TABLE "auth"."api_keys" ADD COLUMN "rpm" integer CONSTRAINT "api_keys_rpm_check" CHECK ("rpm" > 0)`);
    await q.query(`ALTER TABLE "auth"."api_keys" ADD COLUMN "tpm" integer CONSTRAINT "api_keys_tpm_check" CHECK ("tpm" > 0)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "auth"."api_keys" DROP COLUMN "tpm"`);
    await q.query(`ALTER TABLE "auth"."api_keys" DROP COLUMN "rpm"`);
    await q.query(`ALTER TABLE "auth"."api_keys" DROP COLUMN "allowed_models"`);
    await q.query(`ALTER TABLE "auth"."users" DROP COLUMN "allowed_models"`);
  }
}
