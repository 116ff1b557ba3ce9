import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { testEnv } from '@chatgate/testing';

/**
 * A database of its own for one stack, on the server DATABASE_URL names: the services create it
 * (and their schemas) at start as they would in production; it is dropped when the stack closes.
 */
export async function createTestDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const base = new URL(testEnv().DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/chatgate');
  const name = `chatgate_test_${randomBytes(6).toString('hex')}`;
  const url = new URL(base);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const admin = new URL(base);
      admin.pathname = '/postgres';
      const client = new pg.Client({ connectionString: admin.toString() });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}
