import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 12: a refresh or session token entered (admin API, bootstrap file) is exchanged with the
 * upstream, and the upstream rotates it away. Its successor is written here, sealed, the moment the
 * exchange answers, keyed by the sha256 of the token that was entered; entering that token again
 * continues from the successor instead of presenting the spent token. The row goes when the
 * account is stored.
 */
export class CreateTokenExchanges1763880000000 implements MigrationInterface {
  name = 'CreateTokenExchanges1763880000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "auth"."token_exchanges" (
        "fingerprint" text PRIMARY KEY,
        "kind" text NOT NULL CHECK ("kind" IN ('refresh', 'session')),
        "access_token_enc" text NOT NULL,
        "access_token_expires_at" timestamptz NOT NULL,
        "successor_enc" text NOT NULL,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "auth"."token_exchanges"`);
  }
}
