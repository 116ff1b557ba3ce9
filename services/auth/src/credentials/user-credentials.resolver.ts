import { Injectable } from '@nestjs/common';
import type { BusError, Principal, PrincipalAllowList, PrincipalBudget, ResolveCredentialReply } from '@chatgate/contracts';
import type { ApiKeyEntity } from '../keys/api-key.entity.js';
import { ApiKeysRepository } from '../keys/api-keys.repository.js';
import { hashSecret, KEY_PREFIXES, secretFamily, visiblePrefix, MIRROR_TOKEN_PREFIX } from '../keys/key-secret.js';
import { keyCredentialId, mirrorCredentialId } from '../keys/credential-revocations.js';
import { MirrorTokensRepository } from '../keys/mirror-tokens.repository.js';
import type { UserEntity } from '../users/user.entity.js';
import { UsersRepository } from '../users/users.repository.js';
import { userRefusal } from '../users/user-view.js';

/** A principal is re-resolved at least this often; revocation events evict sooner. */
const USER_PRINCIPAL_TTL_MS = 3_600_000;

function refuse(message: string, code: string): ResolveCredentialReply {
  const failure: BusError = { status: 401, error: { message, type: 'invalid_request_error', param: null, code } };
  return { ok: false, failure };
}

/**
 * Credentials chatgate issues to users: gateway API keys (`sk-cg-…`) and mirror tokens (`mt-cg-…`),
 * found by their sha256. Answers null for anything else, so the caller tries the other kinds.
 */
@Injectable()
export class UserCredentialsResolver {
  constructor(
    private readonly keys: ApiKeysRepository,
    private readonly mirrorTokens: MirrorTokensRepository,
    private readonly users: UsersRepository,
  ) {}

  async resolve(bearer: string, now = Date.now()): Promise<ResolveCredentialReply | null> {
    const family = secretFamily(bearer);
    if (family === null) return null;
    if (family === 'tenant_admin') return refuse('A tenant admin key opens the admin API only; chat with a user key.', 'invalid_api_key');
    const shown = visiblePrefix(bearer, family === 'mirror' ? MIRROR_TOKEN_PREFIX : KEY_PREFIXES.user);
    const unknown = refuse(`Incorrect API key provided: ${shown}. It is unknown or was revoked.`, 'invalid_api_key');
    const hash = hashSecret(bearer);

    if (family === 'user') {
      const key = await this.keys.liveByHash(hash, 'user');
      if (!key?.userId) return unknown;
      if (key.expiresAt && key.expiresAt.getTime() <= now) return refuse(`The API key ${shown} expired at ${key.expiresAt.toISOString()}.`, 'key_expired');
      const user = await this.users.byId(key.userId);
      if (!user) return unknown;
      const accountIds = user.allowedAccountIds ?? undefined;
      return this.principal(user, keyCredentialId(key.id), accountIds, [key.expiresAt], now, key);
    }

    const token = await this.mirrorTokens.liveByHash(hash);
    if (!token) return unknown;
    const user = await this.users.byId(token.userId);
    if (!user) return unknown;
    // A mirror token is the admin's explicit grant of one account: it is not narrowed by chatgpt_list.
    return this.principal(user, mirrorCredentialId(token.id), [token.accountId], [], now);
  }

  /** `key`: a gateway key's own settings (budget, allowed models, rates); a mirror token has none. */
  private principal(
    user: UserEntity,
    credentialId: string,
    accountIds: string[] | undefined,
    expiries: Array<Date | null>,
    now: number,
    key: Pick<ApiKeyEntity, 'budget' | 'allowedModels' | 'rpm' | 'tpm'> | null = null,
  ): ResolveCredentialReply {
    const refusal = userRefusal(user, now);
    if (refusal) return refuse(refusal.message, refusal.code);
    const expiry = [user.expiresAt, ...expiries].filter((d): d is Date => d !== null).map((d) => d.getTime());
    const ends = [now + USER_PRINCIPAL_TTL_MS, ...expiry];
    const budgets: PrincipalBudget[] = [];
    if (user.budget) budgets.push({ scope: 'user', ...user.budget });
    if (key?.budget) budgets.push({ scope: 'key', ...key.budget });
    const allowLists: PrincipalAllowList[] = [];
    if (user.allowedModels) allowLists.push({ scope: 'user', patterns: user.allowedModels });
    if (key?.allowedModels) allowLists.push({ scope: 'key', patterns: key.allowedModels });
    const principal: Principal = {
      credentialId,
      tenantId: user.tenantId,
      userId: user.id,
      userName: user.name,
      limits: user.limits,
      budgets,
      ...(allowLists.length ? { modelAllowLists: allowLists } : {}),
      ...(key?.rpm || key?.tpm ? { rateLimit: { rpm: key.rpm ?? null, tpm: key.tpm ?? null } } : {}),
      accessUntil: expiry.length ? Math.min(...expiry) : null,
      isolatedSession: user.isolatedSession,
      label: user.name,
      upstream: { kind: 'pool', tenantId: user.tenantId, ...(accountIds ? { accountIds } : {}) },
      // The gateway re-resolves at the first of: key expiry, user expiry, the TTL.
      expiresAt: Math.min(...ends),
    };
    return { ok: true, principal };
  }
}
