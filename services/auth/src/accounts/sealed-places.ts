import type { SealedAt } from './token-cipher.js';

/**
 * Every place auth keeps a sealed secret, named once: the repositories seal and open with these
 * bindings, and the key rotation CLI walks the same list, so a new sealed column or cache entry
 * that is not listed here cannot be written at all.
 */
export const SEALED_TABLES = {
  upstreamAccounts: { table: 'auth.upstream_accounts', id: 'id', columns: ['access_token_enc', 'refresh_token_enc', 'session_token_enc'] },
  mirrorTokens: { table: 'auth.mirror_tokens', id: 'id', columns: ['token_enc'] },
  tokenExchanges: { table: 'auth.token_exchanges', id: 'fingerprint', columns: ['access_token_enc', 'successor_enc'] },
} as const;

type Tables = typeof SEALED_TABLES;
export type SealedTable = keyof Tables;
export type SealedColumn<T extends SealedTable> = Tables[T]['columns'][number];

export function sealedAt<T extends SealedTable>(table: T, column: SealedColumn<T>, id: string): SealedAt {
  return { table: SEALED_TABLES[table].table, column, id };
}

/** Auth's Redis keys all start so (other services and the refresh queue use other prefixes). */
export const AUTH_REDIS_PREFIX = 'chatgate:auth:';

/** Redis entries holding sealed values: `<prefix><kind>:<id>`, each sealed for its kind and id. */
export const SEALED_REDIS_KINDS = ['exchanged', 'successor'] as const;
export type SealedRedisKind = (typeof SEALED_REDIS_KINDS)[number];

export function redisKey(kind: SealedRedisKind, id: string, prefix = AUTH_REDIS_PREFIX): string {
  return `${prefix}${kind}:${id}`;
}

export function redisSealedAt(kind: SealedRedisKind, id: string): SealedAt {
  return { table: 'redis', column: kind, id };
}
