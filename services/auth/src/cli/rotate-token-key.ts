/**
 * Re-encrypts the upstream tokens at rest under a new key.
 *
 *   DATABASE_URL=postgres://… \
 *   TOKEN_ENCRYPTION_KEY=<old key> TOKEN_ENCRYPTION_KEY_NEW=<new key> \
 *   node services/auth/dist/cli/rotate-token-key.js
 *
 * Every non-null access_token_enc, refresh_token_enc and session_token_enc of
 * auth.upstream_accounts is opened with the old key and sealed with the new one, all in one
 * transaction: either every token moves or none does. Values already under the new key id are
 * left alone, so a re-run (say after a crash between commit and redeploy) is safe. Prints
 * `{"rotated":N,"skipped":M,…}` counting token values, and exits 1 on any error (nothing changed).
 *
 * Order of operations: stop the auth replicas (or accept that tokens they write during the run
 * are sealed with the old key and fail to open later), run this, redeploy with
 * TOKEN_ENCRYPTION_KEY set to the new key. Without TOKEN_ENCRYPTION_KEY outside production the
 * old key is the development key, which is how a development database moves to a real key.
 */
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { z } from 'zod';
import { authEnv, maskUrl, parseConfig } from '@chatgate/config';
import { TokenCipher } from '../accounts/token-cipher.js';

const TOKEN_COLUMNS = ['access_token_enc', 'refresh_token_enc', 'session_token_enc'] as const;
type TokenColumn = (typeof TOKEN_COLUMNS)[number];

// Only a plain or quoted, optionally schema-qualified name: the table is spliced into SQL.
const TABLE_NAME = /^(?:"[^"]+"|[A-Za-z_]\w*)(?:\.(?:"[^"]+"|[A-Za-z_]\w*))?$/;

export const rotateTokenKeyEnv = authEnv.pick({ NODE_ENV: true, DATABASE_URL: true, TOKEN_ENCRYPTION_KEY: true }).extend({
  TOKEN_ENCRYPTION_KEY_NEW: z.string({ error: 'required: the key to move the tokens to (32 bytes, base64 or hex)' }),
});

export interface RotationSummary {
  /** Token values re-encrypted. */
  rotated: number;
  /** Token values already under the new key. */
  skipped: number;
}

type Row = { id: string } & Record<TokenColumn, string | null>;

/**
 * Moves every token of `table` from `from` to `to` in one transaction on `client` (which must
 * not be inside a transaction already). A value neither key opens aborts the whole run.
 */
export async function rotateTokenKey(
  client: pg.ClientBase,
  from: TokenCipher,
  to: TokenCipher,
  table = '"auth"."upstream_accounts"',
): Promise<RotationSummary> {
  if (!TABLE_NAME.test(table)) throw new Error(`not a table name: ${table}`);
  const summary: RotationSummary = { rotated: 0, skipped: 0 };
  await client.query('BEGIN');
  try {
    // FOR UPDATE: a replica writing a token meanwhile waits, rather than being overwritten with stale ciphertext.
    const { rows } = await client.query<Row>(`SELECT id, ${TOKEN_COLUMNS.join(', ')} FROM ${table} ORDER BY id FOR UPDATE`);
    for (const row of rows) {
      const patch: Partial<Record<TokenColumn, string>> = {};
      for (const column of TOKEN_COLUMNS) {
        const sealed = row[column];
        if (sealed === null) continue;
        if (TokenCipher.keyIdOf(sealed) === to.keyId) {
          summary.skipped += 1;
          continue;
        }
        try {
          patch[column] = to.encrypt(from.decrypt(sealed));
        } catch (err) {
          throw new Error(`row ${row.id}, ${column}: ${(err as Error).message}`, { cause: err });
        }
        summary.rotated += 1;
      }
      const columns = Object.keys(patch) as TokenColumn[];
      if (columns.length === 0) continue;
      await client.query(`UPDATE ${table} SET ${columns.map((c, i) => `${c} = $${i + 2}`).join(', ')} WHERE id = $1`, [
        row.id,
        ...columns.map((c) => patch[c]),
      ]);
    }
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
  return summary;
}

async function main(): Promise<void> {
  const config = parseConfig(rotateTokenKeyEnv);
  const from = TokenCipher.fromConfig(config);
  const to = new TokenCipher(TokenCipher.parseKey(config.TOKEN_ENCRYPTION_KEY_NEW, 'TOKEN_ENCRYPTION_KEY_NEW'));
  if (from.keyId === to.keyId) throw new Error('TOKEN_ENCRYPTION_KEY_NEW is the same key as TOKEN_ENCRYPTION_KEY; nothing to do');
  if (from.isDevelopmentKey) process.stderr.write('rotate-token-key: TOKEN_ENCRYPTION_KEY is unset, so the old key is the development key\n');

  const client = new pg.Client({ connectionString: config.DATABASE_URL });
  try {
    await client.connect();
  } catch (err) {
    throw new Error(`cannot connect to ${maskUrl(config.DATABASE_URL)}: ${(err as Error).message}`, { cause: err });
  }
  try {
    const summary = await rotateTokenKey(client, from, to);
    process.stdout.write(`${JSON.stringify({ ...summary, fromKeyId: from.keyId, toKeyId: to.keyId })}\n`);
  } finally {
    await client.end();
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
