import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateTenants1763800000000 implements MigrationInterface {
  name = 'CreateTenants1763800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "auth"."tenants" (
        "id" uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        "slug" text NOT NULL UNIQUE,
        "name" text NOT NULL,
        "created_at" timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`INSERT INTO "auth"."tenants" ("slug", "name") VALUES ('default', 'Default tenant')`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "auth"."tenants"`);
  }
}
