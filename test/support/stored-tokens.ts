import { sealedAt, TokenCipher } from '@chatgate/auth';

/** The stacks run on the development key (no TOKEN_ENCRYPTION_KEY in tests); tests open stored tokens with it. */
export const developmentCipher = TokenCipher.fromConfig({ NODE_ENV: 'test', TOKEN_ENCRYPTION_KEY: undefined });

type TokenColumn = 'access_token_enc' | 'refresh_token_enc' | 'session_token_enc';

/** A token of an `auth.upstream_accounts` row in clear: sealed values are bound to their row and column. */
export function openStored(row: { id: string } & Partial<Record<TokenColumn, string | null>>, column: TokenColumn, cipher = developmentCipher): string {
  const sealed = row[column];
  if (!sealed) throw new Error(`no ${column} on row ${row.id}`);
  return cipher.open(sealed, sealedAt('upstreamAccounts', column, row.id));
}
