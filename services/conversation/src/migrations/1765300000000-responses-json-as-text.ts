import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A stored response's `response` and `input` as JSON text, not jsonb: jsonb cannot hold a NUL
 * character (`\u0000` in a string is refused), so a client's text with one was never kept and a
 * later `previous_response_id` or GET was a 404. Nothing queries inside these columns.
 *
 * `response_uploads` keeps the parts of a response too large for one bus message until the gateway
 * commits them (`save_part`, `save_commit`); parts left by a save that never finished expire in an hour.
 */
export class ResponsesJsonAsText1765300000000 implements MigrationInterface {
  name = 'ResponsesJsonAsText1765300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE "conversation"."responses"
        ALTER COLUMN "response" TYPE text USING "response"::text,
        ALTER COLUMN "input" TYPE text USING "input"::text`);
    await q.query(`
      CREATE TABLE "conversation"."response_uploads" (
        "id" text NOT NULL,
        "tenant_id" text NOT NULL,
        "owner_key" text NOT NULL,
        "part" integer NOT NULL,
        "chunk" text NOT NULL,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY ("tenant_id", "owner_key", "id", "part")
      )`);
    await q.query(`CREATE INDEX "response_uploads_age" ON "conversation"."response_uploads" ("created_at")`);
  }

  /** Back to jsonb: fails while a kept response holds a NUL (delete those rows first). */
  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "conversation"."response_uploads"`);
    await q.query(`
      ALTER TABLE "conversation"."responses"
        ALTER COLUMN "response" TYPE jsonb USING "response"::jsonb,
        ALTER COLUMN "input" TYPE jsonb USING "input"::jsonb`);
  }
}
