import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from '@chatgate/service-kit';
import { AUTH_LOGGER } from '../auth.config.js';
import { ChatGptAuthClient, UpstreamAuthError } from '../upstream/chatgpt-auth.client.js';
import type { PoolAccount } from './pool-account.js';
import { UpstreamAccountEntity } from './upstream-account.entity.js';
import { UpstreamAccountsRepository } from './upstream-accounts.repository.js';

export type RefreshResult = { ok: true; account: PoolAccount } | { ok: false; dead: boolean; message: string };

/**
 * Turns an account's refresh token (or session cookie) into a new access token. One refresh per
 * account at a time across all auth replicas (a Postgres advisory lock); a caller that waited
 * behind another refresh gets that refresh's result instead of starting a second one.
 */
@Injectable()
export class AccountRefresher {
  constructor(
    private readonly accounts: UpstreamAccountsRepository,
    private readonly upstream: ChatGptAuthClient,
    @Inject(AUTH_LOGGER) private readonly logger: Logger,
  ) {}

  /**
   * @param staleAccessToken the token that just failed: when the stored one differs, someone else
   * already refreshed and that result is returned as is.
   */
  refresh(accountId: string, staleAccessToken?: string | null): Promise<RefreshResult> {
    return this.accounts.withAccountLock(accountId, async (manager) => {
      const row = await manager.getRepository(UpstreamAccountEntity).findOneBy({ id: accountId });
      if (!row) return { ok: false, dead: true, message: 'account not found' };
      const current = this.accounts.toPoolAccount(row);
      if (staleAccessToken !== undefined && current.accessToken && current.accessToken !== staleAccessToken) return { ok: true, account: current };

      const { refreshToken, sessionToken } = this.accounts.secretsOf(row);
      try {
        if (refreshToken) {
          const r = await this.upstream.refresh(refreshToken);
          await this.accounts.saveRefreshed(accountId, { accessToken: r.accessToken, accessTokenExpiresAt: r.expiresAt, refreshToken: r.refreshToken ?? undefined }, manager);
        } else if (sessionToken) {
          const s = await this.upstream.exchangeSession(sessionToken);
          await this.accounts.saveRefreshed(accountId, { accessToken: s.accessToken, accessTokenExpiresAt: s.expiresAt, sessionToken: s.sessionToken ?? undefined }, manager);
        } else {
          const message = 'no refresh or session token on file; enter a new token';
          await manager.getRepository(UpstreamAccountEntity).update({ id: accountId }, { status: 'needs_token', lastErrorMessage: message, lastErrorAt: new Date() });
          return { ok: false, dead: true, message };
        }
      } catch (err) {
        const dead = err instanceof UpstreamAuthError && err.kind === 'dead_credential';
        const message = err instanceof Error ? err.message : String(err);
        const repo = manager.getRepository(UpstreamAccountEntity);
        await repo.update({ id: accountId }, dead ? { status: 'needs_token', lastErrorMessage: message, lastErrorAt: new Date() } : { lastErrorMessage: message, lastErrorAt: new Date() });
        this.logger.warn({ accountId, dead, reason: message }, 'account refresh failed');
        return { ok: false, dead, message };
      }
      const refreshed = await manager.getRepository(UpstreamAccountEntity).findOneByOrFail({ id: accountId });
      this.logger.info({ accountId, expiresAt: refreshed.accessTokenExpiresAt }, 'account refreshed');
      return { ok: true, account: this.accounts.toPoolAccount(refreshed) };
    });
  }
}
