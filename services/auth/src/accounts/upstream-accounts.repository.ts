import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { In } from 'typeorm';
import { UnitOfWork } from '../persistence/unit-of-work.js';
import { sealedAt } from './sealed-places.js';
import { TokenCipher } from './token-cipher.js';
import type { PoolAccount } from './pool-account.js';
import { UpstreamAccountEntity, type ApiStyle, type WorkspaceInfo } from './upstream-account.entity.js';
import { apiKeyIdentity } from './api-key-account.js';
import type { CodexLimits } from './codex-limits.js';

export interface RefreshedTokens {
  accessToken: string;
  accessTokenExpiresAt: Date;
  /** A rotated refresh token or session cookie; undefined keeps the stored one. */
  refreshToken?: string | null;
  sessionToken?: string | null;
  /** The plan the new tokens name (a Codex login's claims); undefined keeps the stored one. */
  plan?: string | null;
}

export interface EnteredAccount {
  tenantId: string;
  /** A ChatGPT web login (absent means this) or a Codex login. */
  kind?: 'chatgpt' | 'codex';
  email: string | null;
  chatgptAccountId: string | null;
  chatgptUserId: string | null;
  plan: string | null;
  workspaces: WorkspaceInfo[];
  accessToken: string | null;
  accessTokenExpiresAt: Date | null;
  refreshToken: string | null;
  sessionToken: string | null;
}

/** An API key as an admin or the bootstrap file entered it (validated: see api-key-account.ts). */
export interface EnteredApiKey {
  tenantId: string;
  key: string;
  baseUrl: string;
  apiStyle: ApiStyle;
  apiVersion: string | null;
  organization: string | null;
  models: string[] | null;
  name: string | null;
}

/**
 * Which account a token belongs to: one row per login and workspace, and per kind: a Codex login
 * of an account is a row apart from its web login (other tokens, other upstream, other limits).
 */
export function identityKeyOf(email: string | null, chatgptAccountId: string | null, kind: 'chatgpt' | 'codex' = 'chatgpt', chatgptUserId: string | null = null): string {
  if (kind === 'chatgpt') return `${(email ?? '').toLowerCase()}|${chatgptAccountId ?? ''}`;
  // A Codex login's user id is in every token it has (the email is in the id_token only).
  return `codex:${(chatgptUserId ?? email ?? '').toLowerCase()}|${chatgptAccountId ?? ''}`;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const access = (id: string) => sealedAt('upstreamAccounts', 'access_token_enc', id);
const refresh = (id: string) => sealedAt('upstreamAccounts', 'refresh_token_enc', id);
const session = (id: string) => sealedAt('upstreamAccounts', 'session_token_enc', id);

/**
 * All reads and writes of upstream accounts. Tokens are sealed (bound to their row and column) on
 * the way in and opened on the way out here, and nowhere else. Every method works inside the
 * transaction open in the caller's context, if any (UnitOfWork).
 */
@Injectable()
export class UpstreamAccountsRepository {
  constructor(
    private readonly uow: UnitOfWork,
    @Inject(TokenCipher) private readonly cipher: TokenCipher,
  ) {}

  private get accounts() {
    return this.uow.manager.getRepository(UpstreamAccountEntity);
  }

  toPoolAccount(row: UpstreamAccountEntity): PoolAccount {
    return {
      id: row.id,
      tenantId: row.tenantId,
      email: row.email,
      plan: row.plan,
      status: row.status,
      chatgptAccountId: row.chatgptAccountId,
      deviceId: row.deviceId,
      accessToken: this.accessTokenOf(row),
      accessTokenExpiresAt: row.accessTokenExpiresAt?.getTime() ?? null,
      refreshable: row.refreshTokenEnc !== null || row.sessionTokenEnc !== null,
      cooldowns: row.cooldowns ?? {},
      limits: row.limits ?? null,
      limitedUntil: row.limitedUntil?.getTime() ?? null,
      kind: row.kind ?? 'chatgpt',
      name: row.name,
      platform:
        row.kind === 'api_key' && row.baseUrl && row.apiStyle
          ? { baseUrl: row.baseUrl, apiStyle: row.apiStyle, apiVersion: row.apiVersion, organization: row.organization, models: row.models }
          : null,
    };
  }

  accessTokenOf(row: Pick<UpstreamAccountEntity, 'id' | 'accessTokenEnc'>): string | null {
    return this.cipher.openNullable(row.accessTokenEnc, access(row.id));
  }

  /**
   * Accounts that may be leased (active or cooling); cool-downs are checked per model at lease time.
   * An account whose token cannot be opened (sealed by another key, or copied from another row) is
   * left out and named in `unreadable`: one bad row must not take the tenant's whole pool down.
   */
  async poolOf(tenantId: string, unreadable: (accountId: string) => void = () => undefined): Promise<PoolAccount[]> {
    const rows = await this.accounts.find({ where: { tenantId, status: In(['active', 'cooling']) }, order: { createdAt: 'ASC' } });
    const pool: PoolAccount[] = [];
    for (const row of rows) {
      try {
        pool.push(this.toPoolAccount(row));
      } catch {
        unreadable(row.id);
      }
    }
    return pool;
  }

  findById(id: string): Promise<UpstreamAccountEntity | null> {
    return this.accounts.findOneBy({ id });
  }

  /** The refresh secrets of one account, opened; only the refresher (and an admin entering a token) asks for them. */
  secretsOf(row: Pick<UpstreamAccountEntity, 'id' | 'refreshTokenEnc' | 'sessionTokenEnc'>): { refreshToken: string | null; sessionToken: string | null } {
    return { refreshToken: this.cipher.openNullable(row.refreshTokenEnc, refresh(row.id)), sessionToken: this.cipher.openNullable(row.sessionTokenEnc, session(row.id)) };
  }

  /**
   * Account ids or emails, as an admin wrote them, to the tenant's accounts: every account an
   * email names (an email may have several workspaces), oldest first; none for an unknown one.
   */
  async idsByRef(tenantId: string, ref: string): Promise<string[]> {
    const query = this.accounts.createQueryBuilder('a').select('a.id', 'id').where('a.tenant_id = :tenantId', { tenantId });
    if (UUID.test(ref)) query.andWhere('a.id = :ref', { ref });
    else query.andWhere('lower(a.email) = lower(:ref)', { ref }).orderBy('a.created_at');
    return (await query.getRawMany<{ id: string }>()).map((r) => r.id);
  }

  countOf(tenantId: string): Promise<number> {
    return this.accounts.countBy({ tenantId });
  }

  async setCooldown(id: string, model: string, untilMs: number, message: string): Promise<void> {
    await this.accounts
      .createQueryBuilder()
      .update()
      .set({
        cooldowns: () => `cooldowns || jsonb_build_object(CAST(:model AS text), CAST(:until AS bigint))`,
        status: () => `CASE WHEN status = 'active' THEN 'cooling' ELSE status END`,
        lastErrorMessage: message,
        lastErrorAt: () => 'now()',
      })
      .where('id = :id', { id, model, until: untilMs })
      .execute();
  }

  /** A Codex login at its usage limit (429 `usage_limit_reached`): held for every model until `untilMs`. */
  async setLimitedUntil(id: string, untilMs: number, message: string): Promise<void> {
    await this.accounts
      .createQueryBuilder()
      .update()
      .set({
        limitedUntil: () => `GREATEST(COALESCE(limited_until, to_timestamp(0)), to_timestamp(CAST(:until AS bigint) / 1000.0))`,
        status: () => `CASE WHEN status = 'active' THEN 'cooling' ELSE status END`,
        lastErrorMessage: message,
        lastErrorAt: () => 'now()',
      })
      .where('id = :id', { id, until: untilMs })
      .execute();
  }

  /**
   * A Codex login's usage as the upstream reported it: kept unless a newer observation is already
   * stored (events of several workers cross on the bus). The plan it names replaces the stored one.
   * False when nothing changed (an older observation, or no such Codex account).
   */
  async recordLimits(id: string, limits: CodexLimits): Promise<boolean> {
    const result = await this.accounts
      .createQueryBuilder()
      .update()
      .set({ limits: () => 'CAST(:limits AS jsonb)', plan: () => 'COALESCE(CAST(:plan AS text), plan)' })
      .where('id = :id AND kind = :kind', { id, kind: 'codex', limits: JSON.stringify(limits), plan: limits.plan })
      .andWhere(`(limits IS NULL OR CAST(limits->>'observedAt' AS bigint) < CAST(:observedAt AS bigint))`, { observedAt: limits.observedAt })
      .execute();
    return (result.affected ?? 0) > 0;
  }

  async recordError(id: string, message: string): Promise<void> {
    await this.accounts.update({ id }, { lastErrorMessage: message, lastErrorAt: new Date() });
  }

  /** An API key the upstream refused (401): out of the pool until an admin enables it or enters it again. */
  async markDisabled(id: string, message: string): Promise<void> {
    await this.accounts.update({ id }, { status: 'disabled', lastErrorMessage: message, lastErrorAt: new Date() });
  }

  async markNeedsToken(id: string, message: string): Promise<void> {
    await this.accounts.update({ id }, { status: 'needs_token', lastErrorMessage: message, lastErrorAt: new Date() });
  }

  /**
   * The upstream refused the credential the refresher presented: the account needs a new token,
   * unless that credential was replaced meanwhile (an admin entered a new token): then nothing.
   */
  async markDeadUnlessReplaced(id: string, presented: { refreshTokenEnc: string | null; sessionTokenEnc: string | null }, message: string): Promise<void> {
    await this.accounts
      .createQueryBuilder()
      .update()
      .set({ status: 'needs_token', lastErrorMessage: message, lastErrorAt: () => 'now()' })
      .where('id = :id', { id })
      .andWhere('refresh_token_enc IS NOT DISTINCT FROM :refresh AND session_token_enc IS NOT DISTINCT FROM :session', { refresh: presented.refreshTokenEnc, session: presented.sessionTokenEnc })
      .execute();
  }

  /**
   * Stores a refresh's result in ONE statement (no transaction needed, none held): a rotated
   * refresh token or session cookie is on disk before the new access token is handed to anyone.
   * A fresh token makes a `needs_token` account usable again, but never undoes an admin's disable.
   * False when the account is gone.
   */
  async saveRefreshed(id: string, tokens: RefreshedTokens): Promise<boolean> {
    const patch: Record<string, unknown> = {
      accessTokenEnc: this.cipher.seal(tokens.accessToken, access(id)),
      accessTokenExpiresAt: tokens.accessTokenExpiresAt,
      lastRefreshAt: () => 'now()',
      lastErrorMessage: null,
      lastErrorAt: null,
      status: () => `CASE WHEN status = 'disabled' THEN 'disabled' ELSE 'active' END`,
    };
    if (tokens.refreshToken !== undefined) patch.refreshTokenEnc = this.cipher.sealNullable(tokens.refreshToken, refresh(id));
    if (tokens.sessionToken !== undefined) patch.sessionTokenEnc = this.cipher.sealNullable(tokens.sessionToken, session(id));
    if (tokens.plan) patch.plan = tokens.plan;
    const result = await this.accounts.createQueryBuilder().update().set(patch).where('id = :id', { id }).execute();
    return (result.affected ?? 0) > 0;
  }

  /** Creates the account or updates the one with the same login and workspace. Returns its id. */
  async upsert(entered: EnteredAccount): Promise<{ id: string; created: boolean }> {
    const kind = entered.kind ?? 'chatgpt';
    const identityKey = identityKeyOf(entered.email, entered.chatgptAccountId, kind, entered.chatgptUserId);
    const existing = await this.accounts.findOneBy({ tenantId: entered.tenantId, identityKey });
    // The id is chosen here, not by the database: every token is sealed for its row.
    const id = existing?.id ?? randomUUID();
    const values: Partial<UpstreamAccountEntity> = {
      tenantId: entered.tenantId,
      identityKey,
      kind,
      // What a token does not say (a Codex access token has no email) keeps what was stored before.
      email: entered.email ?? existing?.email ?? null,
      chatgptAccountId: entered.chatgptAccountId,
      chatgptUserId: entered.chatgptUserId ?? existing?.chatgptUserId ?? null,
      plan: entered.plan ?? existing?.plan ?? null,
      workspaces: entered.workspaces,
      accessTokenEnc: this.cipher.sealNullable(entered.accessToken, access(id)),
      accessTokenExpiresAt: entered.accessTokenExpiresAt,
      status: entered.accessToken ? 'active' : 'needs_token',
      lastErrorMessage: null,
      lastErrorAt: null,
    };
    // A token kind not given this time keeps what was stored before.
    if (entered.refreshToken) values.refreshTokenEnc = this.cipher.seal(entered.refreshToken, refresh(id));
    if (entered.sessionToken) values.sessionTokenEnc = this.cipher.seal(entered.sessionToken, session(id));
    if (existing) {
      // Entering a token again does not re-enable an account an admin disabled.
      if (existing.status === 'disabled') values.status = 'disabled';
      await this.accounts.update({ id }, values);
      return { id, created: false };
    }
    await this.accounts.insert({ ...values, id });
    return { id, created: true };
  }

  /**
   * Creates the API-key account or updates the one holding the same key (found by its
   * fingerprint, never by the key). Entering a key again clears its last error and brings it
   * back unless an admin disabled it; a key the upstream refused is enabled again by entering it.
   */
  async upsertApiKey(entered: EnteredApiKey): Promise<{ id: string; created: boolean }> {
    const identityKey = apiKeyIdentity(entered.key);
    const existing = await this.accounts.findOneBy({ tenantId: entered.tenantId, identityKey });
    const id = existing?.id ?? randomUUID();
    const values: Partial<UpstreamAccountEntity> = {
      tenantId: entered.tenantId,
      identityKey,
      kind: 'api_key',
      name: entered.name,
      baseUrl: entered.baseUrl,
      apiStyle: entered.apiStyle,
      apiVersion: entered.apiVersion,
      organization: entered.organization,
      models: entered.models,
      accessTokenEnc: this.cipher.seal(entered.key, access(id)),
      accessTokenExpiresAt: null,
      status: 'active',
      cooldowns: {},
      lastErrorMessage: null,
      lastErrorAt: null,
    };
    if (existing) {
      if (existing.status === 'disabled' && !existing.lastErrorMessage?.startsWith('unauthorized:')) values.status = 'disabled';
      await this.accounts.update({ id }, values);
      return { id, created: false };
    }
    await this.accounts.insert({ ...values, id });
    return { id, created: true };
  }
}
