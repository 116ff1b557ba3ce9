import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The responses chatgate keeps (`/v1/responses`): for Codex and ChatGPT accounts the whole Response
 * and its input items (the Codex backend keeps nothing: store is always false there), so
 * `previous_response_id`, `GET /v1/responses/{id}` and `input_items` are answered here; for API keys
 * only which key holds the response and whose it is. Rows expire after RESPONSES_RETENTION_DAYS.
 */
export class CreateResponses1765200000000 implements MigrationInterface {
  name = 'CreateResponses1765200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "conversation"."responses" (
        "id" text PRIMARY KEY,
        "tenant_id" text NOT NULL,
        "owner_key" text NOT NULL,
        "user_id" text,
        "credential_id" text NOT NULL,
        "upstream" text NOT NULL,
        "account_id" text,
        "model" text NOT NULL,
        "response" jsonb,
        "input" jsonb,
        "conversation_id" text,
        "message_id" text,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "expires_at" timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX "responses_expiry" ON "conversation"."responses" ("expires_at")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "conversation"."responses"`);
  }
}
