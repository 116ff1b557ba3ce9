import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A record made (or continued) by a user with `isolated_session` stays that user's alone: shared
 * scopes (other users of the tenant's pool) never list, read, rename or hide it. Rows written
 * before this column existed are marked when their owner next makes a management call or a turn.
 */
export class AddRecordIsolation1765100000000 implements MigrationInterface {
  name = 'AddRecordIsolation1765100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "conversation"."conversations" ADD COLUMN "isolated" boolean NOT NULL DEFAULT false`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "conversation"."conversations" DROP COLUMN "isolated"`);
  }
}
