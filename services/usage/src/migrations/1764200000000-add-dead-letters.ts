import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Usage events that cannot be stored (issue 12): kept as the bytes that came off the stream (bytea:
 * a NUL or an invalid sequence that text refuses is kept too), with why, when and how often. One
 * row per distinct payload (its sha256), so a redelivered or republished event counts up instead of
 * piling up. The tenant and request id are copied out when the payload names them readably, for
 * the admin view's scope and for an operator looking for one request.
 */
export class AddDeadLetters1764200000000 implements MigrationInterface {
  name = 'AddDeadLetters1764200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "usage"."dead_letters" (
        "id" text PRIMARY KEY,
        "tenant_id" text,
        "request_id" text,
        "raw" bytea NOT NULL,
        "error" text NOT NULL,
        "stream_seq" bigint,
        "first_seen" timestamptz NOT NULL DEFAULT now(),
        "last_seen" timestamptz NOT NULL DEFAULT now(),
        "count" integer NOT NULL DEFAULT 1
      )`);
    await q.query(`CREATE INDEX "dead_letters_last_seen" ON "usage"."dead_letters" ("last_seen")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "usage"."dead_letters"`);
  }
}
