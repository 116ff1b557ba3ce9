import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Budgets (issue 7): `{amountUsd, period}` per user and per user key; null is no budget. */
export class AddBudgets1763870000000 implements MigrationInterface {
  name = 'AddBudgets1763870000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "auth"."users" ADD COLUMN "budget" jsonb`);
    await q.query(`ALTER TABLE "auth"."api_keys" ADD COLUMN "budget" jsonb`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "auth"."api_keys" DROP COLUMN "budget"`);
    await q.query(`ALTER TABLE "auth"."users" DROP COLUMN "budget"`);
  }
}
