import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity.js';
import type { AuditListQuery } from '@chatgate/contracts';
import { UnitOfWork } from '../persistence/unit-of-work.js';
import { AuditEntryEntity } from './audit-entry.entity.js';

export type NewAuditEntry = Omit<AuditEntryEntity, 'id' | 'at'>;

/** The filters of a listing, with the tenant already turned into an id (null: every tenant, the operator's view). */
export type AuditFilter = Omit<AuditListQuery, 'tenant'> & { tenantId: string | null };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The audit log's rows: written in a given transaction, read newest first. */
@Injectable()
export class AuditLogRepository {
  constructor(private readonly uow: UnitOfWork) {}

  /** Inserts a row in the given transaction; answers its id. */
  async insert(manager: EntityManager, entry: NewAuditEntry): Promise<string> {
    // (jsonb `details` is an open record, which TypeORM's deep-partial type cannot follow.)
    const inserted = await manager.getRepository(AuditEntryEntity).insert(entry as QueryDeepPartialEntity<AuditEntryEntity>);
    return String((inserted.identifiers[0] as { id: string | number }).id);
  }

  /** Names the target of a row written before the change knew it (a token's account, stored in the change's first transaction). */
  async setTarget(id: string, target: string): Promise<void> {
    await this.uow.manager.getRepository(AuditEntryEntity).update({ id }, { target });
  }

  page(f: AuditFilter): Promise<[AuditEntryEntity[], number]> {
    const qb = this.uow.manager.getRepository(AuditEntryEntity).createQueryBuilder('a');
    if (f.tenantId) qb.andWhere('a.tenant_id = :tenantId', { tenantId: f.tenantId });
    if (f.actor === 'operator') qb.andWhere(`a.actor_kind = 'operator'`);
    // A key id that is not a uuid matches nothing (rather than failing the query).
    else if (f.actor) qb.andWhere(UUID.test(f.actor) ? 'a.actor_key_id = :keyId' : 'false', { keyId: f.actor });
    if (f.action) qb.andWhere('a.action = :action', { action: f.action });
    if (f.from) qb.andWhere('a.at >= :from', { from: new Date(f.from) });
    if (f.to) qb.andWhere('a.at < :to', { to: new Date(f.to) });
    return qb.orderBy('a.at', 'DESC').addOrderBy('a.id', 'DESC').skip((f.page - 1) * f.limit).take(f.limit).getManyAndCount();
  }
}
