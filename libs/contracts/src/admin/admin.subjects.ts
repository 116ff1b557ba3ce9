/**
 * The admin API's control plane: request/reply from the gateway (which authenticated the admin) to
 * auth (which owns the accounts), NestJS NATS transport, queue group `auth`. Never on the chat path.
 */
export const ADMIN_ACCOUNTS_LIST = 'chatgate.auth.admin.accounts.list.v1' as const;
export const ADMIN_ACCOUNTS_GET = 'chatgate.auth.admin.accounts.get.v1' as const;
/** Many tokens, one a line; answers per line what happened. */
export const ADMIN_ACCOUNTS_IMPORT = 'chatgate.auth.admin.accounts.import.v1' as const;
/** One token in, the account's tokens out (ChatGPT-Mirror's `/api/get-user-info` returns them by design). */
export const ADMIN_ACCOUNTS_ENTER = 'chatgate.auth.admin.accounts.enter.v1' as const;
export const ADMIN_ACCOUNTS_DISABLE = 'chatgate.auth.admin.accounts.disable.v1' as const;
export const ADMIN_ACCOUNTS_ENABLE = 'chatgate.auth.admin.accounts.enable.v1' as const;
export const ADMIN_ACCOUNTS_DELETE = 'chatgate.auth.admin.accounts.delete.v1' as const;
/** Removes every account of the tenant (chat2api's `/tokens/clear`). */
export const ADMIN_ACCOUNTS_CLEAR = 'chatgate.auth.admin.accounts.clear.v1' as const;
export const ADMIN_ACCOUNTS_REFRESH = 'chatgate.auth.admin.accounts.refresh.v1' as const;
/** How many accounts are usable and which ones need a token (chat2api's `/tokens` and `/tokens/error`). */
export const ADMIN_POOL_SUMMARY = 'chatgate.auth.admin.pool.summary.v1' as const;
/** The refresh pass running now and the most recent one. */
export const ADMIN_REFRESH_PASSES = 'chatgate.auth.admin.refresh.passes.v1' as const;
/** Starts a refresh pass unless one is running. */
export const ADMIN_REFRESH_START = 'chatgate.auth.admin.refresh.start.v1' as const;
