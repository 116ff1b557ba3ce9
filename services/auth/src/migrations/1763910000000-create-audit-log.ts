import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The audit log: one row per admin change, written in the change's own transaction (issue 12). No
 * foreign keys on purpose: deleting a tenant or a key must not delete the trail of who did what.
 */
export class CreateAuditLog1763910000000 implements MigrationInterface {
  name = 'CreateAuditLog1763910000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "auth"."audit_log" (
        "id" bigserial PRIMARY KEY,
        "at" timestamptz NOT NULL DEFAULT now(),
        "tenant_id" uuid,
        "actor_kind" text NOT NULL CONSTRAINT "audit_log_actor_kind_check" CHECK ("actor_kind" IN ('operator', 'tenant_admin')),
        "actor_key_id" uuid,
        "actor_address" text,
        "action" text NOT NULL,
        "target" text,
        "details" jsonb NOT NULL DEFAULT '{}'
      )`);
    await q.query(`CREATE INDEX "audit_log_tenant_at" ON "auth"."audit_log" ("tenant_id", "at" DESC)`);
    await q.query(`CREATE INDEX "audit_log_at" ON "auth"."audit_log" ("at" DESC)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "auth"."audit_log"`);
  }
}
