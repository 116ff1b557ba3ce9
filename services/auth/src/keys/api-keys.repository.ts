import { Injectable } from '@nestjs/common';
import { In, IsNull } from 'typeorm';
import type { KeyListQuery } from '@chatgate/contracts';
import { UnitOfWork } from '../persistence/unit-of-work.js';
import { ApiKeyEntity } from './api-key.entity.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** All reads and writes of gateway keys and tenant admin keys (found by sha256, never stored in clear). */
@Injectable()
export class ApiKeysRepository {
  constructor(private readonly uow: UnitOfWork) {}

  private get rows() {
    return this.uow.manager.getRepository(ApiKeyEntity);
  }

  page(tenantId: string, q: KeyListQuery): Promise<[ApiKeyEntity[], number]> {
    const qb = this.rows.createQueryBuilder('k').where('k.tenant_id = :tenantId', { tenantId });
    if (q.kind) qb.andWhere('k.kind = :kind', { kind: q.kind });
    if (q.userId) qb.andWhere('k.user_id::text = :userId', { userId: q.userId });
    if (q.revoked === 'false') qb.andWhere('k.revoked_at IS NULL');
    return qb.orderBy('k.created_at', 'DESC').addOrderBy('k.id').skip((q.page - 1) * q.limit).take(q.limit).getManyAndCount();
  }

  /** Null for another tenant's key or something that is not an id; with `lock`, held until the transaction ends. */
  async inTenant(tenantId: string, id: string, lock = false): Promise<ApiKeyEntity | null> {
    if (!UUID.test(id)) return null;
    return this.rows.findOne({ where: { tenantId, id }, ...(lock ? { lock: { mode: 'pessimistic_write' as const } } : {}) });
  }

  byId(id: string): Promise<ApiKeyEntity | null> {
    return this.rows.findOneBy({ id });
  }

  byHash(hash: string, lock = false): Promise<ApiKeyEntity | null> {
    return this.rows.findOne({ where: { hash }, ...(lock ? { lock: { mode: 'pessimistic_write' as const } } : {}) });
  }

  /** A key that still works by its hash: not revoked (expiry is the caller's to check). */
  liveByHash(hash: string, kind: ApiKeyEntity['kind']): Promise<ApiKeyEntity | null> {
    return this.rows.findOneBy({ hash, kind, revokedAt: IsNull() });
  }

  /** A new key; what a declaration does not say (budget, allowed models, rates) starts empty. */
  insert(values: Omit<ApiKeyEntity, 'id' | 'createdAt' | 'budget' | 'allowedModels' | 'rpm' | 'tpm'> & Partial<Pick<ApiKeyEntity, 'budget' | 'allowedModels' | 'rpm' | 'tpm'>>): Promise<ApiKeyEntity> {
    return this.rows.save(this.rows.create({ budget: null, allowedModels: null, rpm: null, tpm: null, ...values }));
  }

  save(row: ApiKeyEntity): Promise<ApiKeyEntity> {
    return this.rows.save(row);
  }

  async update(id: string, patch: Partial<Pick<ApiKeyEntity, 'name' | 'expiresAt'>>): Promise<void> {
    await this.rows.update({ id }, patch);
  }

  /** Conditional, so two revocations at once stamp it once. */
  async revoke(id: string): Promise<void> {
    await this.rows.update({ id, revokedAt: IsNull() }, { revokedAt: new Date() });
  }

  /** Ids of the users' keys that still work. */
  async liveIdsOfUsers(userIds: string[]): Promise<string[]> {
    if (!userIds.length) return [];
    return (await this.rows.find({ select: { id: true }, where: { userId: In(userIds), revokedAt: IsNull() } })).map((k) => k.id);
  }

  async liveIdsOfTenant(tenantId: string): Promise<string[]> {
    return (await this.rows.find({ select: { id: true }, where: { tenantId, revokedAt: IsNull() } })).map((k) => k.id);
  }

  countOf(tenantId: string): Promise<number> {
    return this.rows.countBy({ tenantId });
  }
}
