import { randomInt } from 'node:crypto';
import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import type { Redis } from 'ioredis';
import {
  ACCOUNTS_CHANGED,
  accountsChangedEventSchema,
  type AccountKeysReply,
  type AccountKeysRequest,
  type AccountLimitsEvent,
  type AccountLease,
  type AccountLeaseReply,
  type AccountLeaseRequest,
  type AccountPlansReply,
  type AccountPlansRequest,
  type AccountReport,
  type AccountReportReply,
  type AccountKind,
  type BusError,
  planAllows,
  servesModel,
  unhandled,
} from '@chatgate/contracts';
import { decodeJson, encodeJson, NATS_CONNECTION, tokenFingerprint, type Logger } from '@chatgate/service-kit';
import { REDIS } from '@chatgate/service-kit/redis';
import { AUTH_CONFIG, AUTH_LOGGER, type AuthConfig } from '../auth.config.js';
import { AccountRefresher } from '../accounts/account-refresher.service.js';
import { exhaustedUntil, headroomBand, limitsOf } from '../accounts/codex-limits.js';
import type { PoolAccount } from '../accounts/pool-account.js';
import { UpstreamAccountsRepository } from '../accounts/upstream-accounts.repository.js';
import type { UpstreamAccountEntity } from '../accounts/upstream-account.entity.js';
import { UnitOfWork } from '../persistence/unit-of-work.js';

const MODEL_NOT_FOUND_COOLDOWN_MS = 24 * 3600_000;
const FORBIDDEN_COOLDOWN_MS = 60_000;
/** A token refused this soon after its refresh is taken as the account refused, not as a token to refresh again. */
const FRESH_TOKEN_MS = 60_000;
/** A snapshot is reloaded at least this often, whatever events say. */
const SNAPSHOT_TTL_MS = 30_000;

function leaseOf(account: PoolAccount): AccountLease {
  const lease: AccountLease = { accountId: account.id, accessToken: account.accessToken!, chatgptAccountId: account.chatgptAccountId, deviceId: account.deviceId, label: account.name ?? account.email ?? account.id };
  if (account.platform) {
    const { baseUrl, organization, apiStyle, apiVersion } = account.platform;
    lease.platform = { baseUrl, organization, apiStyle, apiVersion };
  }
  if (account.kind === 'codex') lease.codex = { plan: account.limits?.plan ?? account.plan };
  return lease;
}

/** The accounts with the most headroom: Codex logins in the lowest band of their binding window's use; any other kind as they are. */
function mostHeadroom(candidates: PoolAccount[], now: number): PoolAccount[] {
  if (!candidates.some((a) => a.kind === 'codex')) return candidates;
  const bands = candidates.map((a) => headroomBand(a.limits, now));
  const lowest = Math.min(...bands);
  return candidates.filter((_, i) => bands[i] === lowest);
}

/** Whether an account of the pool may serve this request: its kind, then its plan (logins) or its model list (keys). */
function fits(account: PoolAccount, kind: AccountKind, model: string): boolean {
  if (account.kind !== kind) return false;
  switch (kind) {
    case 'api_key':
      return servesModel(account.platform?.models ?? null, model);
    case 'chatgpt':
      return planAllows(account.plan, model);
    case 'codex': // a Codex plan's models are the backend's to say (the worker asks its models endpoint)
      return true;
    default:
      return unhandled(kind);
  }
}

function failure(status: number, code: string, message: string, retryAfterSec?: number): BusError {
  return { status, error: { message, type: status === 429 ? 'rate_limit_error' : 'server_error', param: null, code }, ...(retryAfterSec !== undefined ? { retryAfterSec } : {}) };
}

/**
 * A tenant's usable accounts, handed out one per attempt: at random or round-robin, skipping the
 * ones cooling down for the model, disabled, or needing a token. Each auth replica keeps a
 * snapshot per tenant and drops it when any replica announces a change.
 */
@Injectable()
export class AccountPoolService implements OnModuleInit, OnModuleDestroy {
  private readonly snapshots = new Map<string, { at: number; accounts: Promise<PoolAccount[]> }>();
  private changes?: Subscription;

  constructor(
    private readonly accounts: UpstreamAccountsRepository,
    private readonly refresher: AccountRefresher,
    private readonly uow: UnitOfWork,
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(AUTH_CONFIG) private readonly config: AuthConfig,
    @Inject(AUTH_LOGGER) private readonly logger: Logger,
  ) {}

  onModuleInit() {
    this.changes = this.nc.subscribe(ACCOUNTS_CHANGED, {
      callback: (err, msg) => {
        if (err) return;
        try {
          this.snapshots.delete(decodeJson(accountsChangedEventSchema, msg.data).tenantId);
        } catch {
          this.snapshots.clear();
        }
      },
    });
  }

  onModuleDestroy() {
    this.changes?.unsubscribe();
  }

  /** Every replica (this one included) forgets the tenant's snapshot: at once, or when the open transaction commits. */
  announceChanged(tenantId: string, accountIds: string[]): void {
    void this.uow.afterCommit(() => {
      this.snapshots.delete(tenantId);
      this.nc.publish(ACCOUNTS_CHANGED, encodeJson({ tenantId, accountIds }));
    });
  }

  private pool(tenantId: string): Promise<PoolAccount[]> {
    const now = Date.now();
    const cached = this.snapshots.get(tenantId);
    if (cached && now - cached.at < SNAPSHOT_TTL_MS) return cached.accounts;
    const accounts = this.accounts.poolOf(tenantId, (accountId) => this.logger.error({ accountId }, "an account's token cannot be opened with the current key: left out of the pool"));
    this.snapshots.set(tenantId, { at: now, accounts });
    accounts.catch(() => this.snapshots.delete(tenantId));
    return accounts;
  }

  private async choose(tenantId: string, model: string, candidates: PoolAccount[]): Promise<PoolAccount> {
    if (candidates.length === 1) return candidates[0];
    if (this.config.RANDOM_TOKEN) return candidates[randomInt(candidates.length)];
    // Round-robin shared by all auth replicas.
    const turn = await this.redis.incr(`chatgate:auth:rr:${tenantId}:${model}`);
    return candidates[turn % candidates.length];
  }

  async lease(request: AccountLeaseRequest): Promise<AccountLeaseReply> {
    const { tenantId, model } = request;
    const exclude = new Set(request.exclude);
    // A credential restricted to some accounts (a user's chatgpt_list, a mirror token's account) never leases others.
    const allowed = request.allowed ? new Set(request.allowed) : null;
    const now = Date.now();
    // A lease never crosses kinds: a ChatGPT request never gets an API key or a Codex login, nor the reverse.
    const kind = request.kind ?? 'chatgpt';
    // A download of a file the account made is not a message: its caps and plan do not apply (the kind still does).
    const download = request.purpose === 'download';
    const all = (await this.pool(tenantId)).filter(
      (a) => !exclude.has(a.id) && (!allowed || allowed.has(a.id)) && (download ? a.kind === kind : fits(a, kind, model)),
    );
    // Until when each account is held for this model: its cool-down, or a Codex login's usage limit (every model).
    const heldUntil = (a: PoolAccount): number => Math.max(a.cooldowns[model] ?? 0, this.limitHold(a, now) ?? 0);
    let candidates = all.filter((a) => (download || heldUntil(a) <= now) && (a.accessToken !== null || a.refreshable));

    while (candidates.length) {
      const account = await this.choose(tenantId, model, mostHeadroom(candidates, now));
      const fresh = await this.freshEnough(account, now);
      if (fresh) return { ok: true, lease: leaseOf(fresh) };
      candidates = candidates.filter((a) => a.id !== account.id);
    }

    const cooling = all.map(heldUntil).filter((until) => until > now);
    if (cooling.length) {
      const seconds = Math.ceil((Math.min(...cooling) - now) / 1000);
      const limit = kind === 'codex' ? 'usage limit' : `limit for ${model}`;
      return { ok: false, failure: failure(429, 'rate_limit_exceeded', `Every account in the pool is at its ${limit}; the first frees up in ${seconds} seconds.`, seconds) };
    }
    if (kind === 'api_key') return { ok: false, failure: failure(503, 'no_usable_account', `No usable API key for ${model}: add an API-key account that serves it, or enable the ones the upstream refused.`) };
    if (kind === 'codex') return { ok: false, failure: failure(503, 'no_usable_account', `No usable Codex account for ${model}: enter a codex login, or a new one for the accounts that need one.`) };
    return { ok: false, failure: failure(503, 'no_usable_account', `No usable upstream account for ${model}: add an account or enter a new token for the ones that need one.`) };
  }

  /**
   * The tenant's usable accounts of one kind with their cool-downs, for a worker's local snapshot
   * (`ACCOUNT_KEYS`): what `lease` would hand out for API keys or ChatGPT logins, minus the choice, which
   * the worker makes the same way (in turn, or at random under RANDOM_TOKEN). An account without a token
   * is left out (a key has nothing to refresh; a login's refresh is `lease`'s), and a login's token is
   * handed out from the snapshot only until LEASE_REFRESH_MARGIN_SEC before it expires (`usableUntil`).
   * When the worker finds nothing that fits, it asks `lease` for the authoritative answer: a refresh,
   * or its 429 or 503.
   */
  async keys(request: AccountKeysRequest): Promise<AccountKeysReply> {
    const kind = request.kind ?? 'api_key';
    const margin = this.config.LEASE_REFRESH_MARGIN_SEC * 1000;
    const keys = (await this.pool(request.tenantId))
      .filter((a) => a.kind === kind && a.accessToken !== null)
      .map((a) => ({
        lease: leaseOf(a),
        models: a.platform?.models ? [...a.platform.models] : null,
        cooldowns: { ...a.cooldowns },
        ...(kind === 'chatgpt' ? { plan: a.plan, usableUntil: a.accessTokenExpiresAt === null ? null : a.accessTokenExpiresAt - margin } : {}),
      }));
    return { ok: true, random: this.config.RANDOM_TOKEN, keys };
  }

  /** A Codex login at its usage limit (held after a 429, or a window reported full before its reset): until when. */
  private limitHold(account: PoolAccount, now: number): number | null {
    if (account.kind !== 'codex') return null;
    return exhaustedUntil(account.limits, account.limitedUntil, now, this.config.DEFAULT_COOLDOWN_SEC * 1000);
  }

  /**
   * One account per plan of the tenant's pool, of one kind (ChatGPT logins unless asked for Codex
   * logins), for listing what each plan offers. Only accounts whose access token is valid now:
   * nothing is refreshed, leased or counted for this (it is not a conversation).
   */
  async plans(request: AccountPlansRequest): Promise<AccountPlansReply> {
    const allowed = request.allowed ? new Set(request.allowed) : null;
    const kind = request.kind ?? 'chatgpt';
    const now = Date.now();
    const byPlan = new Map<string | null, PoolAccount>();
    for (const account of await this.pool(request.tenantId)) {
      if (account.kind !== kind || (allowed && !allowed.has(account.id))) continue;
      if (account.accessToken === null || (account.accessTokenExpiresAt !== null && account.accessTokenExpiresAt <= now)) continue;
      const plan = account.limits?.plan ?? account.plan;
      if (!byPlan.has(plan)) byPlan.set(plan, account);
    }
    return { ok: true, plans: [...byPlan].map(([plan, account]) => ({ plan, lease: leaseOf(account) })) };
  }

  /** An access token about to expire is refreshed before it is handed out. */
  private async freshEnough(account: PoolAccount, now: number): Promise<PoolAccount | null> {
    const margin = this.config.LEASE_REFRESH_MARGIN_SEC * 1000;
    const usable = account.accessToken !== null && (account.accessTokenExpiresAt === null || account.accessTokenExpiresAt - now > margin);
    if (usable) return account;
    if (!account.refreshable) return null;
    const result = await this.refresher.refresh(account.id, account.accessToken);
    this.announceChanged(account.tenantId, [account.id]);
    return result.ok && result.account.accessToken ? result.account : null;
  }

  /**
   * A 401 refreshes an account once per storm, however many requests meet it. The report names the
   * refused token (its sha256): a token replaced since that request's lease is not refreshed again,
   * the request gets the current one; the current token refused within FRESH_TOKEN_MS of its refresh
   * means the upstream refuses the account itself, so it is set aside (`needs_token`, with the reason
   * as its last error) for an admin, and nothing is handed out. A report that names no token (an
   * older worker) is never taken for the fresh token's: a recent refresh is answered, not repeated.
   */
  private async afterUnauthorized(row: UpstreamAccountEntity, report: AccountReport, now: number): Promise<AccountLease | null> {
    if (row.status === 'needs_token' || row.status === 'disabled') return null;
    const account = this.accounts.toPoolAccount(row);
    const current = account.accessToken;
    if (!current) return null;
    const refusedCurrent = report.refusedTokenSha256 === undefined ? null : report.refusedTokenSha256 === tokenFingerprint(current);
    if (refusedCurrent === false) return leaseOf(account);
    const refreshedRecently = row.lastRefreshAt !== null && now - row.lastRefreshAt.getTime() < FRESH_TOKEN_MS;
    if (refreshedRecently && refusedCurrent === null) return leaseOf(account);
    if (refreshedRecently) {
      const seconds = Math.round((now - row.lastRefreshAt!.getTime()) / 1000);
      await this.accounts.markNeedsToken(row.id, `The upstream refused this account's access token (401) ${seconds} s after it was refreshed: set aside until an admin checks the account (refresh it or enter a new token). Upstream said: ${report.message}`);
      this.logger.warn({ accountId: row.id, label: row.name ?? row.email ?? row.id }, 'account set aside: the upstream refused its freshly refreshed token (401)');
      return null;
    }
    const result = await this.refresher.refresh(row.id, current);
    return result.ok && result.account.accessToken ? leaseOf(result.account) : null;
  }

  async report(report: AccountReport): Promise<AccountReportReply> {
    const now = Date.now();
    const row = await this.accounts.findById(report.accountId);
    if (!row) return { ok: true, lease: null };
    const message = `${report.outcome}: ${report.message}`;
    let lease: AccountLease | null = null;
    // An API key has nothing to refresh: the upstream refused it, so it leaves the pool until an admin acts.
    const outcome = report.outcome === 'unauthorized' && row.kind === 'api_key' ? 'key_refused' : report.outcome;
    switch (outcome) {
      case 'key_refused':
        await this.accounts.markDisabled(row.id, message);
        this.logger.warn({ accountId: row.id, label: row.name ?? row.id }, 'API key refused by the upstream (401): disabled until an admin enables or re-enters it');
        break;
      case 'rate_limited': {
        const seconds = report.clearsInSec ?? this.config.DEFAULT_COOLDOWN_SEC;
        await this.accounts.setCooldown(row.id, report.model, now + seconds * 1000, message);
        break;
      }
      case 'usage_limited': {
        // The subscription's limit, not the model's: the whole account waits for the reset the upstream named.
        const until = report.resetsAtSec !== undefined ? report.resetsAtSec * 1000 : now + (report.clearsInSec ?? this.config.DEFAULT_COOLDOWN_SEC) * 1000;
        await this.accounts.setLimitedUntil(row.id, Math.max(until, now), message);
        break;
      }
      case 'model_not_found':
        await this.accounts.setCooldown(row.id, report.model, now + MODEL_NOT_FOUND_COOLDOWN_MS, message);
        break;
      case 'forbidden':
        await this.accounts.setCooldown(row.id, report.model, now + FORBIDDEN_COOLDOWN_MS, message);
        break;
      case 'upstream_error':
        await this.accounts.recordError(row.id, message);
        break;
      case 'unauthorized':
        lease = await this.afterUnauthorized(row, report, now);
        break;
    }
    this.logger.info({ accountId: row.id, model: report.model, outcome: report.outcome }, 'account outcome reported');
    this.announceChanged(row.tenantId, [row.id]);
    return { ok: true, lease };
  }

  /**
   * A Codex login's usage as its last answer reported it (`account.limits`, one replica of the queue
   * group): stored unless a newer observation is; no reload is announced (these come every few
   * seconds), each replica's snapshot takes it from `observeLimits`.
   */
  async recordLimits(event: AccountLimitsEvent): Promise<void> {
    await this.accounts.recordLimits(event.accountId, limitsOf(event));
  }

  /** Every replica: the newest observation into the snapshot that holds the account, so headroom counts at once. */
  observeLimits(event: AccountLimitsEvent): void {
    for (const snapshot of this.snapshots.values()) {
      void snapshot.accounts.then(
        (accounts) => {
          const account = accounts.find((a) => a.id === event.accountId);
          if (!account || account.kind !== 'codex' || (account.limits && account.limits.observedAt >= event.observedAt)) return;
          account.limits = limitsOf(event);
        },
        () => undefined,
      );
    }
  }
}
