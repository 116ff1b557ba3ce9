import { Injectable, type OnModuleInit } from '@nestjs/common';
import type { TenantEntity } from './tenant.entity.js';
import { TenantsRepository } from './tenants.repository.js';

export const DEFAULT_TENANT_SLUG = 'default';

export type Outcome = 'created' | 'updated' | 'unchanged';

@Injectable()
export class TenantsService implements OnModuleInit {
  private defaultTenant?: TenantEntity;

  constructor(private readonly tenants: TenantsRepository) {}

  async onModuleInit() {
    const row = await this.tenants.bySlug(DEFAULT_TENANT_SLUG);
    if (!row) throw new Error(`the ${DEFAULT_TENANT_SLUG} tenant is missing (it is created by the first migration)`);
    this.defaultTenant = row;
  }

  /** The tenant that raw upstream tokens and pool codes belong to. Loaded once: it never changes id. */
  get default(): TenantEntity {
    if (!this.defaultTenant) throw new Error('tenants not loaded yet');
    return this.defaultTenant;
  }

  /**
   * The tenant with this slug, created when missing; a name given and different from the stored
   * one renames it. Locked until the transaction ends, so two writers take turns.
   */
  async ensure(slug: string, name: string | undefined): Promise<{ id: string; outcome: Outcome }> {
    const existing = await this.tenants.bySlug(slug, true);
    if (!existing) return { id: (await this.tenants.insert(slug, name ?? slug)).id, outcome: 'created' };
    if (name === undefined || name === existing.name) return { id: existing.id, outcome: 'unchanged' };
    await this.tenants.rename(existing.id, name);
    return { id: existing.id, outcome: 'updated' };
  }
}
