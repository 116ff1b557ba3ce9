import { Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, Not, type EntityManager, type Repository } from 'typeorm';
import { TokenCipher } from './token-cipher.js';
import type { PoolAccount } from './pool-account.js';
import { UpstreamAccountEntity, type ApiStyle, type WorkspaceInfo } from './upstream-account.entity.js';
import { apiKeyIdentity } from './api-key-account.js';

export interface RefreshedTokens {
  accessToken: string;
  accessTokenExpiresAt: Date;
  /** A rotated refresh token or session cookie; undefined keeps the stored one. */
  refreshToken?: string | null;
  sessionToken?: string | null;
}

export interface EnteredAccount {
  tenantId: string;
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

/** Which account a token belongs to: one row per login and workspace. */
export function identityKeyOf(email: string | null, chatgptAccountId: string | null): string {
  return `${(email ?? '').toLowerCase()}|${chatgptAccountId ?? ''}`;
}

/**
 * All reads and writes of upstream accounts. Tokens are sealed on the way in and opened on the way
 * out here, and nowhere else.
 */
@Injectable()
export class UpstreamAccountsRepository {
  constructor(
    @InjectRepository(UpstreamAccountEntity) private readonly accounts: Repository<UpstreamAccountEntity>,
    @Inject(TokenCipher) private readonly cipher: TokenCipher,
  ) {}

  toPoolAccount(row: UpstreamAccountEntity): PoolAccount {
    return {
      id: row.id,
      tenantId: row.tenantId,
      email: row.email,
      plan: row.plan,
      status: row.status,
      chatgptAccountId: row.chatgptAccountId,
      deviceId: row.deviceId,
      accessToken: this.cipher.decryptNullable(row.accessTokenEnc),
      accessTokenExpiresAt: row.accessTokenExpiresAt?.getTime() ?? null,
      refreshable: row.refreshTokenEnc !== null || row.sessionTokenEnc !== null,
      cooldowns: row.cooldowns ?? {},
      kind: row.kind ?? 'chatgpt',
      name: row.name,
      platform:
        row.kind === 'api_key' && row.baseUrl && row.apiStyle
          ? { baseUrl: row.baseUrl, apiStyle: row.apiStyle, apiVersion: row.apiVersion, organization: row.organization, models: row.models }
          : null,
    };
  }

  /** Accounts that may be leased (active or cooling); cool-downs are checked per model at lease time. */
  async poolOf(tenantId: string): Promise<PoolAccount[]> {
    const rows = await this.accounts.find({ where: { tenantId, status: In(['active', 'cooling']) }, order: { createdAt: 'ASC' } });
    return rows.map((r) => this.toPoolAccount(r));
  }

  findById(id: string): Promise<UpstreamAccountEntity | null> {
    return this.accounts.findOneBy({ id });
  }

  /** The refresh secrets of one account, opened; only the refresher asks for them. */
  secretsOf(row: UpstreamAccountEntity): { refreshToken: string | null; sessionToken: string | null } {
    return { refreshToken: this.cipher.decryptNullable(row.refreshTokenEnc), sessionToken: this.cipher.decryptNullable(row.sessionTokenEnc) };
  }

  async setCooldown(id: string, model: string, untilMs: number, message: string): Promise<void> {
    await this.accounts.query(
      `UPDATE "auth"."upstream_accounts"
          SET cooldowns = cooldowns || jsonb_build_object($2::text, $3::bigint), status = CASE WHEN status = 'active' THEN 'cooling' ELSE status END,
              last_error_message = $4, last_error_at = now(), updated_at = now()
        WHERE id = $1`,
      [id, model, untilMs, message],
    );
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
   * Stores a refresh's result in one statement: a rotated refresh token or session cookie is on
   * disk before the new access token is handed to anyone, so a crash cannot lose the account.
   */
  async saveRefreshed(id: string, tokens: RefreshedTokens, manager?: EntityManager): Promise<void> {
    const patch: Partial<UpstreamAccountEntity> = {
      accessTokenEnc: this.cipher.encrypt(tokens.accessToken),
      accessTokenExpiresAt: tokens.accessTokenExpiresAt,
      lastRefreshAt: new Date(),
      lastErrorMessage: null,
      lastErrorAt: null,
    };
    if (tokens.refreshToken !== undefined) patch.refreshTokenEnc = this.cipher.encryptNullable(tokens.refreshToken);
    if (tokens.sessionToken !== undefined) patch.sessionTokenEnc = this.cipher.encryptNullable(tokens.sessionToken);
    const repo = manager ? manager.getRepository(UpstreamAccountEntity) : this.accounts;
    await repo.update({ id }, patch);
    // A fresh token makes a `needs_token` account usable again, but never undoes an admin's disable.
    await repo.update({ id, status: Not('disabled') }, { status: 'active' });
  }

  /**
   * Creates the account or updates the one with the same login and workspace. Returns its id.
   * With a manager, inside the caller's transaction (the declarative bootstrap).
   */
  async upsert(entered: EnteredAccount, manager?: EntityManager): Promise<{ id: string; created: boolean }> {
    const repo = manager ? manager.getRepository(UpstreamAccountEntity) : this.accounts;
    const identityKey = identityKeyOf(entered.email, entered.chatgptAccountId);
    const existing = await repo.findOneBy({ tenantId: entered.tenantId, identityKey });
    const values: Partial<UpstreamAccountEntity> = {
      tenantId: entered.tenantId,
      identityKey,
      email: entered.email,
      chatgptAccountId: entered.chatgptAccountId,
      chatgptUserId: entered.chatgptUserId,
      plan: entered.plan,
      workspaces: entered.workspaces,
      accessTokenEnc: this.cipher.encryptNullable(entered.accessToken),
      accessTokenExpiresAt: entered.accessTokenExpiresAt,
      status: entered.accessToken ? 'active' : 'needs_token',
      lastErrorMessage: null,
      lastErrorAt: null,
    };
    // A token kind not given this time keeps what was stored before.
    if (entered.refreshToken) values.refreshTokenEnc = this.cipher.encrypt(entered.refreshToken);
    if (entered.sessionToken) values.sessionTokenEnc = this.cipher.encrypt(entered.sessionToken);
    if (existing) {
      // Entering a token again does not re-enable an account an admin disabled.
      if (existing.status === 'disabled') values.status = 'disabled';
      await repo.update({ id: existing.id }, values);
      return { id: existing.id, created: false };
    }
    const saved = await repo.save(repo.create(values));
    return { id: saved.id, created: true };
  }

  /**
   * Creates the API-key account or updates the one holding the same key (found by its
   * fingerprint, never by the key). Entering a key again clears its last error and brings it
   * back unless an admin disabled it; a key the upstream refused is enabled again by entering it.
   */
  async upsertApiKey(entered: EnteredApiKey, manager?: EntityManager): Promise<{ id: string; created: boolean }> {
    const repo = manager ? manager.getRepository(UpstreamAccountEntity) : this.accounts;
    const identityKey = apiKeyIdentity(entered.key);
    const existing = await repo.findOneBy({ tenantId: entered.tenantId, identityKey });
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
      accessTokenEnc: this.cipher.encrypt(entered.key),
      accessTokenExpiresAt: null,
      status: 'active',
      cooldowns: {},
      lastErrorMessage: null,
      lastErrorAt: null,
    };
    if (existing) {
      if (existing.status === 'disabled' && !existing.lastErrorMessage?.startsWith('unauthorized:')) values.status = 'disabled';
      await repo.update({ id: existing.id }, values);
      return { id: existing.id, created: false };
    }
    const saved = await repo.save(repo.create(values));
    return { id: saved.id, created: true };
  }

  /**
   * Runs `fn` holding a per-account Postgres advisory lock (transaction-scoped), so two auth
   * replicas never refresh the same account at once: the second waits, then sees the first's result.
   */
  withAccountLock<T>(id: string, fn: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.accounts.manager.transaction(async (manager) => {
      await manager.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [id]);
      return fn(manager);
    });
  }
}
