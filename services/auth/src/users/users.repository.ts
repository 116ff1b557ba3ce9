import { Injectable } from '@nestjs/common';
import type { UserListQuery } from '@chatgate/contracts';
import { UnitOfWork } from '../persistence/unit-of-work.js';
import { UserEntity } from './user.entity.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const UNIQUE_VIOLATION = '23505';

export function isUniqueViolation(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { driverError?: { code?: string } }).driverError?.code === UNIQUE_VIOLATION;
}

/** All reads and writes of users, inside the caller's transaction when one is open. */
@Injectable()
export class UsersRepository {
  constructor(private readonly uow: UnitOfWork) {}

  private get rows() {
    return this.uow.manager.getRepository(UserEntity);
  }

  /** A new, unsaved user with the defaults. */
  draft(tenantId: string, name: string): UserEntity {
    return this.rows.create({ tenantId, name, status: 'active', expiresAt: null, isolatedSession: false, limits: [], allowedAccountIds: null, budget: null, allowedModels: null });
  }

  byId(id: string): Promise<UserEntity | null> {
    return this.rows.findOneBy({ id });
  }

  /** Null for another tenant's id, or something that is not an id. With `lock`, held until the transaction ends. */
  async inTenant(tenantId: string, id: string, lock = false): Promise<UserEntity | null> {
    if (!UUID.test(id)) return null;
    return this.rows.findOne({ where: { tenantId, id }, ...(lock ? { lock: { mode: 'pessimistic_write' as const } } : {}) });
  }

  byName(tenantId: string, name: string, lock = false): Promise<UserEntity | null> {
    return this.rows.findOne({ where: { tenantId, name }, ...(lock ? { lock: { mode: 'pessimistic_write' as const } } : {}) });
  }

  /** An id or a name, as an admin wrote it. */
  byRef(tenantId: string, ref: string): Promise<UserEntity | null> {
    return UUID.test(ref) ? this.rows.findOneBy({ tenantId, id: ref }) : this.rows.findOneBy({ tenantId, name: ref });
  }

  page(tenantId: string, q: UserListQuery): Promise<[UserEntity[], number]> {
    const qb = this.rows.createQueryBuilder('u').where('u.tenant_id = :tenantId', { tenantId });
    if (q.status) qb.andWhere('u.status = :status', { status: q.status });
    if (q.q) qb.andWhere(`u.name ILIKE :q ESCAPE '\\'`, { q: `%${q.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%` });
    return qb.orderBy('u.created_at', 'DESC').addOrderBy('u.id').skip((q.page - 1) * q.limit).take(q.limit).getManyAndCount();
  }

  /** Inserts or updates; a second user of the same name in the tenant throws (see isUniqueViolation). */
  save(row: UserEntity): Promise<UserEntity> {
    return this.rows.save(row);
  }

  async delete(id: string): Promise<void> {
    await this.rows.delete({ id });
  }

  countOf(tenantId: string): Promise<number> {
    return this.rows.countBy({ tenantId });
  }
}
