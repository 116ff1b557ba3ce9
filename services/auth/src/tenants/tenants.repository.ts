import { Injectable } from '@nestjs/common';
import type { ModelRoute } from '@chatgate/contracts';
import { UnitOfWork } from '../persistence/unit-of-work.js';
import { TenantEntity } from './tenant.entity.js';

/** All reads and writes of tenants, inside the caller's transaction when one is open. */
@Injectable()
export class TenantsRepository {
  constructor(private readonly uow: UnitOfWork) {}

  private get rows() {
    return this.uow.manager.getRepository(TenantEntity);
  }

  byId(id: string): Promise<TenantEntity | null> {
    return this.rows.findOneBy({ id });
  }

  /** With `lock`, held until the transaction ends (two writers of one slug go one after the other). */
  bySlug(slug: string, lock = false): Promise<TenantEntity | null> {
    return lock ? this.rows.findOne({ where: { slug }, lock: { mode: 'pessimistic_write' } }) : this.rows.findOneBy({ slug });
  }

  existsWithSlug(slug: string): Promise<boolean> {
    return this.rows.existsBy({ slug });
  }

  /** Oldest first; `onlyId` narrows the listing to one tenant (a tenant admin's view). */
  page(onlyId: string | null, skip: number, take: number): Promise<[TenantEntity[], number]> {
    return this.rows.findAndCount({ where: onlyId ? { id: onlyId } : {}, order: { createdAt: 'ASC', id: 'ASC' }, skip, take });
  }

  insert(slug: string, name: string): Promise<TenantEntity> {
    return this.rows.save(this.rows.create({ slug, name }));
  }

  async rename(id: string, name: string): Promise<void> {
    await this.rows.update({ id }, { name });
  }

  async delete(id: string): Promise<void> {
    await this.rows.delete({ id });
  }

  /** The tenant's own routing table, or null (the default applies). */
  async routesOf(id: string): Promise<ModelRoute[] | null> {
    const row = await this.rows.findOne({ where: { id }, select: { id: true, modelRoutes: true } });
    return row?.modelRoutes ?? null;
  }

  async setRoutes(id: string, routes: ModelRoute[] | null): Promise<void> {
    await this.rows.update({ id }, { modelRoutes: routes });
  }
}
