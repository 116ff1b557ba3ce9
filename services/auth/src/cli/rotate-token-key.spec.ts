import { randomBytes } from 'node:crypto';
import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import pg from 'pg';
import { TokenCipher } from '../accounts/token-cipher.js';
import { rotateTokenKey } from './rotate-token-key.js';

// Only a throw-away schema is made, so any existing database will do: `postgres` always exists.
const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const schema = `auth_test_${randomBytes(6).toString('hex')}`;
const table = `"${schema}"."upstream_accounts"`;

const oldKey = new TokenCipher(randomBytes(32));
const newKey = new TokenCipher(randomBytes(32));

let client: pg.Client;

type Tokens = { access: string | null; refresh: string | null; session: string | null };

async function insert(cipher: TokenCipher, tokens: Tokens): Promise<string> {
  const { rows } = await client.query<{ id: string }>(
    `INSERT INTO ${table} (access_token_enc, refresh_token_enc, session_token_enc) VALUES ($1, $2, $3) RETURNING id`,
    [cipher.encryptNullable(tokens.access), cipher.encryptNullable(tokens.refresh), cipher.encryptNullable(tokens.session)],
  );
  return rows[0]!.id;
}

async function read(id: string): Promise<{ access_token_enc: string | null; refresh_token_enc: string | null; session_token_enc: string | null }> {
  const { rows } = await client.query(`SELECT access_token_enc, refresh_token_enc, session_token_enc FROM ${table} WHERE id = $1`, [id]);
  return rows[0];
}

beforeAll(async () => {
  client = new pg.Client({ connectionString: DATABASE_URL });
  await client.connect();
  await client.query(`CREATE SCHEMA "${schema}"`);
  await client.query(`
    CREATE TABLE ${table} (
      "id" uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      "access_token_enc" text,
      "refresh_token_enc" text,
      "session_token_enc" text
    )`);
});

afterAll(async () => {
  await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await client.end();
});

describe('rotateTokenKey', () => {
  it('moves every token to the new key in one go, and a re-run skips them', async () => {
    const full = { access: 'eyJaccess', refresh: 'rt_refresh', session: 's'.repeat(3000) };
    const a = await insert(oldKey, full);
    const b = await insert(oldKey, { access: 'eyJonly', refresh: null, session: null });
    const c = await insert(oldKey, { access: null, refresh: null, session: null });
    const done = await insert(newKey, { access: 'eyJdone', refresh: 'rt_done', session: null });

    await expect(rotateTokenKey(client, oldKey, newKey, table)).resolves.toEqual({ rotated: 4, skipped: 2 });

    const rowA = await read(a);
    expect(newKey.decryptNullable(rowA.access_token_enc)).toBe(full.access);
    expect(newKey.decryptNullable(rowA.refresh_token_enc)).toBe(full.refresh);
    expect(newKey.decryptNullable(rowA.session_token_enc)).toBe(full.session);
    expect(() => oldKey.decryptNullable(rowA.access_token_enc)).toThrow(/cannot be opened/);
    expect(newKey.decryptNullable((await read(b)).access_token_enc)).toBe('eyJonly');
    expect(await read(c)).toEqual({ access_token_enc: null, refresh_token_enc: null, session_token_enc: null });
    expect(newKey.decryptNullable((await read(done)).refresh_token_enc)).toBe('rt_done');

    await expect(rotateTokenKey(client, oldKey, newKey, table)).resolves.toEqual({ rotated: 0, skipped: 6 });
  });

  it('changes nothing when a value opens with neither key', async () => {
    await client.query(`DELETE FROM ${table}`);
    const a = await insert(oldKey, { access: 'eyJa', refresh: 'rt_a', session: null });
    const before = await read(a);
    await insert(new TokenCipher(randomBytes(32)), { access: 'eyJstranger', refresh: null, session: null });

    await expect(rotateTokenKey(client, oldKey, newKey, table)).rejects.toThrow(/access_token_enc: token ciphertext cannot be opened with this key/);
    expect(await read(a)).toEqual(before);
    // The client is usable again: the failed transaction was rolled back.
    await expect(client.query('SELECT 1')).resolves.toBeDefined();
  });

  it('refuses a table name that is not one', async () => {
    await expect(rotateTokenKey(client, oldKey, newKey, 'x; DROP TABLE y')).rejects.toThrow(/not a table name/);
  });
});
