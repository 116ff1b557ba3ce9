import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { IsNull, type EntityManager, type Repository } from 'typeorm';
import type { WireLimit } from '@chatgate/contracts';
import { maskSecret } from '@chatgate/config';
import { AccountsService, EnterTokenError } from '../accounts/accounts.service.js';
import { TokenCipher } from '../accounts/token-cipher.js';
import { AdminFailure } from '../admin/admin-failure.js';
import { resolveAccountRefs } from '../users/account-refs.js';
import { fromWireLimits } from '../users/user-limits.js';
import { UsersService } from '../users/users.service.js';
import { CredentialRevocations, mirrorCredentialId } from './credential-revocations.js';
import { hashSecret, MIRROR_TOKEN_PREFIX, newSecret } from './key-secret.js';
import { MirrorTokenEntity } from './mirror-token.entity.js';

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
    @InjectRepository(MirrorTokenEntity) private readonly tokens: Repository<MirrorTokenEntity>,
    private readonly users: UsersService,
    private readonly accounts: AccountsService,
    private readonly cipher: TokenCipher,
    private readonly revocations: CredentialRevocations,
  ) {}

  /** `/api/login`: the account is entered first (an upstream call, its own commit), then user and token in one transaction. */
  async login(tenantId: string, body: MirrorUserSettings & { access_token: string }): Promise<{ token: string }> {
    let accountId: string;
    try {
      ({ accountId } = await this.accounts.enter(tenantId, body.access_token));
    } catch (err) {
      if (err instanceof EnterTokenError) {
        const message = err.message.split(body.access_token).join(maskSecret(body.access_token));
        throw err.transient ? AdminFailure.of(503, 'upstream_unavailable', message, 'access_token') : AdminFailure.of(400, 'invalid_token', message, 'access_token');
      }
      throw err;
    }
    const [entry] = await this.issue(tenantId, body, [[accountId]]);
    return { token: entry.token };
  }

  /** `/api/get-mirror-token`: one token per email, in the order given. */
  async forEmails(tenantId: string, body: MirrorUserSettings & { chatgpt_list: string[] }): Promise<Array<{ email: string; token: string }>> {
    const accountIds = await resolveAccountRefs(this.tokens.manager, tenantId, body.chatgpt_list, 'chatgpt_list');
    const issued = await this.issue(tenantId, body, accountIds);
    return issued.map((e, i) => ({ email: body.chatgpt_list[i], token: e.token }));
  }

  /** `/api/logout`: every mirror token of the user ends, on every gateway replica. */
  async logout(tenantId: string, userName: string): Promise<{ revoked: number }> {
    const ids = await this.tokens.manager.transaction(async (m) => {
      const user = await this.users.byName(m, tenantId, userName);
      const live = await m.findBy(MirrorTokenEntity, { userId: user.id, revokedAt: IsNull() });
      if (live.length) await m.update(MirrorTokenEntity, live.map((t) => t.id), { revokedAt: new Date() });
      return live.map((t) => mirrorCredentialId(t.id));
    });
    await this.revocations.publish(ids);
    return { revoked: ids.length };
  }

  /**
   * Calls for the same user name are serialised (a transaction-scoped advisory lock): two first
   * calls would otherwise both create the user or the (user, account) token and one would fail.
   */
  private async issue(tenantId: string, settings: MirrorUserSettings, accountIds: string[][]): Promise<Array<{ token: string }>> {
    const { out, revoked } = await this.tokens.manager.transaction(async (m) => {
      await m.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 1))', [`mirror-user:${tenantId}:${settings.user_name}`]);
      const { user, changed } = await this.users.upsertByName(m, tenantId, settings.user_name, {
        limits: settings.limits ? fromWireLimits(settings.limits) : undefined,
        isolatedSession: settings.isolated_session,
      });
      // New limits or isolation reach principals already cached by the gateways.
      const revoked = changed ? await this.users.credentialIdsOf(m, [user.id]) : [];
      const out: Array<{ token: string }> = [];
      // An email with several workspaces: its first (oldest) account.
      for (const ids of accountIds) out.push({ token: await this.tokenFor(m, tenantId, user.id, ids[0]) });
      return { out, revoked };
    });
    await this.revocations.publish(revoked);
    return out;
  }

  private async tokenFor(m: EntityManager, tenantId: string, userId: string, accountId: string): Promise<string> {
    const live = await m.findOne(MirrorTokenEntity, { where: { userId, accountId, revokedAt: IsNull() }, lock: { mode: 'pessimistic_write' } });
    if (live) {
      try {
        return this.cipher.decrypt(live.tokenEnc);
      } catch {
        // Sealed under a key no longer configured: replaced by a new token (the old one still resolves by hash until now).
        await m.update(MirrorTokenEntity, { id: live.id }, { revokedAt: new Date() });
      }
    }
    const token = newSecret(MIRROR_TOKEN_PREFIX);
    await m.save(MirrorTokenEntity, m.create(MirrorTokenEntity, { tenantId, userId, accountId, hash: hashSecret(token), tokenEnc: this.cipher.encrypt(token), revokedAt: null }));
    return token;
  }
}
