import { Injectable } from '@nestjs/common';
import type { WireLimit } from '@chatgate/contracts';
import { AccountError } from '../accounts/account-error.js';
import { AccountsService } from '../accounts/accounts.service.js';
import { UpstreamAccountsRepository } from '../accounts/upstream-accounts.repository.js';
import { UnitOfWork } from '../persistence/unit-of-work.js';
import { resolveAccountRefs } from '../users/account-refs.js';
import { fromWireLimits } from '../users/user-limits.js';
import { UsersService } from '../users/users.service.js';
import { CredentialRevocations, mirrorCredentialId } from './credential-revocations.js';
import { hashSecret, MIRROR_TOKEN_PREFIX, newSecret } from './key-secret.js';
import { MirrorTokensRepository } from './mirror-tokens.repository.js';

interface MirrorUserSettings {
  user_name: string;
  limits?: WireLimit[];
  isolated_session?: boolean;
}

/**
 * ChatGPT-Mirror's tokens: one fixed token per (user, account), answered again on every call until
 * the user is logged out. The token names the account, not an access token, so it follows the
 * account's newest access token through every refresh.
 */
@Injectable()
export class MirrorTokensService {
  constructor(
    private readonly tokens: MirrorTokensRepository,
    private readonly users: UsersService,
    private readonly entry: AccountsService,
    private readonly accounts: UpstreamAccountsRepository,
    private readonly uow: UnitOfWork,
    private readonly revocations: CredentialRevocations,
  ) {}

  /** `/api/login`: the account is entered first (an upstream call, its own commit), then user and token in one transaction. */
  async login(tenantId: string, body: MirrorUserSettings & { access_token: string }): Promise<{ token: string }> {
    let accountId: string;
    try {
      ({ accountId } = await this.entry.enter(tenantId, body.access_token));
    } catch (err) {
      throw err instanceof AccountError ? err.about('access_token') : err;
    }
    const [entry] = await this.issue(tenantId, body, [[accountId]]);
    return { token: entry.token };
  }

  /** `/api/get-mirror-token`: one token per email, in the order given. */
  async forEmails(tenantId: string, body: MirrorUserSettings & { chatgpt_list: string[] }): Promise<Array<{ email: string; token: string }>> {
    const accountIds = await resolveAccountRefs(this.accounts, tenantId, body.chatgpt_list, 'chatgpt_list');
    const issued = await this.issue(tenantId, body, accountIds);
    return issued.map((e, i) => ({ email: body.chatgpt_list[i], token: e.token }));
  }

  /** `/api/logout`: every mirror token of the user ends, on every gateway replica. */
  async logout(tenantId: string, userName: string): Promise<{ revoked: number }> {
    return this.uow.run(async () => {
      const user = await this.users.byName(tenantId, userName);
      const live = await this.tokens.liveOfUser(user.id);
      await this.tokens.revoke(live.map((t) => t.id));
      await this.revocations.publish(live.map((t) => mirrorCredentialId(t.id)));
      return { revoked: live.length };
    });
  }

  /**
   * Calls for the same user name are serialised (a transaction-scoped advisory lock): two first
   * calls would otherwise both create the user or the (user, account) token and one would fail.
   */
  private async issue(tenantId: string, settings: MirrorUserSettings, accountIds: string[][]): Promise<Array<{ token: string }>> {
    return this.uow.run(async () => {
      await this.uow.lock(`mirror-user:${tenantId}:${settings.user_name}`, 'mirror_user');
      const { user, changed } = await this.users.upsertByName(tenantId, settings.user_name, {
        limits: settings.limits ? fromWireLimits(settings.limits) : undefined,
        isolatedSession: settings.isolated_session,
      });
      // New limits or isolation reach principals already cached by the gateways.
      if (changed) await this.revocations.publish(await this.users.credentialIdsOf([user.id]));
      const out: Array<{ token: string }> = [];
      // An email with several workspaces: its first (oldest) account.
      for (const ids of accountIds) out.push({ token: await this.tokenFor(tenantId, user.id, ids[0]) });
      return out;
    });
  }

  private async tokenFor(tenantId: string, userId: string, accountId: string): Promise<string> {
    const live = await this.tokens.liveFor(userId, accountId);
    if (live) {
      try {
        return this.tokens.open(live);
      } catch {
        // Sealed under a key no longer configured: replaced by a new token (the old one still resolves by hash until now).
        await this.tokens.revoke([live.id]);
      }
    }
    const token = newSecret(MIRROR_TOKEN_PREFIX);
    await this.tokens.insert({ tenantId, userId, accountId, hash: hashSecret(token), token });
    return token;
  }
}
