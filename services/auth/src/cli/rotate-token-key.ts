/**
 * Re-encrypts every sealed secret of auth under a new key, in the current format (v2, bound to
 * its row and column).
 *
 *   DATABASE_URL=postgres://… REDIS_URL=redis://… \
 *   TOKEN_ENCRYPTION_KEY=<old key> TOKEN_ENCRYPTION_KEY_NEW=<new key> \
 *   node services/auth/dist/cli/rotate-token-key.js
 *
 * Every sealed column listed in SEALED_TABLES (upstream tokens and API keys, mirror tokens, the
 * successors of entered tokens) is opened with the old key and sealed with the new one, all in one
 * transaction: either every value moves or none does. Then the sealed Redis entries (the exchanged-
 * token cache, refreshed tokens kept aside) are re-sealed one by one, keeping their expiry; an entry
 * neither key opens is left (counted as `cacheUnreadable`: it was unusable already). Values already
 * in the current format under the new key are left alone, so a re-run (say after a crash between
 * commit and redeploy) is safe. TOKEN_ENCRYPTION_KEY_NEW may be the same key: then the run only
 * rewrites values of the older, unbound format (v1). Prints `{"rotated":N,"skipped":M,…}` counting
 * values, and exits 1 on any error (nothing changed in the database).
 *
 * Order of operations: stop the auth replicas (or accept that tokens they write during the run
 * are sealed with the old key and fail to open later), run this, redeploy with
 * TOKEN_ENCRYPTION_KEY set to the new key. Without TOKEN_ENCRYPTION_KEY outside production the
 * old key is the development key, which is how a development database moves to a real key.
 */
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import pg from 'pg';
import { z } from 'zod';
import { authEnv, maskUrl, parseConfig } from '@chatgate/config';
import { AUTH_REDIS_PREFIX, redisKey, redisSealedAt, SEALED_REDIS_KINDS, SEALED_TABLES } from '../accounts/sealed-places.js';
import { TokenCipher, type SealedAt } from '../accounts/token-cipher.js';

// Only a plain or quoted, optionally schema-qualified name: the table is spliced into SQL.
const TABLE_NAME = /^(?:"[^"]+"|[A-Za-z_]\w*)(?:\.(?:"[^"]+"|[A-Za-z_]\w*))?$/;
const SCAN_COUNT = 500;

export const rotateTokenKeyEnv = authEnv.pick({ NODE_ENV: true, DATABASE_URL: true, REDIS_URL: true, TOKEN_ENCRYPTION_KEY: true }).extend({
  TOKEN_ENCRYPTION_KEY_NEW: z.string({ error: 'required: the key to move the tokens to (32 bytes, base64 or hex)' }),
});

export interface RotationSummary {
  /** Values re-sealed (database columns and Redis entries). */
  rotated: number;
  /** Values already in the current format under the new key. */
  skipped: number;
  /** With Redis: cache entries neither key opens, left as they were. */
  cacheUnreadable?: number;
}

export interface RotationOptions {
  /** The Postgres schema of auth's tables (default `auth`). */
  schema?: string;
  /** The sealed Redis entries are re-sealed too when given. */
  redis?: Redis;
  /** Auth's Redis key prefix (default `chatgate:auth:`). */
  redisPrefix?: string;
}

/**
 * Moves every sealed value from `from` to `to`: the database in one transaction on `client`
 * (which must not be inside a transaction already; a value neither key opens aborts it), then Redis.
 */
export async function rotateTokenKey(client: pg.ClientBase, from: TokenCipher, to: TokenCipher, options: RotationOptions = {}): Promise<RotationSummary> {
  const schema = options.schema ?? 'auth';
  const places = Object.values(SEALED_TABLES).map((place) => ({ ...place, physical: `"${schema}"."${place.table.split('.')[1]}"` }));
  for (const place of places) if (!TABLE_NAME.test(place.physical)) throw new Error(`not a table name: ${place.physical}`);
  const summary: RotationSummary = { rotated: 0, skipped: 0 };
  await client.query('BEGIN');
  try {
    for (const place of places) await rotateTable(client, from, to, place, summary);
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
  if (options.redis) await rotateRedis(options.redis, options.redisPrefix ?? AUTH_REDIS_PREFIX, from, to, summary);
  return summary;
}

/** Re-seals one value; null when it is already current. The error names the row and column, never the value. */
function reseal(from: TokenCipher, to: TokenCipher, sealed: string, at: SealedAt, where: string): string | null {
  if (to.isCurrent(sealed)) return null;
  // Same key, older format: the new key opens it as well as the old one.
  const opener = TokenCipher.keyIdOf(sealed) === to.keyId ? to : from;
  try {
    return to.seal(opener.open(sealed, at), at);
  } catch (err) {
    throw new Error(`${where}: ${(err as Error).message}`, { cause: err });
  }
}

async function rotateTable(client: pg.ClientBase, from: TokenCipher, to: TokenCipher, place: { table: string; physical: string; id: string; columns: readonly string[] }, summary: RotationSummary): Promise<void> {
  // Tables a partial schema lacks (an older database) have nothing to rotate.
  const { rows: present } = await client.query<{ found: string | null }>('SELECT to_regclass($1) AS found', [place.physical]);
  if (!present[0]?.found) return;
  // FOR UPDATE: a replica writing a token meanwhile waits, rather than being overwritten with stale ciphertext.
  const { rows } = await client.query<Record<string, string | null>>(`SELECT ${[place.id, ...place.columns].map((c) => `"${c}"`).join(', ')} FROM ${place.physical} ORDER BY 1 FOR UPDATE`);
  for (const row of rows) {
    const id = String(row[place.id]);
    const patch: Array<[string, string]> = [];
    for (const column of place.columns) {
      const sealed = row[column];
      if (sealed === null || sealed === undefined) continue;
      const next = reseal(from, to, sealed, { table: place.table, column, id }, `row ${id}, ${column}`);
      if (next === null) summary.skipped += 1;
      else {
        patch.push([column, next]);
        summary.rotated += 1;
      }
    }
    if (!patch.length) continue;
    await client.query(`UPDATE ${place.physical} SET ${patch.map(([c], i) => `"${c}" = $${i + 2}`).join(', ')} WHERE "${place.id}" = $1`, [id, ...patch.map(([, v]) => v)]);
  }
}

async function rotateRedis(redis: Redis, prefix: string, from: TokenCipher, to: TokenCipher, summary: RotationSummary): Promise<void> {
  summary.cacheUnreadable = 0;
  for (const kind of SEALED_REDIS_KINDS) {
    const pattern = redisKey(kind, '*', prefix);
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', SCAN_COUNT);
      cursor = next;
      for (const key of keys) {
        const sealed = await redis.get(key);
        if (sealed === null) continue;
        let resealed: string | null;
        try {
          resealed = reseal(from, to, sealed, redisSealedAt(kind, key.slice(redisKey(kind, '', prefix).length)), key);
        } catch {
          summary.cacheUnreadable += 1;
          continue;
        }
        if (resealed === null) summary.skipped += 1;
        else {
          // KEEPTTL: the entry expires when it would have (Redis 6+).
          await redis.set(key, resealed, 'KEEPTTL');
          summary.rotated += 1;
        }
      }
    } while (cursor !== '0');
  }
}

async function main(): Promise<void> {
  const config = parseConfig(rotateTokenKeyEnv);
  const from = TokenCipher.fromConfig(config);
  const to = new TokenCipher(TokenCipher.parseKey(config.TOKEN_ENCRYPTION_KEY_NEW, 'TOKEN_ENCRYPTION_KEY_NEW'));
  if (from.keyId === to.keyId) process.stderr.write('rotate-token-key: the new key is the old one: only values of the older format are rewritten\n');
  if (from.isDevelopmentKey) process.stderr.write('rotate-token-key: TOKEN_ENCRYPTION_KEY is unset, so the old key is the development key\n');

  const client = new pg.Client({ connectionString: config.DATABASE_URL });
  try {
    await client.connect();
  } catch (err) {
    throw new Error(`cannot connect to ${maskUrl(config.DATABASE_URL)}: ${(err as Error).message}`, { cause: err });
  }
  const redis = new Redis(config.REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect().catch((err: Error) => {
      throw new Error(`cannot connect to ${maskUrl(config.REDIS_URL)}: ${err.message}`, { cause: err });
    });
    const summary = await rotateTokenKey(client, from, to, { redis });
    process.stdout.write(`${JSON.stringify({ ...summary, fromKeyId: from.keyId, toKeyId: to.keyId })}\n`);
  } finally {
    await client.end();
    redis.disconnect();
  }
}

// Run only when executed, not when imported (the spec imports rotateTokenKey).
function isEntryPoint(): boolean {
  const script = process.argv[1];
  if (!script) return false;
  try {
    return realpathSync(script) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isEntryPoint()) {
  main().catch((err: unknown) => {
    process.stderr.write(`rotate-token-key: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
