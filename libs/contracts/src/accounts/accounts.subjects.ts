/**
 * The account pool. Lease and report are request/reply on the raw NATS connection (queue group
 * `auth`): they sit on the chat path, where the NestJS transport's extra millisecond shows.
 */
export const ACCOUNT_LEASE = 'chatgate.auth.account.lease.v1' as const;
/** A failure with a leased account (the success path sends nothing); 401 asks for a refresh. */
export const ACCOUNT_REPORT = 'chatgate.auth.account.report.v1' as const;
/** Fan-out: a tenant's accounts changed; every auth replica drops its pool snapshot, every worker its key snapshot. */
export const ACCOUNTS_CHANGED = 'chatgate.auth.accounts.changed.v1' as const;
/** One usable account per plan of a tenant's pool (request/reply, raw NATS): whose models /v1/models lists. */
/**
 * A tenant's usable API keys with their cool-downs (request/reply, raw NATS, queue group `auth`): the
 * snapshot a worker leases platform keys from without a hop per request. It keeps it until
 * `ACCOUNTS_CHANGED` names the tenant (or for at most as long as auth keeps its own); reports still go to auth.
 */
export const ACCOUNT_KEYS = 'chatgate.auth.account.keys.v1' as const;
export const ACCOUNT_PLANS = 'chatgate.auth.account.plans.v1' as const;
/**
 * Fire-and-forget (raw NATS, queue group `auth`): a Codex account's usage windows, plan and credits
 * as its last answer's `x-codex-*` headers reported them (`AccountLimitsEvent`).
 */
export const ACCOUNT_LIMITS = 'chatgate.auth.account.limits.v1' as const;
export const AUTH_QUEUE_GROUP = 'auth' as const;
