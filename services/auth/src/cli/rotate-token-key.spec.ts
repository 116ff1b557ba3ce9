import { randomBytes } from 'node:crypto';
import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { Redis } from 'ioredis';
import pg from 'pg';
import { redisKey, redisSealedAt, sealedAt } from '../accounts/sealed-places.js';
import { TokenCipher } from '../accounts/token-cipher.js';
import { rotateTokenKey } from './rotate-token-key.js';

// Only a throw-away schema and Redis prefix are made, so any existing database will do: `postgres` always exists.
const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const schema = `auth_test_${randomBytes(6).toString('hex')}`;
const table = `"${schema}"."upstream_accounts"`;
const redisPrefix = `chatgate:test:${randomBytes(6).toString('hex')}:`;

const oldKey = new TokenCipher(randomBytes(32));
const newKey = new TokenCipher(randomBytes(32));

let client: pg.Client;
let redis: Redis;

type Tokens = { access: string | null; refresh: string | null; session: string | null };
type Row = { id: string; access_token_enc: string | null; refresh_token_enc: string | null; session_token_enc: string | null };
const at = (id: string, column: 'access_token_enc' | 'refresh_token_enc' | 'session_token_enc') => sealedAt('upstreamAccounts', column, id);

/** A row sealed as auth writes it (v2, bound to the row), or in the older unbound format (v1). */
async function insert(cipher: TokenCipher, tokens: Tokens, format: 'v1' | 'v2' = 'v1'): Promise<string> {
  const id = (await client.query<{ id: string }>('SELECT gen_random_uuid() AS id')).rows[0]!.id;
  const seal = (value: string | null, column: Parameters<typeof at>[1]) => (format === 'v1' ? cipher.encryptNullable(value) : cipher.sealNullable(value, at(id, column)));
  await client.query(`INSERT INTO ${table} (id, access_token_enc, refresh_token_enc, session_token_enc) VALUES ($1, $2, $3, $4)`, [
    id,
    seal(tokens.access, 'access_token_enc'),
    seal(tokens.refresh, 'refresh_token_enc'),
    seal(tokens.session, 'session_token_enc'),
  ]);
  return id;
}

async function read(id: string): Promise<Omit<Row, 'id'>> {
  const { rows } = await client.query(`SELECT access_token_enc, refresh_token_enc, session_token_enc FROM ${table} WHERE id = $1`, [id]);
  return rows[0];
}

/** Opens a stored value with a key, as auth would for that row and column. */
const open = (cipher: TokenCipher, id: string, column: Parameters<typeof at>[1], value: string | null) => cipher.openNullable(value, at(id, column));

beforeAll(async () => {
  client = new pg.Client({ connectionString: DATABASE_URL });
  await client.connect();
  redis = new Redis(REDIS_URL);
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
  const keys = await redis.keys(`${redisPrefix}*`);
  if (keys.length) await redis.del(...keys);
  redis.disconnect();
});

describe('rotateTokenKey', () => {
  it('moves every token to the new key in one go, and a re-run skips them', async () => {
    const full = { access: 'eyJaccess', refresh: 'rt_refresh', session: 's'.repeat(3000) };
    const a = await insert(oldKey, full);
    const b = await insert(oldKey, { access: 'eyJonly', refresh: null, session: null }, 'v2');
    const c = await insert(oldKey, { access: null, refresh: null, session: null });
    const done = await insert(newKey, { access: 'eyJdone', refresh: 'rt_done', session: null }, 'v2');

    await expect(rotateTokenKey(client, oldKey, newKey, { schema })).resolves.toEqual({ rotated: 4, skipped: 2 });

    const rowA = await read(a);
    expect(open(newKey, a, 'access_token_enc', rowA.access_token_enc)).toBe(full.access);
    expect(open(newKey, a, 'refresh_token_enc', rowA.refresh_token_enc)).toBe(full.refresh);
    expect(open(newKey, a, 'session_token_enc', rowA.session_token_enc)).toBe(full.session);
    expect(() => open(oldKey, a, 'access_token_enc', rowA.access_token_enc)).toThrow(/cannot be opened/);
    expect(open(newKey, b, 'access_token_enc', (await read(b)).access_token_enc)).toBe('eyJonly');
    expect(await read(c)).toEqual({ access_token_enc: null, refresh_token_enc: null, session_token_enc: null });
    expect(open(newKey, done, 'refresh_token_enc', (await read(done)).refresh_token_enc)).toBe('rt_done');

    await expect(rotateTokenKey(client, oldKey, newKey, { schema })).resolves.toEqual({ rotated: 0, skipped: 6 });
  });

  it('rewrites the older unbound format into the bound one, bound to each row and column', async () => {
    await client.query(`DELETE FROM ${table}`);
    const a = await insert(newKey, { access: 'eyJold-format', refresh: 'rt_old-format', session: null });
    const b = await insert(newKey, { access: 'eyJother', refresh: null, session: null });
    // The same key: only the format changes.
    await expect(rotateTokenKey(client, newKey, newKey, { schema })).resolves.toEqual({ rotated: 3, skipped: 0 });
    const rowA = await read(a);
    expect(rowA.access_token_enc).toMatch(/^v2:/);
    expect(open(newKey, a, 'access_token_enc', rowA.access_token_enc)).toBe('eyJold-format');
    // Bound: the value fails to open in another column or another row.
    expect(() => open(newKey, a, 'refresh_token_enc', rowA.access_token_enc)).toThrow(/cannot be opened/);
    expect(() => open(newKey, b, 'access_token_enc', rowA.access_token_enc)).toThrow(/cannot be opened/);
  });

  it('covers every sealed column (mirror tokens, entered tokens\' successors) and the sealed Redis entries', async () => {
    await client.query(`DELETE FROM ${table}`);
    await client.query(`CREATE TABLE "${schema}"."mirror_tokens" ("id" uuid PRIMARY KEY, "token_enc" text NOT NULL)`);
    await client.query(`CREATE TABLE "${schema}"."token_exchanges" ("fingerprint" text PRIMARY KEY, "access_token_enc" text NOT NULL, "successor_enc" text NOT NULL)`);
    const mirrorId = (await client.query<{ id: string }>('SELECT gen_random_uuid() AS id')).rows[0]!.id;
    await client.query(`INSERT INTO "${schema}"."mirror_tokens" VALUES ($1, $2)`, [mirrorId, oldKey.seal('mt-cg-mirror', sealedAt('mirrorTokens', 'token_enc', mirrorId))]);
    await client.query(`INSERT INTO "${schema}"."token_exchanges" VALUES ('fp1', $1, $2)`, [
      oldKey.seal('eyJexchanged', sealedAt('tokenExchanges', 'access_token_enc', 'fp1')),
      oldKey.seal('rt_successor', sealedAt('tokenExchanges', 'successor_enc', 'fp1')),
    ]);
    const cached = redisKey('exchanged', 'abc', redisPrefix);
    const keptAside = redisKey('successor', 'acc-1', redisPrefix);
    const stranger = redisKey('exchanged', 'zzz', redisPrefix);
    await redis.set(cached, oldKey.seal('{"accessToken":"eyJcached"}', redisSealedAt('exchanged', 'abc')), 'EX', 600);
    await redis.set(keptAside, oldKey.seal('{"refreshToken":"rt_kept"}', redisSealedAt('successor', 'acc-1')));
    await redis.set(stranger, new TokenCipher(randomBytes(32)).seal('x', redisSealedAt('exchanged', 'zzz')));

    await expect(rotateTokenKey(client, oldKey, newKey, { schema, redis, redisPrefix })).resolves.toEqual({ rotated: 5, skipped: 0, cacheUnreadable: 1 });

    const mirror = (await client.query(`SELECT token_enc FROM "${schema}"."mirror_tokens"`)).rows[0].token_enc;
    expect(newKey.open(mirror, sealedAt('mirrorTokens', 'token_enc', mirrorId))).toBe('mt-cg-mirror');
    const exchange = (await client.query(`SELECT * FROM "${schema}"."token_exchanges"`)).rows[0];
    expect(newKey.open(exchange.successor_enc, sealedAt('tokenExchanges', 'successor_enc', 'fp1'))).toBe('rt_successor');
    expect(newKey.open(exchange.access_token_enc, sealedAt('tokenExchanges', 'access_token_enc', 'fp1'))).toBe('eyJexchanged');
    expect(newKey.open((await redis.get(cached))!, redisSealedAt('exchanged', 'abc'))).toBe('{"accessToken":"eyJcached"}');
    expect(await redis.ttl(cached)).toBeGreaterThan(500);
    expect(newKey.open((await redis.get(keptAside))!, redisSealedAt('successor', 'acc-1'))).toBe('{"refreshToken":"rt_kept"}');
    await expect(rotateTokenKey(client, oldKey, newKey, { schema, redis, redisPrefix })).resolves.toEqual({ rotated: 0, skipped: 5, cacheUnreadable: 1 });
  });

  it('changes nothing when a value opens with neither key', async () => {
    await client.query(`DELETE FROM ${table}`);
    const a = await insert(oldKey, { access: 'eyJa', refresh: 'rt_a', session: null });
    const before = await read(a);
    await insert(new TokenCipher(randomBytes(32)), { access: 'eyJstranger', refresh: null, session: null });

    await expect(rotateTokenKey(client, oldKey, newKey, { schema })).rejects.toThrow(/access_token_enc: token ciphertext cannot be opened with this key/);
    expect(await read(a)).toEqual(before);
    // The client is usable again: the failed transaction was rolled back.
    await expect(client.query('SELECT 1')).resolves.toBeDefined();
  });

  it('refuses a table name that is not one', async () => {
    await expect(rotateTokenKey(client, oldKey, newKey, { schema: 'x"; DROP TABLE y; --' })).rejects.toThrow(/not a table name/);
  });
});
