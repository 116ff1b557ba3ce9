import { setTimeout as sleep } from 'node:timers/promises';
import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { REDIS } from '@chatgate/service-kit/redis';
import type { Logger } from '@chatgate/service-kit';
import { AUTH_CONFIG, AUTH_LOGGER, type AuthConfig } from '../auth.config.js';
import { RedisLocks } from '../persistence/redis-locks.js';
import { UnitOfWork } from '../persistence/unit-of-work.js';
import { ChatGptAuthClient, UpstreamAuthError } from '../upstream/chatgpt-auth.client.js';
import { CodexAuthClient } from '../upstream/codex-auth.client.js';
import { mergedClaims } from './codex-credential.js';
import type { PoolAccount } from './pool-account.js';
import { AUTH_REDIS_PREFIX, redisKey, redisSealedAt } from './sealed-places.js';
import { TokenCipher } from './token-cipher.js';
import type { UpstreamAccountEntity } from './upstream-account.entity.js';
import { UpstreamAccountsRepository, type RefreshedTokens } from './upstream-accounts.repository.js';

/** `dead`: the account needs the operator (a new token or login); never tried again on its own. */
export type RefreshResult = { ok: true; account: PoolAccount } | { ok: false; dead: boolean; message: string };

export interface RefreshOptions {
  /**
   * An operator's "refresh now": a Codex login set aside for attention (its refresh got no
   * answer) is tried once more, as they decided. Nothing else ever presents its token again.
   */
  explicit?: boolean;
}

/** Tries at writing a refresh's result before it is kept in Redis instead. */
const SAVE_ATTEMPTS = 3;
const SAVE_BACKOFF_MS = 200;
/** A kept successor waits this long for the next refresh of its account to store it. */
const RESCUE_TTL_SEC = 30 * 86_400;

interface Rescued {
  accessToken: string;
  expiresAt: number;
  refreshToken?: string | null;
  sessionToken?: string | null;
}

/**
 * Turns an account's refresh token (or session cookie) into a new access token. One refresh per
 * account at a time across all auth replicas (a Redis lock: no database connection or transaction
 * is held while the upstream answers); a caller that waited behind another refresh gets that
 * refresh's result instead of starting a second one. The upstream's answer is written at once,
 * in one statement; should that write fail, the successor is kept (sealed) in Redis and the next
 * refresh of the account stores it before anything else, so a rotated token is never lost.
 *
 * Codex logins (reference §2.3) are refreshed with Codex's client id. Their refresh tokens are
 * single use and the upstream kills the whole login when one is presented twice, so a Codex
 * refresh is never retried once it may have reached the upstream: a refusal (`refresh_token_*`,
 * 401) and a request that got no answer both set the account aside for the operator.
 */
@Injectable()
export class AccountRefresher {
  private readonly lockTtlMs: number;

  constructor(
    private readonly accounts: UpstreamAccountsRepository,
    private readonly upstream: ChatGptAuthClient,
    private readonly codex: CodexAuthClient,
    private readonly locks: RedisLocks,
    private readonly uow: UnitOfWork,
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(TokenCipher) private readonly cipher: TokenCipher,
    @Inject(AUTH_CONFIG) config: AuthConfig,
    @Inject(AUTH_LOGGER) private readonly logger: Logger,
  ) {
    // The upstream call's own timeout, then the write and its retries.
    this.lockTtlMs = config.UPSTREAM_TIMEOUT_MS + SAVE_ATTEMPTS * SAVE_BACKOFF_MS * 4 + 5_000;
  }

  /**
   * @param staleAccessToken the token that just failed: when the stored one differs, someone else
   * already refreshed and that result is returned as is.
   */
  async refresh(accountId: string, staleAccessToken?: string | null, opts: RefreshOptions = {}): Promise<RefreshResult> {
    this.uow.assertNoTransaction('an account refresh');
    const askedAt = Date.now();
    const locked = await this.locks.withLock(`${AUTH_REDIS_PREFIX}refresh-lock:${accountId}`, { ttlMs: this.lockTtlMs, waitMs: this.lockTtlMs }, () =>
      this.refreshHoldingLock(accountId, staleAccessToken, askedAt, opts),
    );
    return locked.held ? locked.value : { ok: false, dead: false, message: 'another refresh of this account is still running; try again shortly' };
  }

  private async refreshHoldingLock(accountId: string, staleAccessToken: string | null | undefined, askedAt: number, opts: RefreshOptions): Promise<RefreshResult> {
    const rescued = await this.storeRescued(accountId);
    const row = await this.accounts.findById(accountId);
    if (!row) return { ok: false, dead: true, message: 'account not found' };
    const current = this.accounts.toPoolAccount(row);
    if (staleAccessToken !== undefined && current.accessToken && current.accessToken !== staleAccessToken) return { ok: true, account: current };
    // Refreshed by another caller (any replica) while this one waited for the lock: that refresh answers this one too.
    // (A successor stored from Redis just now is an older refresh's: this one still runs.)
    if (!rescued && row.lastRefreshAt && row.lastRefreshAt.getTime() >= askedAt && current.accessToken && row.status !== 'needs_token') return { ok: true, account: current };
    if (row.kind === 'codex') return this.refreshCodex(row, opts);

    const { refreshToken, sessionToken } = this.accounts.secretsOf(row);
    let tokens: RefreshedTokens;
    try {
      if (refreshToken) {
        const r = await this.upstream.refresh(refreshToken);
        tokens = { accessToken: r.accessToken, accessTokenExpiresAt: r.expiresAt, refreshToken: r.refreshToken ?? undefined };
      } else if (sessionToken) {
        const s = await this.upstream.exchangeSession(sessionToken);
        tokens = { accessToken: s.accessToken, accessTokenExpiresAt: s.expiresAt, sessionToken: s.sessionToken ?? undefined };
      } else {
        const message = 'no refresh or session token on file; enter a new token';
        await this.accounts.markNeedsToken(accountId, message);
        return { ok: false, dead: true, message };
      }
    } catch (err) {
      const dead = err instanceof UpstreamAuthError && err.kind === 'dead_credential';
      const message = err instanceof Error ? err.message : String(err);
      if (dead) await this.accounts.markDeadUnlessReplaced(accountId, row, message);
      else await this.accounts.recordError(accountId, message);
      this.logger.warn({ accountId, dead, reason: message }, 'account refresh failed');
      return { ok: false, dead, message };
    }
    return this.stored(accountId, tokens);
  }

  /** The refreshed tokens on disk before anyone uses them (the upstream has rotated the old token away), then the account as stored. */
  private async stored(accountId: string, tokens: RefreshedTokens): Promise<RefreshResult> {
    if (!(await this.save(accountId, tokens))) {
      return { ok: false, dead: false, message: 'the refreshed token could not be stored yet (kept aside; the next refresh stores it)' };
    }
    const refreshed = await this.accounts.findById(accountId);
    if (!refreshed) return { ok: false, dead: true, message: 'account not found' };
    this.logger.info({ accountId, expiresAt: refreshed.accessTokenExpiresAt }, 'account refreshed');
    return { ok: true, account: this.accounts.toPoolAccount(refreshed) };
  }

  private async refreshCodex(row: UpstreamAccountEntity, opts: RefreshOptions): Promise<RefreshResult> {
    const accountId = row.id;
    // Set aside for the operator (a dead login, or a refresh whose answer was lost): only they try it again.
    if (row.status === 'needs_token' && !opts.explicit) return { ok: false, dead: true, message: row.lastErrorMessage ?? 'the Codex login needs a new sign-in' };
    const { refreshToken } = this.accounts.secretsOf(row);
    if (!refreshToken) {
      const message = row.accessTokenEnc && !row.accessTokenExpiresAt
        ? 'Codex access token refused or expired, and it cannot be refreshed: create a new one (chatgpt.com/admin/access-tokens) or enter a codex login'
        : 'Codex access token refused or expired, and no refresh token is on file: enter the codex login auth file (with its refresh token)';
      await this.accounts.markNeedsToken(accountId, message);
      this.logger.warn({ accountId }, 'Codex account set aside: nothing to refresh it with');
      return { ok: false, dead: true, message };
    }
    // Marked before the token leaves and cleared once its answer is stored (or classified): a marker
    // found here means a refresher died between the two, and whether the upstream spent the token is unknown.
    const inFlight = `${AUTH_REDIS_PREFIX}codex-refresh-in-flight:${accountId}`;
    if (await this.redis.exists(inFlight)) {
      if (!opts.explicit) return this.setAside(row, 'outcome_unknown', 'an earlier refresh of this login was interrupted before its answer was stored', inFlight);
      await this.redis.del(inFlight);
    }
    await this.redis.set(inFlight, String(Date.now()), 'EX', RESCUE_TTL_SEC);
    let tokens: RefreshedTokens;
    try {
      const r = await this.codex.refresh(refreshToken);
      tokens = { accessToken: r.accessToken, accessTokenExpiresAt: r.expiresAt, refreshToken: r.refreshToken ?? undefined, plan: mergedClaims(r.idToken, r.accessToken).plan ?? undefined };
    } catch (err) {
      const kind = err instanceof UpstreamAuthError ? err.kind : 'transient';
      const reason = err instanceof Error ? err.message : String(err);
      if (kind !== 'transient') return this.setAside(row, kind, reason, inFlight);
      // The upstream never took the token (no connection, or it refused without using it): safe to try again later.
      await this.accounts.recordError(accountId, reason);
      await this.redis.del(inFlight);
      this.logger.warn({ accountId, dead: false, reason }, 'Codex account refresh failed');
      return { ok: false, dead: false, message: reason };
    }
    const result = await this.stored(accountId, tokens);
    // Stored in the database or kept aside in Redis: either way the successor is safe.
    await this.redis.del(inFlight);
    return result;
  }

  /** A Codex login the upstream refused, or whose refresh may have been spent unseen: out of the pool until the operator acts. */
  private async setAside(row: UpstreamAccountEntity, outcome: 'dead_credential' | 'outcome_unknown', reason: string, inFlight: string): Promise<RefreshResult> {
    const message =
      outcome === 'dead_credential'
        ? `Codex login needs a new sign-in: ${reason}. Run codex login again and enter the new auth file.`
        : `Codex login needs attention: ${reason}; the upstream may have rotated the refresh token, so chatgate will not present it again by itself. Enter a new codex login, or refresh it once from the admin API (if the upstream did rotate it, that ends this login).`;
    await this.accounts.markDeadUnlessReplaced(row.id, row, message);
    await this.redis.del(inFlight);
    this.logger.warn({ accountId: row.id, dead: true, outcome, reason }, 'Codex account set aside for the operator: its refresh is never retried on its own');
    return { ok: false, dead: true, message };
  }

  /** Writes the result, retrying briefly; when the database keeps refusing, keeps it in Redis (false). */
  private async save(accountId: string, tokens: RefreshedTokens): Promise<boolean> {
    let failure: unknown;
    for (let attempt = 0; attempt < SAVE_ATTEMPTS; attempt++) {
      if (attempt > 0) await sleep(SAVE_BACKOFF_MS * 2 ** (attempt - 1));
      try {
        await this.accounts.saveRefreshed(accountId, tokens);
        return true;
      } catch (err) {
        failure = err;
      }
    }
    const rescued: Rescued = { accessToken: tokens.accessToken, expiresAt: tokens.accessTokenExpiresAt.getTime(), refreshToken: tokens.refreshToken, sessionToken: tokens.sessionToken };
    await this.redis.set(redisKey('successor', accountId), this.cipher.seal(JSON.stringify(rescued), redisSealedAt('successor', accountId)), 'EX', RESCUE_TTL_SEC);
    this.logger.error({ accountId, err: failure instanceof Error ? failure.message : String(failure) }, 'a refreshed token could not be stored: kept in Redis until the next refresh of the account');
    return false;
  }

  /** A successor an earlier refresh could not write: stored now, before the account's token is used or refreshed again (true). */
  private async storeRescued(accountId: string): Promise<boolean> {
    const key = redisKey('successor', accountId);
    const sealed = await this.redis.get(key);
    if (!sealed) return false;
    const rescued = JSON.parse(this.cipher.open(sealed, redisSealedAt('successor', accountId))) as Rescued;
    await this.accounts.saveRefreshed(accountId, {
      accessToken: rescued.accessToken,
      accessTokenExpiresAt: new Date(rescued.expiresAt),
      refreshToken: rescued.refreshToken ?? undefined,
      sessionToken: rescued.sessionToken ?? undefined,
    });
    await this.redis.del(key);
    this.logger.info({ accountId }, 'a refreshed token kept in Redis was stored');
    return true;
  }
}
