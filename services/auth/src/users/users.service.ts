import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { EntityManager, Repository } from 'typeorm';
import type { CreateUserBody, ModelLimit, UpdateUserBody, UserList, UserListQuery, UserView } from '@chatgate/contracts';
import { AdminFailure } from '../admin/admin-failure.js';
import { ApiKeyEntity } from '../keys/api-key.entity.js';
import { CredentialRevocations, keyCredentialId, mirrorCredentialId } from '../keys/credential-revocations.js';
import { MirrorTokenEntity } from '../keys/mirror-token.entity.js';
import { resolveAccountRefs } from './account-refs.js';
import { UserEntity } from './user.entity.js';
import { fromWireLimits } from './user-limits.js';
import { toUserView } from './user-view.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const UNIQUE_VIOLATION = '23505';

function isUniqueViolation(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { driverError?: { code?: string } }).driverError?.code === UNIQUE_VIOLATION;
}

/** A tenant's users. Each change is one transaction; a change that affects resolution evicts the user's credentials everywhere. */
@Injectable()
export class UsersService {
  constructor(
    @InjectRepository(UserEntity) private readonly users: Repository<UserEntity>,
    private readonly revocations: CredentialRevocations,
  ) {}

  async list(tenantId: string, q: UserListQuery): Promise<UserList> {
    const qb = this.users.createQueryBuilder('u').where('u.tenant_id = :tenantId', { tenantId });
    if (q.status) qb.andWhere('u.status = :status', { status: q.status });
    if (q.q) qb.andWhere(`u.name ILIKE :q ESCAPE '\\'`, { q: `%${q.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%` });
    const [rows, total] = await qb.orderBy('u.created_at', 'DESC').addOrderBy('u.id').skip((q.page - 1) * q.limit).take(q.limit).getManyAndCount();
    return { data: rows.map(toUserView), page: q.page, limit: q.limit, total, hasMore: (q.page - 1) * q.limit + rows.length < total };
  }

  async get(tenantId: string, id: string): Promise<UserView> {
    return toUserView(await this.mustFind(this.users.manager, tenantId, id));
  }

  async create(tenantId: string, body: CreateUserBody): Promise<UserView> {
    const saved = await this.users.manager.transaction(async (m) => {
      const allowed = body.chatgpt_list === 'all' ? null : (await resolveAccountRefs(m, tenantId, body.chatgpt_list, 'chatgpt_list')).flat();
      const row = m.create(UserEntity, {
        tenantId,
        name: body.name,
        status: body.status,
        expiresAt: body.expiresAt ? new Date(body.expiresAt) : null,
        isolatedSession: body.isolated_session,
        limits: fromWireLimits(body.limits),
        allowedAccountIds: allowed,
        budget: body.budget,
      });
      return this.saveUnique(m, row);
    });
    return toUserView(saved);
  }

  async update(tenantId: string, id: string, body: UpdateUserBody): Promise<UserView> {
    const { row, revoked } = await this.users.manager.transaction(async (m) => {
      const row = await this.mustFind(m, tenantId, id, true);
      if (body.name !== undefined) row.name = body.name;
      if (body.status !== undefined) row.status = body.status;
      if (body.expiresAt !== undefined) row.expiresAt = body.expiresAt ? new Date(body.expiresAt) : null;
      if (body.isolated_session !== undefined) row.isolatedSession = body.isolated_session;
      if (body.limits !== undefined) row.limits = fromWireLimits(body.limits);
      if (body.budget !== undefined) row.budget = body.budget;
      if (body.chatgpt_list !== undefined) row.allowedAccountIds = body.chatgpt_list === 'all' ? null : (await resolveAccountRefs(m, tenantId, body.chatgpt_list, 'chatgpt_list')).flat();
      return { row: await this.saveUnique(m, row), revoked: await this.credentialIdsOf(m, [row.id]) };
    });
    // Any change can alter the principal (status, expiry, limits, accounts): every replica re-resolves.
    await this.revocations.publish(revoked);
    return toUserView(row);
  }

  async delete(tenantId: string, id: string): Promise<{ id: string; deleted: true }> {
    const revoked = await this.users.manager.transaction(async (m) => {
      const row = await this.mustFind(m, tenantId, id, true);
      const ids = await this.credentialIdsOf(m, [row.id]);
      await m.delete(UserEntity, { id: row.id });
      return ids;
    });
    await this.revocations.publish(revoked);
    return { id, deleted: true };
  }

  /** ChatGPT-Mirror's login and get-mirror-token: the user by name, created if new, its settings updated when given. */
  async upsertByName(m: EntityManager, tenantId: string, name: string, settings: { limits?: ModelLimit[]; isolatedSession?: boolean }): Promise<{ user: UserEntity; changed: boolean }> {
    const existing = await m.findOne(UserEntity, { where: { tenantId, name }, lock: { mode: 'pessimistic_write' } });
    const user = existing ?? m.create(UserEntity, { tenantId, name, status: 'active', expiresAt: null, isolatedSession: false, limits: [], allowedAccountIds: null, budget: null });
    if (settings.limits !== undefined) user.limits = settings.limits;
    if (settings.isolatedSession !== undefined) user.isolatedSession = settings.isolatedSession;
    const changed = existing !== null && (settings.limits !== undefined || settings.isolatedSession !== undefined);
    return { user: await this.saveUnique(m, user), changed };
  }

  async byName(m: EntityManager, tenantId: string, name: string): Promise<UserEntity> {
    const row = await m.findOneBy(UserEntity, { tenantId, name });
    if (!row) throw AdminFailure.of(404, 'user_not_found', `No user named '${name.slice(0, 100)}' in this tenant.`, 'user_name');
    return row;
  }

  /** Every live credential of these users, as the gateway knows them. */
  async credentialIdsOf(m: EntityManager, userIds: string[]): Promise<string[]> {
    if (!userIds.length) return [];
    const keys = await m.createQueryBuilder(ApiKeyEntity, 'k').select('k.id').where('k.user_id IN (:...userIds)', { userIds }).andWhere('k.revoked_at IS NULL').getMany();
    const tokens = await m.createQueryBuilder(MirrorTokenEntity, 't').select('t.id').where('t.user_id IN (:...userIds)', { userIds }).andWhere('t.revoked_at IS NULL').getMany();
    return [...keys.map((k) => keyCredentialId(k.id)), ...tokens.map((t) => mirrorCredentialId(t.id))];
  }

  async mustFind(m: EntityManager, tenantId: string, id: string, lock = false): Promise<UserEntity> {
    const row = UUID.test(id) ? await m.findOne(UserEntity, { where: { tenantId, id }, ...(lock ? { lock: { mode: 'pessimistic_write' as const } } : {}) }) : null;
    if (!row) throw AdminFailure.of(404, 'user_not_found', 'No such user in this tenant.', 'id');
    return row;
  }

  private async saveUnique(m: EntityManager, row: UserEntity): Promise<UserEntity> {
    try {
      return await m.save(UserEntity, row);
    } catch (err) {
      if (isUniqueViolation(err)) throw AdminFailure.of(409, 'user_exists', `A user named '${row.name}' already exists in this tenant.`, 'name');
      throw err;
    }
  }
}
