import { isDeepStrictEqual } from 'node:util';
import { Injectable } from '@nestjs/common';
import type { Budget, CreateUserBody, ModelLimit, UpdateUserBody, UserList, UserListQuery, UserView } from '@chatgate/contracts';
import { UpstreamAccountsRepository } from '../accounts/upstream-accounts.repository.js';
import { ApiKeysRepository } from '../keys/api-keys.repository.js';
import { CredentialRevocations, keyCredentialId, mirrorCredentialId } from '../keys/credential-revocations.js';
import { MirrorTokensRepository } from '../keys/mirror-tokens.repository.js';
import { UnitOfWork } from '../persistence/unit-of-work.js';
import type { Outcome } from '../tenants/tenants.service.js';
import { resolveAccountRefs } from './account-refs.js';
import { UserError } from './user-error.js';
import type { UserEntity } from './user.entity.js';
import { fromWireLimits } from './user-limits.js';
import { toUserView } from './user-view.js';
import { isUniqueViolation, UsersRepository } from './users.repository.js';

/** A user as a declaration gives it (the bootstrap file): fields left undefined keep their stored value. */
export interface DeclaredUser {
  name: string;
  status?: UserEntity['status'];
  expiresAt?: Date | null;
  isolatedSession?: boolean;
  limits?: ModelLimit[];
  budget?: Budget | null;
  /** Account ids or emails, or every account of the tenant. */
  chatgptList?: 'all' | string[];
}

// jsonb stores object keys in its own order: compare by value, not by serialised text.
const same = (a: unknown, b: unknown) => isDeepStrictEqual(a, b);
const timeOf = (d: Date | null) => d?.getTime() ?? null;

/** A tenant's users. Each change is one transaction; a change that affects resolution evicts the user's credentials everywhere. */
@Injectable()
export class UsersService {
  constructor(
    private readonly users: UsersRepository,
    private readonly keys: ApiKeysRepository,
    private readonly mirrorTokens: MirrorTokensRepository,
    private readonly accounts: UpstreamAccountsRepository,
    private readonly uow: UnitOfWork,
    private readonly revocations: CredentialRevocations,
  ) {}

  async list(tenantId: string, q: UserListQuery): Promise<UserList> {
    const [rows, total] = await this.users.page(tenantId, q);
    return { data: rows.map(toUserView), page: q.page, limit: q.limit, total, hasMore: (q.page - 1) * q.limit + rows.length < total };
  }

  async get(tenantId: string, id: string): Promise<UserView> {
    return toUserView(await this.mustFind(tenantId, id));
  }

  async create(tenantId: string, body: CreateUserBody): Promise<UserView> {
    const saved = await this.uow.run(async () => {
      const row = this.users.draft(tenantId, body.name);
      row.status = body.status;
      row.expiresAt = body.expiresAt ? new Date(body.expiresAt) : null;
      row.isolatedSession = body.isolated_session;
      row.limits = fromWireLimits(body.limits);
      row.allowedAccountIds = await this.allowedAccounts(tenantId, body.chatgpt_list);
      row.budget = body.budget;
      row.allowedModels = body.allowed_models;
      return this.saveUnique(row);
    });
    return toUserView(saved);
  }

  async update(tenantId: string, id: string, body: UpdateUserBody): Promise<UserView> {
    const row = await this.uow.run(async () => {
      const row = await this.mustFind(tenantId, id, true);
      if (body.name !== undefined) row.name = body.name;
      if (body.status !== undefined) row.status = body.status;
      if (body.expiresAt !== undefined) row.expiresAt = body.expiresAt ? new Date(body.expiresAt) : null;
      if (body.isolated_session !== undefined) row.isolatedSession = body.isolated_session;
      if (body.limits !== undefined) row.limits = fromWireLimits(body.limits);
      if (body.budget !== undefined) row.budget = body.budget;
      if (body.allowed_models !== undefined) row.allowedModels = body.allowed_models;
      if (body.chatgpt_list !== undefined) row.allowedAccountIds = await this.allowedAccounts(tenantId, body.chatgpt_list);
      const saved = await this.saveUnique(row);
      // Any change can alter the principal (status, expiry, limits, accounts): every replica re-resolves.
      await this.revocations.publish(await this.credentialIdsOf([row.id]));
      return saved;
    });
    return toUserView(row);
  }

  async delete(tenantId: string, id: string): Promise<{ id: string; deleted: true }> {
    await this.uow.run(async () => {
      const row = await this.mustFind(tenantId, id, true);
      await this.revocations.publish(await this.credentialIdsOf([row.id]));
      await this.users.delete(row.id);
    });
    return { id, deleted: true };
  }

  /**
   * The bootstrap file's user: created when missing, else only the fields it gives are set (admin
   * changes to the others survive a restart). A change to an existing user evicts its credentials.
   */
  async declare(tenantId: string, declared: DeclaredUser): Promise<{ user: UserEntity; outcome: Outcome }> {
    return this.uow.run(async () => {
      const existing = await this.users.byName(tenantId, declared.name, true);
      const row = existing ?? this.users.draft(tenantId, declared.name);
      const before = existing ? { ...existing } : null;
      if (declared.status !== undefined) row.status = declared.status;
      if (declared.expiresAt !== undefined) row.expiresAt = declared.expiresAt;
      if (declared.isolatedSession !== undefined) row.isolatedSession = declared.isolatedSession;
      if (declared.limits !== undefined) row.limits = declared.limits;
      if (declared.budget !== undefined) row.budget = declared.budget;
      if (declared.chatgptList !== undefined) row.allowedAccountIds = await this.allowedAccounts(tenantId, declared.chatgptList);
      const changed =
        !before ||
        before.status !== row.status ||
        timeOf(before.expiresAt) !== timeOf(row.expiresAt) ||
        before.isolatedSession !== row.isolatedSession ||
        !same(before.limits, row.limits) ||
        !same(before.allowedAccountIds, row.allowedAccountIds) ||
        !same(before.budget ?? null, row.budget ?? null);
      if (!changed) return { user: row, outcome: 'unchanged' };
      const user = await this.saveUnique(row);
      if (!before) return { user, outcome: 'created' };
      // Cached principals carry status, expiry, limits and accounts.
      await this.revocations.publish(await this.credentialIdsOf([user.id]));
      return { user, outcome: 'updated' };
    });
  }

  /** ChatGPT-Mirror's login and get-mirror-token: the user by name, created if new, its settings updated when given. */
  async upsertByName(tenantId: string, name: string, settings: { limits?: ModelLimit[]; isolatedSession?: boolean }): Promise<{ user: UserEntity; changed: boolean }> {
    return this.uow.run(async () => {
      const existing = await this.users.byName(tenantId, name, true);
      const user = existing ?? this.users.draft(tenantId, name);
      if (settings.limits !== undefined) user.limits = settings.limits;
      if (settings.isolatedSession !== undefined) user.isolatedSession = settings.isolatedSession;
      const changed = existing !== null && (settings.limits !== undefined || settings.isolatedSession !== undefined);
      return { user: await this.saveUnique(user), changed };
    });
  }

  async byName(tenantId: string, name: string): Promise<UserEntity> {
    const row = await this.users.byName(tenantId, name);
    if (!row) throw new UserError('user_not_found', `No user named '${name.slice(0, 100)}' in this tenant.`, 'user_name');
    return row;
  }

  /** Every live credential of these users, as the gateway knows them. */
  async credentialIdsOf(userIds: string[]): Promise<string[]> {
    const [keys, tokens] = await Promise.all([this.keys.liveIdsOfUsers(userIds), this.mirrorTokens.liveIdsOfUsers(userIds)]);
    return [...keys.map(keyCredentialId), ...tokens.map(mirrorCredentialId)];
  }

  async mustFind(tenantId: string, id: string, lock = false): Promise<UserEntity> {
    const row = await this.users.inTenant(tenantId, id, lock);
    if (!row) throw new UserError('user_not_found', 'No such user in this tenant.', 'id');
    return row;
  }

  private async allowedAccounts(tenantId: string, list: 'all' | string[]): Promise<string[] | null> {
    return list === 'all' ? null : (await resolveAccountRefs(this.accounts, tenantId, list, 'chatgpt_list')).flat();
  }

  private async saveUnique(row: UserEntity): Promise<UserEntity> {
    try {
      return await this.users.save(row);
    } catch (err) {
      if (isUniqueViolation(err)) throw new UserError('user_exists', `A user named '${row.name}' already exists in this tenant.`, 'name');
      throw err;
    }
  }
}
