import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Conversations made through chatgate, per owner (`user:<id>`, or `credential:<id>` for pool codes
 * and raw tokens). The history hash finds the conversation a request's history continues; the last
 * message id is the parent of the next turn.
 */
export class CreateConversationRecords1765000000000 implements MigrationInterface {
  name = 'CreateConversationRecords1765000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "conversation"."conversations" (
        "tenant_id" text NOT NULL,
        "owner_key" text NOT NULL,
        "conversation_id" text NOT NULL,
        "user_id" text,
        "credential_id" text NOT NULL,
        "account_id" text,
        "model" text NOT NULL,
        "title" text,
        "last_message_id" text NOT NULL,
        "history_hash" text NOT NULL,
        "is_visible" boolean NOT NULL DEFAULT true,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY ("tenant_id", "owner_key", "conversation_id")
      )`);
    await q.query(`CREATE INDEX "conversations_history" ON "conversation"."conversations" ("tenant_id", "owner_key", "history_hash") WHERE "is_visible"`);
    await q.query(`CREATE INDEX "conversations_recent" ON "conversation"."conversations" ("tenant_id", "owner_key", "updated_at" DESC)`);
    await q.query(`CREATE INDEX "conversations_tenant_recent" ON "conversation"."conversations" ("tenant_id", "updated_at" DESC)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "conversation"."conversations"`);
  }
}
