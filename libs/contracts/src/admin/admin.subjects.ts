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

/** Tenants, users, keys and mirror tokens (issue 4). A tenant admin key is verified by auth on each admin request. */
export const ADMIN_KEY_VERIFY = 'chatgate.auth.admin.key.verify.v1' as const;
export const ADMIN_TENANTS_LIST = 'chatgate.auth.admin.tenants.list.v1' as const;
export const ADMIN_TENANTS_GET = 'chatgate.auth.admin.tenants.get.v1' as const;
export const ADMIN_TENANTS_CREATE = 'chatgate.auth.admin.tenants.create.v1' as const;
export const ADMIN_TENANTS_RENAME = 'chatgate.auth.admin.tenants.rename.v1' as const;
export const ADMIN_TENANTS_DELETE = 'chatgate.auth.admin.tenants.delete.v1' as const;
export const ADMIN_USERS_LIST = 'chatgate.auth.admin.users.list.v1' as const;
export const ADMIN_USERS_GET = 'chatgate.auth.admin.users.get.v1' as const;
export const ADMIN_USERS_CREATE = 'chatgate.auth.admin.users.create.v1' as const;
export const ADMIN_USERS_UPDATE = 'chatgate.auth.admin.users.update.v1' as const;
export const ADMIN_USERS_DELETE = 'chatgate.auth.admin.users.delete.v1' as const;
export const ADMIN_KEYS_LIST = 'chatgate.auth.admin.keys.list.v1' as const;
export const ADMIN_KEYS_CREATE = 'chatgate.auth.admin.keys.create.v1' as const;
export const ADMIN_KEYS_REVOKE = 'chatgate.auth.admin.keys.revoke.v1' as const;
/** A key's name, expiry and budget (issue 7). */
export const ADMIN_KEYS_UPDATE = 'chatgate.auth.admin.keys.update.v1' as const;
/** ChatGPT-Mirror's `/api/login`, `/api/logout`, `/api/get-mirror-token`. */
export const ADMIN_MIRROR_LOGIN = 'chatgate.auth.admin.mirror.login.v1' as const;
export const ADMIN_MIRROR_LOGOUT = 'chatgate.auth.admin.mirror.logout.v1' as const;
export const ADMIN_MIRROR_TOKENS = 'chatgate.auth.admin.mirror.tokens.v1' as const;

/** A tenant's model routing table (which models go to API-key accounts): read, and set or reset. */
export const ADMIN_ROUTES_GET = 'chatgate.auth.admin.routes.get.v1' as const;
export const ADMIN_ROUTES_SET = 'chatgate.auth.admin.routes.set.v1' as const;

/** The audit log of admin changes (who, what, when, from where): read only. */
export const ADMIN_AUDIT_LIST = 'chatgate.auth.admin.audit.list.v1' as const;
